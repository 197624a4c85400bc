"""The audit trail shows each user the history of what they may see, nothing else — per role and region."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.audit.selectors import AuditFilters, recent_events_for
from luoshi.audit.services import record
from luoshi.core.errors import AccessDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(
    users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any], settings: Any, tmp_path: Any
) -> dict[str, Any]:
    """A published plan in 荆门 (measure 1: 市发改委 lead, 市经信局 co; measure 2: 市经信局) and one in 荆州,
    synced into tasks (which records task.created), plus events on units and plans."""
    from luoshi.plans.models import Measure, Plan, PlanStatus
    from luoshi.supervision.services import tasks_sync_from_plan

    settings.FILES_DIR = tmp_path

    def plan(region: Any, title: str, specs: list[tuple[str, list[Any], list[Any]]]) -> Plan:
        p = Plan.objects.create(
            region=region,
            title=title,
            status=PlanStatus.PUBLISHED,
            reporting_cycle="monthly",
            issued_on=dt.date(2026, 1, 5),
        )
        for i, (text, lead, co) in enumerate(specs, start=1):
            m = Measure.objects.create(
                plan=p,
                seq=i,
                text=text,
                deadline=dt.date(2026, 12, 31),
                lead_units_text=[u.name for u in lead],
                co_units_text=[u.name for u in co],
            )
            m.lead_units.set(lead)
            m.co_units.set(co)
        record(actor=users["admin"], action="plan.published", subject=p, reason=f"发布{title}")
        return p

    jm = plan(
        regions["jingmen"],
        "荆门方案",
        [("荆门举措甲", [units["jm_fgw"]], [units["jm_jxj"]]), ("荆门举措乙", [units["jm_jxj"]], [])],
    )
    jz = plan(regions["jingzhou"], "荆州方案", [("荆州举措丙", [units["jz_fgw"]], [])])
    tasks_jm = tasks_sync_from_plan(plan=jm, actor=users["admin"], today=dt.date(2026, 1, 5))
    tasks_jz = tasks_sync_from_plan(plan=jz, actor=users["admin_jz"], today=dt.date(2026, 1, 5))
    for u in units.values():
        record(actor=None, action="unit.updated", subject=u, after={"name": u.name})
    return {"jm": jm, "jz": jz, "tasks_jm": tasks_jm, "tasks_jz": tasks_jz}


def _seen(
    user: Any, types: tuple[str, ...] = ("supervision.task", "plans.plan", "orgs.unit")
) -> set[tuple[str, str]]:
    return set(
        recent_events_for(user).filter(subject_type__in=types).values_list("subject_type", "subject_id")
    )


def _key(obj: Any) -> tuple[str, str]:
    return (obj._meta.label_lower, str(obj.pk))


def test_office_and_leaders_see_their_region_only(
    users: dict[str, Any], units: dict[str, Any], trail: dict[str, Any]
) -> None:
    jm_objects = {
        _key(trail["jm"]),
        *map(_key, trail["tasks_jm"]),
        _key(units["jm_fgw"]),
        _key(units["jm_jxj"]),
    }
    jz_objects = {_key(trail["jz"]), *map(_key, trail["tasks_jz"]), _key(units["jz_fgw"])}
    for name in ("admin", "leader"):
        seen = _seen(users[name])
        assert jm_objects <= seen, name
        assert not seen & jz_objects, name
    seen = _seen(users["admin_jz"])
    assert jz_objects <= seen and not seen & jm_objects


def test_department_staff_see_only_their_own_objects(
    users: dict[str, Any], units: dict[str, Any], trail: dict[str, Any]
) -> None:
    t1, t2 = trail["tasks_jm"]
    assert _seen(users["staff"]) == {
        _key(t1),
        _key(units["jm_fgw"]),
    }  # not 市经信局's task, plan, other units
    assert _seen(users["staff_other"]) == {
        _key(t1),
        _key(t2),
        _key(units["jm_jxj"]),
    }  # co-assigned: sees task 1


def test_other_roles_are_refused(users: dict[str, Any], trail: dict[str, Any], client: Any) -> None:
    for name in ("enterprise", "observer"):
        with pytest.raises(AccessDenied):
            recent_events_for(users[name])
        client.force_login(users[name])
        assert client.get("/audit/").status_code == 403, name
        assert client.get("/audit/export.xlsx").status_code == 403, name


def test_superuser_sees_everything(users: dict[str, Any], trail: dict[str, Any]) -> None:
    from luoshi.accounts.models import User

    root = User.objects.create_superuser("root", password="Root-password-2025")
    assert recent_events_for(root).count() == AuditEvent.objects.count()


def test_page_and_export_do_not_leak_across_regions(
    users: dict[str, Any], trail: dict[str, Any], client: Any
) -> None:
    from openpyxl import load_workbook

    client.force_login(users["admin_jz"])
    html = client.get("/audit/").content.decode()
    assert "荆州举措丙" in html or "荆州方案" in html
    assert "荆门" not in html.split("<h1>", 1)[1]
    data = client.get("/audit/export.xlsx").content
    text = " ".join(
        str(c)
        for row in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)
        for c in row
    )
    assert "荆州方案" in text and "荆门" not in text
    client.force_login(users["staff"])
    html = client.get("/audit/").content.decode()
    assert "荆门举措乙" not in html and "荆州" not in html


def test_plain_chinese_rows_and_filters(
    users: dict[str, Any], units: dict[str, Any], trail: dict[str, Any], client: Any
) -> None:
    from luoshi.audit.presentation import present

    t1 = trail["tasks_jm"][0]
    event = record(
        actor=users["admin"],
        action="task.signed_off",
        subject=t1,
        before={"status": "sign_off_requested"},
        after={"status": "signed_off"},
        reason="材料齐全",
    )
    view = present(event)
    assert view.sentence.endswith("admin 同意销号(材料齐全)")
    assert [str(c) for c in view.changes] == ["状态: 申请销号 → 已销号"]
    # the time is Beijing time
    assert view.when == event.at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    only = recent_events_for(users["admin"], AuditFilters(action="task.signed_off"))
    assert list(only) == [event]
    assert not recent_events_for(
        users["admin"], AuditFilters(action="task.signed_off", actor="leader")
    ).exists()
    assert (
        recent_events_for(
            users["admin"], AuditFilters(subject_type="supervision.task", subject_id=str(t1.pk))
        )
        .filter(pk=event.pk)
        .exists()
    )
    future = dt.date.today() + dt.timedelta(days=3)
    assert not recent_events_for(users["admin"], AuditFilters(date_from=future)).exists()
    client.force_login(users["admin"])
    html = client.get(
        "/audit/", {"action": "task.signed_off", "from": "not-a-date", "page": "99999999999999999999"}
    ).content.decode()
    assert "同意销号(材料齐全)" in html and "状态: 申请销号 → 已销号" in html
