"""Which audit events a user may read: the history of the objects the user may see, nothing else.

Each subject type (`app_label.model`) maps to a function giving the queryset of that type's rows the user may see,
taken from the owning app's own access rules and selectors, so the trail can never show more than the pages do.
Administrators and leaders see their region subtree's objects; department staff see the history of their own
unit's objects (tasks assigned to the unit, its reports, the 督办单 sent to it, its projects and problems, the
unit itself). A subject type without a scope here is shown to superusers only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

if TYPE_CHECKING:
    from luoshi.accounts.models import User

Scope = Callable[["User"], QuerySet[Any]]


def _office_or_leader(user: User) -> bool:
    from luoshi.accounts.models import Role

    return user.role in (Role.ADMIN, Role.LEADER)


def _subtree(model_path: str, field: str = "region") -> Scope:
    def scope(user: User) -> QuerySet[Any]:
        from django.apps import apps

        from luoshi.accounts.access import region_subtree_q

        model = apps.get_model(model_path)
        if not _office_or_leader(user):
            return model.objects.none()
        return model.objects.filter(region_subtree_q(user, field))

    return scope


def _tasks(user: User) -> QuerySet[Any]:
    from luoshi.supervision.access import visible_tasks

    return visible_tasks(user)


def _reports(user: User) -> QuerySet[Any]:
    from luoshi.supervision.models import ProgressReport

    return ProgressReport.objects.filter(task__in=_tasks(user))


def _assignments(user: User) -> QuerySet[Any]:
    from luoshi.supervision.models import Assignment

    return Assignment.objects.filter(task__in=_tasks(user))


def _notices(user: User) -> QuerySet[Any]:
    from luoshi.supervision.selectors import notices_for

    return notices_for(user)


def _projects(user: User) -> QuerySet[Any]:
    from luoshi.projects.selectors import projects_for

    return projects_for(user)


def _problems(user: User) -> QuerySet[Any]:
    from luoshi.accounts.models import Role
    from luoshi.projects.models import ProjectProblem

    if user.role == Role.STAFF:
        return ProjectProblem.objects.filter(unit_id=user.unit_id or 0)
    return ProjectProblem.objects.filter(project__in=_projects(user))


def _units(user: User) -> QuerySet[Any]:
    from luoshi.accounts.access import region_subtree_q
    from luoshi.accounts.models import Role
    from luoshi.orgs.models import Unit

    if user.role == Role.STAFF:
        return Unit.objects.filter(pk=user.unit_id or 0)
    if not _office_or_leader(user):
        return Unit.objects.none()
    return Unit.objects.filter(region_subtree_q(user))


def _users(user: User) -> QuerySet[Any]:
    from luoshi.accounts.models import Role, User

    if user.role != Role.ADMIN or user.region is None:
        return User.objects.filter(pk=user.pk)
    from luoshi.accounts.access import subtree_q

    region = user.region
    return User.objects.filter(
        subtree_q(region, "region") | subtree_q(region, "unit__region") | subtree_q(region, "enterprise__region")
    )


def _tokens(user: User) -> QuerySet[Any]:
    from luoshi.accounts.models import ApiToken

    return ApiToken.objects.filter(user__in=_users(user))


def _measures(user: User) -> QuerySet[Any]:
    from luoshi.plans.models import Measure

    return Measure.objects.filter(plan__in=_subtree("plans.Plan")(user))


def _thresholds(user: User) -> QuerySet[Any]:
    from luoshi.supervision.models import WarningThresholds

    return WarningThresholds.objects.filter(plan__in=_subtree("plans.Plan")(user))


def _regions(user: User) -> QuerySet[Any]:
    from luoshi.orgs.models import Region

    if not _office_or_leader(user) or user.region is None:
        return Region.objects.none()
    from luoshi.accounts.access import region_subtree

    return region_subtree(user.region)


def _national(model_path: str) -> Scope:
    """National data (holiday corrections, State Council notices): its history is for the office."""

    def scope(user: User) -> QuerySet[Any]:
        from django.apps import apps

        from luoshi.accounts.models import Role

        model = apps.get_model(model_path)
        return model.objects.all() if user.role == Role.ADMIN else model.objects.none()

    return scope


SCOPES: dict[str, Scope] = {
    "supervision.task": _tasks,
    "supervision.progressreport": _reports,
    "supervision.assignment": _assignments,
    "supervision.supervisionnotice": _notices,
    "supervision.warningthresholds": _thresholds,
    "plans.plan": _subtree("plans.Plan"),
    "plans.measure": _measures,
    "plans.planimport": _subtree("plans.PlanImport"),
    "projects.project": _projects,
    "projects.projectproblem": _problems,
    "projects.milestonerule": _subtree("projects.MilestoneRule"),
    "orgs.unit": _units,
    "orgs.region": _regions,
    "orgs.enterprise": _subtree("orgs.Enterprise"),
    "accounts.user": _users,
    "accounts.apitoken": _tokens,
    "calendar.regionalholiday": _subtree("calendar.RegionalHoliday"),
    "calendar.holidaycorrection": _national("calendar.HolidayCorrection"),
    "calendar.calendarnotice": _national("calendar.CalendarNotice"),
}


def register(subject_type: str, scope: Scope) -> None:
    """Apps with new audited models (requests, policies ...) add their scope here from their AppConfig.ready()."""
    SCOPES[subject_type] = scope


def visible_q(user: User) -> Q:
    """A filter on AuditEvent keeping the events about objects `user` may see."""
    q = Q(pk__in=[])
    for subject_type, scope in SCOPES.items():
        ids = scope(user).order_by().annotate(_audit_sid=Cast("pk", CharField())).values("_audit_sid")
        q |= Q(subject_type=subject_type, subject_id__in=ids)
    return q
