"""Text at the service boundary (core/limits.py `@guard_text`): one set of length limits with a Chinese message naming
the field and the limit, and C0 control characters stripped; files are sanitised again when written (issue 15)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

CONTROLS = "\x01\x0b\x0c\x1f\x7f"


def test_a_15_million_character_narrative_is_refused(client: Any, users: dict[str, Any], tasks: list[Any]) -> None:
    from luoshi.core.limits import LONG_TEXT
    from luoshi.supervision.models import Assignment, ProgressReport

    task = tasks[0]
    assignment = Assignment.objects.get(task=task, unit=users["staff"].unit)
    client.force_login(users["staff"])
    body = {
        "assignment_id": assignment.pk,
        "period_start": "2026-01-01",
        "narrative": "进" + "a" * 15_000_000,
        "percent": 10,
    }
    response = client.post(f"/api/supervision/tasks/{task.pk}/reports", json.dumps(body), "application/json")
    assert response.status_code == 400
    message = response.json()["message"]
    assert "工作进展" in message and f"{LONG_TEXT}" in message
    assert not ProgressReport.objects.filter(task=task).exists()


def test_limits_apply_to_every_guarded_service(users: dict[str, Any], tasks: list[Any], units: dict[str, Any]) -> None:
    from luoshi.core.errors import ValidationFailed
    from luoshi.core.limits import NAME, SHORT_TEXT
    from luoshi.directory.services import alias_add
    from luoshi.supervision.services import task_transition

    with pytest.raises(ValidationFailed, match=f"别名.*{NAME}"):
        alias_add(actor=users["admin"], unit=units["jm_fgw"], alias="发" * (NAME + 1))
    with pytest.raises(ValidationFailed, match=f"理由.*{SHORT_TEXT}"):
        task_transition(task=tasks[0], to="cancelled", user=users["admin"], reason="因" * (SHORT_TEXT + 1))


def test_control_characters_are_stripped_at_the_service_boundary_and_exports_work(
    client: Any, users: dict[str, Any], tasks: list[Any], units: dict[str, Any], regions: dict[str, Any]
) -> None:
    from openpyxl import load_workbook

    from luoshi.directory.services import alias_add
    from luoshi.orgs.models import UnitAlias
    from luoshi.plans.models import Measure
    from luoshi.plans.services import measure_update
    from luoshi.projects.services import project_create
    from luoshi.supervision.models import Task
    from luoshi.supervision.services import notice_docx, notice_issue
    from luoshi.supervision.services.exports import ledger_xlsx

    alias = alias_add(actor=users["admin"], unit=units["jm_fgw"], alias=f"发改{CONTROLS}委员会")
    assert UnitAlias.objects.get(pk=alias.pk).alias == "发改委员会"

    from luoshi.plans.models import Plan, PlanStatus

    draft = Plan.objects.create(region=regions["jingmen"], title="草稿", status=PlanStatus.DRAFT)
    measure = Measure.objects.create(plan=draft, seq=1, text="举措正文")
    updated = measure_update(
        measure=measure, actor=users["admin"], version=measure.version, changes={"title": f"标题{CONTROLS}一\t二"}
    )
    assert updated.title == "标题一\t二"

    project = project_create(
        user=users["admin"], region=regions["jingmen"], code="C0-1", name=f"项目{CONTROLS}名称", units=[units["jm_fgw"]]
    )
    assert project.name == "项目名称"

    notice = notice_issue(
        user=users["admin"],
        unit=units["jm_fgw"],
        tasks=[tasks[0]],
        reply_deadline=dt.date(2026, 2, 1),
        requirement=f"请于{CONTROLS}三日内\n答复",
        today=dt.date(2026, 1, 10),
    )
    assert notice.requirement == "请于三日内\n答复"

    # stored by SQL past every service: the file writers sanitise again
    Task.objects.filter(pk=tasks[0].pk).update(title=f"任务{CONTROLS}=HYPERLINK(1)")
    type(notice).objects.filter(pk=notice.pk).update(requirement=f"要求{CONTROLS}")
    notice.refresh_from_db()
    book = load_workbook(io.BytesIO(ledger_xlsx(Task.objects.filter(pk=tasks[0].pk))))
    values = [c.value for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]  # type: ignore[union-attr]
    assert any(v.startswith("任务=HYPERLINK") for v in values)
    assert not any(ch in v for v in values for ch in CONTROLS)
    assert notice_docx(notice)[:2] == b"PK"
    client.force_login(users["admin"])
    UnitAlias.objects.filter(pk=alias.pk).update(alias=f"别名{CONTROLS}")
    for fmt in ("xlsx", "csv"):
        response = client.get("/orgs/export/", {"format": fmt, "region": regions["jingmen"].code})
        assert response.status_code == 200, fmt
