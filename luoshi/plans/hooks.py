"""The publish hook: plans emit it, downstream apps subscribe. Plans never import their subscribers.

``plan_published`` is sent inside ``plans.services.plan_publish``'s transaction with ``plan=`` (the
published plan, revision carried over from ``plan.previous``) and ``actor=``. Receivers return the objects
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


def emit_plan_published(*, plan: Plan, actor: User | None) -> list[Any]:
    """Send the hook (synchronously, errors propagate); returns every receiver's objects, concatenated."""
    out: list[Any] = []
    for _receiver, result in plan_published.send(sender=type(plan), plan=plan, actor=actor):
        out.extend(result or [])
    return out
