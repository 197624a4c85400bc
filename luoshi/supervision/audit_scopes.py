"""Which supervision rows' audit history a user may read (declared as ``audit_scope_module``; see
``luoshi.audit.scopes``): the rows the user may see on supervision's own pages, nothing more."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from luoshi.accounts.access import is_reader, region_subtree_q
from luoshi.supervision.access import visible_tasks
from luoshi.supervision.models import Assignment, ProgressReport, WarningThresholds


def _reports(user: Any) -> QuerySet[Any]:
    return ProgressReport.objects.filter(task__in=visible_tasks(user))


def _assignments(user: Any) -> QuerySet[Any]:
    return Assignment.objects.filter(task__in=visible_tasks(user))


def _notices(user: Any) -> QuerySet[Any]:
    from luoshi.supervision.selectors import notices_for

    return notices_for(user)


def _thresholds(user: Any) -> QuerySet[Any]:
    if not is_reader(user):
        return WarningThresholds.objects.none()
    return WarningThresholds.objects.filter(region_subtree_q(user, "plan__region"))


SCOPES = {
    "supervision.task": visible_tasks,
    "supervision.progressreport": _reports,
    "supervision.assignment": _assignments,
    "supervision.supervisionnotice": _notices,
    "supervision.warningthresholds": _thresholds,
}
