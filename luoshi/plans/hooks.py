"""The publish hook: plans emit it, downstream apps subscribe. Plans never import their subscribers.

``plan_published`` is sent inside ``plans.services.plan_publish``'s transaction with ``plan=`` (the
published plan), ``actor=`` and ``matches=`` — ``{measure id: previous revision's measure id}`` from the one
measure matching (``plans.diff.match_measures``) that the revision diff shows the reviewer, so what the
reviewer saw as "changed" keeps its task, reports and history. Receivers return the objects
they created or kept (supervision: the plan's tasks) and raise a DomainError to refuse the publish (the
transaction rolls back). Subscribe in ``AppConfig.ready()``::

    plan_published.connect(on_plan_published, dispatch_uid="supervision.tasks_sync_from_plan")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import Signal

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.plans.models import Plan

plan_published = Signal()


def revision_matches(plan: Plan) -> dict[int, int]:
    """{measure id of `plan`: the matched measure id of the revision it revises} (empty for a first version)."""
    from luoshi.plans.diff import match_measures
    from luoshi.plans.models import Measure
    from luoshi.plans.selectors import measure_snapshot

    if plan.previous_id is None:
        return {}
    old = [measure_snapshot(m) for m in Measure.objects.filter(plan_id=plan.previous_id).order_by("seq")]
    new = [measure_snapshot(m) for m in Measure.objects.filter(plan=plan).order_by("seq")]
    return {int(new[j].key): int(old[i].key) for j, (i, _score) in match_measures(old, new).items()}


def emit_plan_published(*, plan: Plan, actor: User | None) -> list[Any]:
    """Send the hook (synchronously, errors propagate); returns every receiver's objects, concatenated."""
    out: list[Any] = []
    matches = revision_matches(plan)
    for _receiver, result in plan_published.send(sender=type(plan), plan=plan, actor=actor, matches=matches):
        out.extend(result or [])
    return out
