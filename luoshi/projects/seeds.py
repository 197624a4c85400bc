"""Rows the platform needs in every database, seeded idempotently after every ``migrate`` (and after every
test-database flush, which Django follows with ``post_migrate``): the default milestone time limits from seed
003 (襄阳): 项目签约6个月内开工、开工2个月内入库.

A data migration alone is not enough: a transactional flush (TRUNCATE on PostgreSQL, DELETE on SQLite) empties
every table and does not run migrations again, so rows seeded only by a migration vanish for whatever runs next.
A default an office has changed (``rule_set``) is never overwritten: rows are matched on ``(region=None, to_kind)``.
"""

from __future__ import annotations

from typing import Any

DEFAULT_RULES: list[tuple[str, str, int, str, str]] = [
    ("signed", "started", 6, "months", "襄阳市:项目签约6个月内开工"),
    ("started", "registered", 2, "months", "襄阳市:开工2个月内入库"),
]
DEFAULT_WARN_WORKING_DAYS = 15


def ensure_default_rules(rule_model: Any, using: str = "default") -> int:
    """Create the national default rules that are missing; returns how many were created. `rule_model` is
    ``MilestoneRule`` or its historical version (from a migration or ``post_migrate``'s ``apps``)."""
    created = 0
    for from_kind, to_kind, value, unit, source in DEFAULT_RULES:
        _, made = rule_model.objects.using(using).get_or_create(
            region=None,
            to_kind=to_kind,
            defaults={
                "from_kind": from_kind,
                "limit_value": value,
                "limit_unit": unit,
                "source": source,
                "warn_working_days": DEFAULT_WARN_WORKING_DAYS,
            },
        )
        created += made
    return created


def seed_after_migrate(sender: Any, using: str = "default", apps: Any = None, **kwargs: Any) -> None:
    """``post_migrate`` receiver (connected by ``ProjectsConfig.ready``)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    try:
        model = apps.get_model("projects", "MilestoneRule")
    except LookupError:  # migrating backwards past the table
        return
    ensure_default_rules(model, using=using)
