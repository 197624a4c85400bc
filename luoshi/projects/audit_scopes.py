"""Which major-project rows' audit history a user may read (``audit_scope_module``; see
``luoshi.audit.scopes``): the projects the user may see, their problems (unit staff: their unit's problems),
and the milestone rules of the office's region subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from luoshi.accounts.access import is_reader, is_unit_staff, region_subtree_q
from luoshi.projects.access import visible_projects
from luoshi.projects.models import MilestoneRule, ProjectProblem


def _problems(user: Any) -> QuerySet[Any]:
    if is_unit_staff(user):
        return ProjectProblem.objects.filter(unit_id=user.unit_id or 0)
    return ProjectProblem.objects.filter(project__in=visible_projects(user))


def _rules(user: Any) -> QuerySet[Any]:
    return MilestoneRule.objects.filter(region_subtree_q(user)) if is_reader(user) else MilestoneRule.objects.none()


SCOPES = {
    "projects.project": visible_projects,
    "projects.projectproblem": _problems,
    "projects.milestonerule": _rules,
}
