"""`store_attachment` is a public service: it checks who may attach (the report's unit, on a live task,
within the cap) and runs in its own transaction, whoever calls it (page, API, command)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from luoshi.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from luoshi.supervision import services
from luoshi.supervision.models import Attachment, Task, TaskStatus

from .test_services_reports import PDF, file

pytestmark = pytest.mark.django_db


def _pdf() -> io.BytesIO:
    return io.BytesIO(PDF)


def test_only_the_reports_unit_may_attach(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    report = file(tasks[0], units["jm_fgw"], users["staff"])
    refusals: list[tuple[str, Any]] = [
        ("staff_other", AccessDenied),  # a co-unit: sees the task, may not attach to another unit's report
        ("leader", AccessDenied),
        ("admin_jz", NotFound),
        ("enterprise", NotFound),
    ]
    for who, error in refusals:
        with pytest.raises(error):
            services.store_attachment(report=report, name="a.pdf", stream=_pdf(), user=users[who])
    assert not Attachment.objects.exists()
    row = services.store_attachment(report=report, name="a.pdf", stream=_pdf(), user=users["staff"])
    assert row.report_id == report.pk


def test_cap_and_closed_tasks_are_refused(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    report = file(tasks[0], units["jm_fgw"], users["staff"])
    for i in range(services.reports.MAX_ATTACHMENTS_PER_REPORT):
        services.store_attachment(report=report, name=f"{i}.pdf", stream=_pdf(), user=users["staff"])
    with pytest.raises(ValidationFailed, match="最多"):
        services.store_attachment(report=report, name="x.pdf", stream=_pdf(), user=users["staff"])
    Task.objects.filter(pk=tasks[0].pk).update(status=TaskStatus.SIGNED_OFF)
    report.refresh_from_db()
    report.task.refresh_from_db()
    Attachment.objects.all().delete()
    with pytest.raises(InvalidTransition):
        services.store_attachment(report=report, name="y.pdf", stream=_pdf(), user=users["staff"])
