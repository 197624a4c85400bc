"""Services: creating and editing projects, milestone order, problems, rules, permissions and audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, Conflict, InvalidTransition, ValidationFailed
from luoshi.projects import services
from luoshi.projects.models import Milestone, MilestoneRule, Project, ProjectProblem

D = dt.date
pytestmark = pytest.mark.django_db


def _m(project: Project, kind: str) -> Milestone:
    return Milestone.objects.get(project=project, kind=kind)


def test_create_computes_planned_dates_from_default_rules(project: Project) -> None:
    assert _m(project, "signed").planned_date == D(2026, 1, 10)
    assert _m(project, "started").planned_date == D(2026, 7, 10)  # 签约6个月内开工
    assert _m(project, "registered").planned_date == D(2026, 9, 10)  # 开工2个月内入库
    assert _m(project, "started").planned_from_rule
    ev = AuditEvent.objects.filter(
        subject_type="projects.project", subject_id=str(project.pk), action="project.created"
    )
    assert ev.count() == 1 and ev.get().actor_label == "admin"


def test_actual_dates_move_rule_based_plans(project: Project, users: dict[str, Any]) -> None:
    services.milestone_record(user=users["admin"], project=project, kind="signed", actual_date=D(2026, 2, 28))
    assert _m(project, "started").planned_date == D(2026, 8, 28)
    services.milestone_record(
        user=users["admin"], project=project, kind="started", actual_date=D(2026, 8, 31)
    )
    assert _m(project, "registered").planned_date == D(2026, 10, 31)
    project.refresh_from_db()
    assert project.stage == "started"
    ev = AuditEvent.objects.filter(action="project.milestone_recorded", subject_id=str(project.pk)).first()
    assert ev is not None and ev.after is not None and ev.after["actual_date"] == "2026-08-31"


@pytest.mark.parametrize(
    ("kind", "day", "message"),
    [
        ("started", D(2026, 1, 5), "开工不能早于签约"),
        ("registered", D(2026, 3, 1), "请先填写开工的实际日期"),
        ("signed", D(2003, 12, 31), "2004"),
    ],
)
def test_milestone_order_refused(
    project: Project, users: dict[str, Any], kind: str, day: dt.date, message: str
) -> None:
    services.milestone_record(user=users["admin"], project=project, kind="signed", actual_date=D(2026, 1, 10))
    if kind == "signed":
        with pytest.raises(ValidationFailed, match=message):
            services.milestone_record(user=users["admin"], project=project, kind=kind, actual_date=day)
        return
    with pytest.raises(ValidationFailed, match=message):
        services.milestone_record(user=users["admin"], project=project, kind=kind, actual_date=day)
    assert _m(project, kind).actual_date is None


def test_future_actual_date_refused(project: Project, users: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed, match="晚于今天"):
        services.milestone_record(
            user=users["admin"],
            project=project,
            kind="signed",
            actual_date=services.today() + dt.timedelta(days=1),
        )


def test_clearing_an_earlier_node_is_refused_while_later_ones_are_reached(
    project: Project, users: dict[str, Any]
) -> None:
    admin = users["admin"]
    services.milestone_record(user=admin, project=project, kind="signed", actual_date=D(2026, 1, 10))
    services.milestone_record(user=admin, project=project, kind="started", actual_date=D(2026, 3, 1))
    with pytest.raises(ValidationFailed, match="签约尚未完成"):
        services.milestone_record(user=admin, project=project, kind="signed", actual_date=None)


def test_operating_marks_the_project_and_it_turns_green(project: Project, users: dict[str, Any]) -> None:
    admin = users["admin"]
    for kind, day in (
        ("signed", D(2026, 1, 10)),
        ("started", D(2026, 3, 1)),
        ("registered", D(2026, 4, 1)),
        ("completed", D(2026, 9, 1)),
        ("operating", D(2026, 10, 8)),
    ):
        services.milestone_record(user=admin, project=project, kind=kind, actual_date=day)
    project.refresh_from_db()
    assert project.status == "operating" and project.colour == "green"
    with pytest.raises(InvalidTransition):
        services.project_update(user=admin, project=project, status="active")


def test_manual_plan_refused_for_rule_governed_node(project: Project, users: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed, match="时限规则"):
        services.milestone_plan(
            user=users["admin"], project=project, kind="started", planned_date=D(2027, 1, 1)
        )
    with pytest.raises(ValidationFailed, match="早于"):
        services.milestone_plan(
            user=users["admin"], project=project, kind="completed", planned_date=D(2026, 8, 1)
        )
    services.milestone_plan(
        user=users["admin"], project=project, kind="completed", planned_date=D(2027, 12, 31)
    )
    assert _m(project, "completed").planned_date == D(2027, 12, 31)


def test_stale_version_is_refused(project: Project, users: dict[str, Any]) -> None:
    stale = project.version
    services.project_update(user=users["admin"], project=project, version=stale, name="改名一")
    with pytest.raises(Conflict):
        services.project_update(user=users["admin"], project=project, version=stale, name="改名二")
    project.refresh_from_db()
    assert project.name == "改名一"


def test_duplicate_code_and_bad_investment_refused(
    project: Project, users: dict[str, Any], regions: dict[str, Any]
) -> None:
    with pytest.raises(ValidationFailed, match="已存在"):
        services.project_create(
            user=users["admin"], region=regions["jingmen"], code=project.code, name="另一个"
        )
    with pytest.raises(ValidationFailed, match="不是数字"):
        services.project_create(
            user=users["admin"], region=regions["jingmen"], code="X-1", name="另一个", investment="一千万"
        )
    assert Project.objects.count() == 1


@pytest.mark.parametrize("who", ["staff", "leader", "observer", "enterprise", "admin_jz"])
def test_writes_refused_for_non_admins(
    project: Project, users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any], who: str
) -> None:
    user = users[who]
    with pytest.raises(AccessDenied):
        services.project_create(user=user, region=regions["jingmen"], code="NEW-1", name="新项目")
    with pytest.raises(AccessDenied):
        services.project_update(user=user, project=project, name="改名")
    with pytest.raises(AccessDenied):
        services.milestone_record(user=user, project=project, kind="signed", actual_date=D(2026, 1, 10))
    with pytest.raises(AccessDenied):
        services.problem_raise(
            user=user,
            project=project,
            description="x",
            unit=units["jm_fgw"],
            due=services.today() + dt.timedelta(days=5),
        )
    with pytest.raises(AccessDenied):
        services.rule_set(
            user=user, region=regions["jingmen"], from_kind="signed", to_kind="started", limit_value=3
        )
    assert not Project.objects.filter(code="NEW-1").exists()


def test_problem_loop_unit_resolves_its_own_problem(
    other_project: Project, users: dict[str, Any], units: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import timezone

    # a working day: a problem raised on a Saturday has no working day elapsed yet (序时进度 0), so it lags
    # nothing and stays green until Monday; the test ran red on every Beijing weekend
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 12, 2))
    project = other_project  # no planned dates: green until the problem is raised
    assert project.colour == "green"
    due = services.today() + dt.timedelta(days=3)
    problem = services.problem_raise(
        user=users["admin"], project=project, description="施工许可办理缓慢", unit=units["jm_fgw"], due=due
    )
    project.refresh_from_db()
    assert project.colour == "yellow" and "施工许可办理缓慢" in project.colour_reason
    with pytest.raises(AccessDenied):
        services.problem_resolve(user=users["staff_other"], problem=problem, resolution="不是我们的")
    with pytest.raises(AccessDenied):
        services.problem_resolve(user=users["leader"], problem=problem, resolution="领导只读")
    services.problem_resolve(user=users["staff"], problem=problem, resolution="已协调审批局,施工许可已办结")
    problem.refresh_from_db()
    project.refresh_from_db()
    assert problem.status == "resolved" and problem.resolved_by == users["staff"]
    assert project.colour == "green"
    with pytest.raises(InvalidTransition):
        services.problem_resolve(user=users["admin"], problem=problem, resolution="再次")
    assert (
        AuditEvent.objects.filter(subject_type="projects.projectproblem", subject_id=str(problem.pk)).count()
        == 2
    )


def test_problem_due_in_the_past_refused(
    project: Project, users: dict[str, Any], units: dict[str, Any]
) -> None:
    with pytest.raises(ValidationFailed):
        services.problem_raise(
            user=users["admin"],
            project=project,
            description="x",
            unit=units["jm_fgw"],
            due=services.today() - dt.timedelta(days=1),
        )
    assert not ProjectProblem.objects.exists()


def test_region_rule_overrides_default_and_replans(
    project: Project, users: dict[str, Any], regions: dict[str, Any]
) -> None:
    services.rule_set(
        user=users["admin"],
        region=regions["jingmen"],
        from_kind="signed",
        to_kind="started",
        limit_value=3,
        limit_unit="months",
    )
    assert _m(project, "started").planned_date == D(2026, 4, 10)
    with pytest.raises(AccessDenied, match="默认时限规则"):
        services.rule_set(
            user=users["admin"], region=None, from_kind="signed", to_kind="started", limit_value=3
        )
    with pytest.raises(AccessDenied):
        services.rule_set(
            user=users["admin_jz"],
            region=regions["jingmen"],
            from_kind="signed",
            to_kind="started",
            limit_value=4,
        )
    assert MilestoneRule.objects.filter(region__isnull=True).count() == 2
    assert AuditEvent.objects.filter(action="project.rule_set").count() == 1


def test_working_day_rule_across_national_day(
    project: Project, users: dict[str, Any], regions: dict[str, Any]
) -> None:
    services.rule_set(
        user=users["admin"],
        region=regions["jingmen"],
        from_kind="signed",
        to_kind="started",
        limit_value=3,
        limit_unit="working_days",
    )
    services.milestone_record(user=users["admin"], project=project, kind="signed", actual_date=D(2026, 9, 30))
    assert _m(project, "started").planned_date == D(2026, 10, 10)  # 10-01..10-07 off, 10-10 a make-up day
