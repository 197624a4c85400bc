"""Co-assigned units on a shared task read each other's reports and evidence (the rule in supervision/access.py);
a unit not on the task, or taken off it, reads none of it; nobody writes another unit's report."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def lead_report(users: dict[str, Any], tasks: list[Any]) -> Any:
    from luoshi.supervision.models import Assignment
    from luoshi.supervision.services import report_file, store_attachment

    task = tasks[0]  # lead 市发改委 (staff), co 市经信局 (staff_other)
    lead = Assignment.objects.get(task=task, unit=users["staff"].unit)
    report = report_file(
        assignment=lead, user=users["staff"], period_start=dt.date(2026, 1, 1), narrative="牵头单位进展",
        percent=20, actuals={}, problems="", files=[], today=dt.date(2026, 1, 20),
    )
    attachment = store_attachment(report=report, name="佐证.pdf", stream=io.BytesIO(PDF), user=users["staff"])
    return report, attachment


def test_a_co_assigned_unit_reads_the_lead_units_report_and_evidence(
    client: Any, users: dict[str, Any], lead_report: Any
) -> None:
    report, attachment = lead_report
    client.force_login(users["staff_other"])
    detail = client.get(f"/api/supervision/tasks/{report.task_id}").json()
    assert [r["narrative"] for r in detail["reports"]] == ["牵头单位进展"]
    assert client.get(f"/supervision/attachments/{attachment.pk}/").status_code == 200


def test_a_unit_not_on_the_task_or_taken_off_it_reads_nothing(
    client: Any, users: dict[str, Any], units: dict[str, Any], lead_report: Any
) -> None:
    from luoshi.accounts.models import Role
    from luoshi.accounts.services import user_create
    from luoshi.orgs.models import Unit
    from luoshi.supervision.models import Assignment

    report, attachment = lead_report
    outsider_unit = Unit.objects.create(region=units["jm_fgw"].region, name="荆门市财政局")
    outsider = user_create(username="caizheng", password="Test-password-2025", role=Role.STAFF, unit=outsider_unit)
    client.force_login(outsider)
    assert client.get(f"/api/supervision/tasks/{report.task_id}").status_code == 404
    assert client.get(f"/supervision/attachments/{attachment.pk}/").status_code == 404

    Assignment.objects.filter(task_id=report.task_id, unit=users["staff_other"].unit).update(active=False)
    client.force_login(users["staff_other"])
    assert client.get(f"/api/supervision/tasks/{report.task_id}").status_code == 404
    assert client.get(f"/supervision/attachments/{attachment.pk}/").status_code == 404


def test_a_co_assigned_unit_cannot_attach_to_the_lead_units_report(users: dict[str, Any], lead_report: Any) -> None:
    from luoshi.core.errors import DomainError
    from luoshi.supervision.services import store_attachment

    report, _ = lead_report
    with pytest.raises(DomainError):
        store_attachment(report=report, name="x.pdf", stream=io.BytesIO(PDF), user=users["staff_other"])
