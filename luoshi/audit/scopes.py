"""Which audit events a user may read: the history of the objects the user may see, nothing else.

The audit app knows no other app. Each app declares ``audit_scope_module`` on its AppConfig
(``luoshi.core.discovery``); that module maps each of its subject types (``app_label.model``) to a function
giving the queryset of that type's rows the user may see, taken from the app's own access rules and selectors::

    SCOPES = {"supervision.task": visible_tasks, ...}
    def reads_trail(user) -> bool: ...     # optional: who may open the audit trail at all (accounts declares it)

so the trail can never show more than the pages do. A subject type no app scopes is shown to superusers only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from luoshi.core.discovery import declared_modules

Scope = Callable[[Any], QuerySet[Any]]


@functools.cache
def scopes() -> dict[str, Scope]:
    """Every declared subject type's scope (a type declared twice is a mistake, refused)."""
    out: dict[str, Scope] = {}
    for module in declared_modules("audit_scope_module"):
        for subject_type, scope in getattr(module, "SCOPES", {}).items():
            if subject_type in out:
                raise RuntimeError(f"audit scope for {subject_type!r} is declared twice")
            out[subject_type] = scope
    return out


def reads_trail(user: Any) -> bool:
    """Whether `user` may open the audit trail at all: a superuser, or a declared ``reads_trail`` says so."""
    if user is None or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    return any(
        module.reads_trail(user)
        for module in declared_modules("audit_scope_module")
        if hasattr(module, "reads_trail")
    )


def visible_q(user: Any) -> Q:
    """A filter on AuditEvent keeping the events about objects `user` may see."""
    q = Q(pk__in=[])
    for subject_type, scope in scopes().items():
        ids = scope(user).order_by().annotate(_audit_sid=Cast("pk", CharField())).values("_audit_sid")
        q |= Q(subject_type=subject_type, subject_id__in=ids)
    return q
