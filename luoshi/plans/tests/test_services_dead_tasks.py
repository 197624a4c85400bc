"""Dead tasks: measures with no written deadline or no unit must not publish silently; plan details editable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, Conflict, InvalidTransition, ValidationFailed
from luoshi.plans import services
from luoshi.plans.models import Plan, PlanStatus

ANNUAL: list[tuple[str, list[str], list[str]]] = [
    ("推行企业开办一网通办,企业开办时间压缩至1个工作日以内。", ["市发改委"], []),
    ("完善重大项目审批绿色通道。", [], []),
    ("持续优化政务服务。", ["市经信局"], []),
]


def test_period_end_of_annual_and_multi_year_plans(make_plan: Any) -> None:
    annual = make_plan(ANNUAL, title="荆门市优化营商环境行动方案(2026年)", year=2026)
    assert services.plan_period_end(annual) == dt.date(2026, 12, 31)
    multi = make_plan(ANNUAL, title="荆门市优化营商环境三年行动方案(2024—2026年)", year=2024)
    assert services.plan_period_end(multi) == dt.date(2026, 12, 31)
    none = make_plan(ANNUAL, title="某方案")
    Plan.objects.filter(pk=none.pk).update(year=None)
    none.refresh_from_db()
    assert services.plan_period_end(none) is None


def test_review_page_counts_undated_and_publish_is_refused_until_each_is_dated_or_ongoing(
    make_plan: Any, users: dict[str, Any]
) -> None:
    plan = make_plan(ANNUAL, title="荆门市优化营商环境行动方案(2026年)", year=2026)
    client = Client()
    client.force_login(users["admin"])
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "3 条未写明完成时限" in page and "全部按方案期限设为 2026年12月31日" in page
    with pytest.raises(InvalidTransition) as refused:
        services.plan_publish(plan, actor=users["admin"], confirm_unassigned=True)
    assert "3 条举措未写明完成时限" in refused.value.message and "2026年12月31日" in refused.value.message
    first, _second, third = plan.measures.order_by("seq")
    services.measure_apply_period_default(measure=first, actor=users["admin"], version=first.version)
    services.measure_confirm_ongoing(measure=third, actor=users["admin"], version=third.version)
    first.refresh_from_db()
    third.refresh_from_db()
    assert first.deadline == dt.date(2026, 12, 31) and "按方案期限" in first.deadline_phrase
    assert third.ongoing and third.deadline is None
    assert [m.seq for m in services.undated_measures(plan)] == [2]
    assert services.plan_apply_period_default(plan=plan, actor=users["admin"]) == 1
    assert services.undated_measures(plan) == []
    assert AuditEvent.objects.filter(action="plan.measure_updated").count() == 3
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "条未写明完成时限" not in page


def test_publishing_unassigned_measures_needs_confirmation(make_plan: Any, users: dict[str, Any]) -> None:
    from luoshi.supervision.models import Task

    plan = make_plan(ANNUAL, title="荆门市优化营商环境行动方案(2026年)", year=2026)
    services.plan_apply_period_default(plan=plan, actor=users["admin"])
    assert [m.seq for m in services.unassigned_measures(plan)] == [2]
    with pytest.raises(InvalidTransition) as refused:
        services.plan_publish(plan, actor=users["admin"])
    assert "1 条举措未指定责任单位" in refused.value.message
    assert Task.objects.count() == 0
    client = Client()
    client.force_login(users["admin"])
    assert 'name="confirm_unassigned"' in client.get(f"/plans/{plan.pk}/").content.decode()
    plan.refresh_from_db()
    response = client.post(f"/plans/{plan.pk}/publish/", {"confirm_unassigned": "1", "version": plan.version})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    tasks = {t.seq: t for t in Task.objects.filter(plan=plan)}
    assert tasks[2].colour == "yellow" and "尚未指定责任单位" in tasks[2].colour_reason  # never green
    assert tasks[1].colour == "green"  # coloured at publish, before any sweep


def test_plan_details_editable_after_publish_audited_and_refused_to_others(
    make_plan: Any, users: dict[str, Any]
) -> None:
    plan = make_plan(ANNUAL[:1], title="关于印发行动方案的通知", year=2025)
    services.plan_apply_period_default(plan=plan, actor=users["admin"])
    plan = services.plan_publish(plan, actor=users["admin"])
    updated = services.plan_update_details(
        plan=plan,
        actor=users["admin"],
        version=plan.version,
        changes={
            "title": "荆门市优化营商环境行动方案(2026年)",
            "year": "2026",
            "doc_number": "荆政办发〔2026〕3号",
            "issuer": "荆门市人民政府办公室",
        },
    )
    assert (updated.title, updated.year, updated.doc_number) == (
        "荆门市优化营商环境行动方案(2026年)",
        2026,
        "荆政办发〔2026〕3号",
    )
    event = AuditEvent.objects.get(action="plan.details_updated")
    assert (event.before or {})["title"] == "关于印发行动方案的通知" and (event.after or {})["year"] == 2026
    with pytest.raises(Conflict):
        services.plan_update_details(
            plan=plan, actor=users["admin"], version=plan.version, changes={"year": 2027}
        )
    with pytest.raises(ValidationFailed):
        services.plan_update_details(
            plan=updated, actor=users["admin"], version=updated.version, changes={"title": " "}
        )
    with pytest.raises(ValidationFailed):
        services.plan_update_details(
            plan=updated, actor=users["admin"], version=updated.version, changes={"year": "明年"}
        )
    for who in ("staff", "leader"):
        with pytest.raises(AccessDenied):
            services.plan_update_details(
                plan=updated, actor=users[who], version=updated.version, changes={"title": "x"}
            )
    client = Client()
    client.force_login(users["admin"])
    response = client.post(
        f"/plans/{plan.pk}/details/",
        {"version": updated.version, "title": "新名称", "year": "2026", "doc_number": "", "issuer": ""},
    )
    assert response.status_code == 302
    assert Plan.objects.get(pk=plan.pk).title == "新名称"
    staff = Client()
    staff.force_login(users["staff"])
    assert staff.post(f"/plans/{plan.pk}/details/", {"version": 99, "title": "x"}).status_code in (403, 404)
