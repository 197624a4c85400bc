"""Pages and who may see them: leaders and office their region subtree, staff only their unit, others nothing.
The refusals are tested as carefully as the grants."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_leader_sees_the_cockpit_with_figures_that_link_to_their_records(
    refreshed: dict[str, Any], users: dict[str, Any], regions: dict[str, Any]
) -> None:
    c = _client(users["leader"])
    r = c.get("/dashboard/", {"kind": "month", "period": "2026-06"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "荆门市营商环境监测驾驶舱" in html and "按期完成率" in html and "东宝区" in html
    assert 'data-figure="supervision.on_time_rate"' in html
    rec = c.get(
        "/dashboard/records/supervision.overdue/",
        {"region": regions["jingmen"].pk, "kind": "month", "period": "2026-06"},
    )
    assert rec.status_code == 200
    body = rec.content.decode()
    assert 'id="records-total">2<' in body and "出台信用修复办法" in body and "建成中小企业服务平台" in body
    for path in (
        "/dashboard/rankings/",
        "/dashboard/trends/",
        "/dashboard/screen/",
        "/dashboard/indicators/",
        "/dashboard/weights/",
    ):
        assert c.get(path).status_code == 200, path


def test_drill_down_to_a_county_and_to_a_unit(
    refreshed: dict[str, Any], users: dict[str, Any], county: Any
) -> None:
    c = _client(users["leader"])
    r = c.get("/dashboard/", {"region": county.pk, "kind": "month", "period": "2026-06"})
    assert r.status_code == 200 and "东宝区营商环境监测驾驶舱" in r.content.decode()
    unit = refreshed["units"]["jm_fgw"]
    u = c.get(f"/dashboard/units/{unit.pk}/", {"kind": "month", "period": "2026-06"})
    assert u.status_code == 200 and "1 / 3" in u.content.decode()


def test_outside_the_region_is_refused(
    refreshed: dict[str, Any], users: dict[str, Any], regions: dict[str, Any]
) -> None:
    c = _client(users["admin_jz"])  # 荆州市
    assert c.get("/dashboard/", {"region": regions["jingmen"].pk}).status_code == 403
    assert c.get(f"/dashboard/units/{refreshed['units']['jm_fgw'].pk}/").status_code == 403
    assert (
        c.get("/dashboard/records/supervision.overdue/", {"region": regions["jingmen"].pk}).status_code == 403
    )
    # a leader may not climb above their region
    assert _client(users["leader"]).get("/dashboard/", {"region": regions["hubei"].pk}).status_code == 403


def test_staff_see_only_their_own_unit(
    refreshed: dict[str, Any], users: dict[str, Any], regions: dict[str, Any]
) -> None:
    c = _client(users["staff"])  # 发改委
    r = c.get("/dashboard/")
    assert r.status_code == 302 and r["Location"].endswith(f"/dashboard/units/{users['staff'].unit_id}/")
    assert c.get(f"/dashboard/units/{users['staff'].unit_id}/").status_code == 200
    assert c.get(f"/dashboard/units/{users['staff_other'].unit_id}/").status_code == 403
    assert c.get("/dashboard/", {"region": regions["jingmen"].pk}).status_code == 403
    assert c.get("/dashboard/rankings/").status_code == 403
    own = c.get(
        "/dashboard/records/supervision.overdue/",
        {"unit": users["staff"].unit_id, "kind": "month", "period": "2026-06"},
    )
    assert own.status_code == 200 and "出台信用修复办法" in own.content.decode()
    assert "建成中小企业服务平台" not in own.content.decode()  # another unit's task


@pytest.mark.parametrize("role", ["enterprise", "observer"])
def test_enterprises_and_observers_see_nothing(
    refreshed: dict[str, Any], users: dict[str, Any], role: str
) -> None:
    c = _client(users[role])
    for path in (
        "/dashboard/",
        "/dashboard/screen/",
        "/dashboard/indicators/",
        "/dashboard/export.xlsx",
        "/dashboard/records/supervision.overdue/",
    ):
        assert c.get(path).status_code == 403, path


def test_only_the_office_changes_weights_and_every_version_is_kept(
    refreshed: dict[str, Any], users: dict[str, Any]
) -> None:
    from luoshi.dashboard.models import RankingWeights
    from luoshi.dashboard.services import current_weights

    leader = _client(users["leader"])
    r = leader.post("/dashboard/weights/", {"supervision.on_time_rate": "80", "note": "试图调整"})
    assert "只有营商办管理员" in r.content.decode() and not RankingWeights.objects.exists()
    admin = _client(users["admin"])
    admin.post(
        "/dashboard/weights/",
        {
            "supervision.on_time_rate": "60",
            "supervision.report_timeliness": "20",
            "supervision.overdue_share": "20",
            "projects.milestone_on_time": "0",
            "note": "突出按期完成",
        },
    )
    admin.post(
        "/dashboard/weights/",
        {
            "supervision.on_time_rate": "50",
            "supervision.report_timeliness": "25",
            "supervision.overdue_share": "25",
            "projects.milestone_on_time": "0",
            "note": "季度调整",
        },
    )
    assert RankingWeights.objects.count() == 2 and current_weights()["supervision.on_time_rate"] == 50
    history = admin.get("/dashboard/weights/").content.decode()
    assert "突出按期完成" in history and "季度调整" in history
    bad = admin.post("/dashboard/weights/", {"supervision.on_time_rate": "abc", "note": "x"})
    assert "不是数字" in bad.content.decode() and RankingWeights.objects.count() == 2


def test_rankings_show_a_unit_with_nothing_due_unranked(
    refreshed: dict[str, Any], users: dict[str, Any]
) -> None:
    from luoshi.dashboard import selectors
    from luoshi.orgs.models import Unit
    from luoshi.plans.models import Measure, Plan, PlanStatus
    from luoshi.supervision.services import tasks_sync_from_plan

    idle = Unit.objects.create(region=users["leader"].region, name="荆门市统计局")
    plan = Plan.objects.create(
        region=users["leader"].region,
        title="远期方案",
        status=PlanStatus.PUBLISHED,
        reporting_cycle="quarterly",
    )
    m = Measure.objects.create(
        plan=plan, seq=1, text="2027年底前完成统计改革。", deadline=dt.date(2027, 12, 31)
    )
    m.lead_units.set([idle])
    from luoshi.supervision.models import Task

    for t in tasks_sync_from_plan(plan=plan, actor=None):
        Task.objects.filter(pk=t.pk).update(created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    from luoshi.dashboard import services
    from luoshi.dashboard.tests.conftest import TODAY

    services.refresh(today=TODAY, periods=services.periods_to_refresh(TODAY, {"month": 1}))
    r = selectors.rankings(users["leader"], kind="month", period_text="2026-06")
    assert idle.pk in {x.id for x in r.nothing_due}
    assert idle.pk not in {x.id for x in r.units}
    ranked = {x.id: x for x in r.units}
    assert ranked[users["staff"].unit_id].rank is not None


def test_the_api_gives_the_same_figures_and_the_same_refusals(
    refreshed: dict[str, Any], users: dict[str, Any], regions: dict[str, Any]
) -> None:
    r = _client(users["leader"]).get("/api/dashboard/figures", {"kind": "month", "period": "2026-06"})
    assert r.status_code == 200
    figures = {f["key"]: f for f in r.json()["figures"]}
    assert figures["supervision.on_time_rate"]["value"] == 40.0
    assert (
        _client(users["admin_jz"])
        .get("/api/dashboard/figures", {"region": regions["jingmen"].pk})
        .status_code
        == 403
    )
    assert _client(users["enterprise"]).get("/api/dashboard/figures").status_code == 403
