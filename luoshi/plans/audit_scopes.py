"""Which plans rows' audit history a user may read (``audit_scope_module``; see ``luoshi.audit.scopes``):
office staff and leaders their region subtree's plans, measures and imports."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from luoshi.accounts.access import is_reader, region_subtree_q
from luoshi.plans.models import Measure, Plan, PlanImport


def _plans(user: Any) -> QuerySet[Any]:
    return Plan.objects.filter(region_subtree_q(user)) if is_reader(user) else Plan.objects.none()


def _measures(user: Any) -> QuerySet[Any]:
    return Measure.objects.filter(plan__in=_plans(user))


def _imports(user: Any) -> QuerySet[Any]:
    return PlanImport.objects.filter(region_subtree_q(user)) if is_reader(user) else PlanImport.objects.none()


SCOPES = {"plans.plan": _plans, "plans.measure": _measures, "plans.planimport": _imports}
