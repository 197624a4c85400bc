"""Test order independence at its root: a transactional test ends with Django's flush (TRUNCATE on PostgreSQL,
DELETE on SQLite), which empties every table but is followed by ``post_migrate``. Rows every database needs are
seeded by ``post_migrate`` receivers, and the audit delete guard is re-armed there, so whatever runs after a
transactional test finds the same database a fresh ``migrate`` leaves."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.projects.models import MilestoneRule
from luoshi.projects.seeds import DEFAULT_RULES


def _defaults() -> set[tuple[str, str]]:
    return set(MilestoneRule.objects.filter(region=None).values_list("from_kind", "to_kind"))


def _any_rule() -> MilestoneRule:
    rule = MilestoneRule.objects.first()
    assert rule is not None
    return rule


def _flush_like_a_transactional_test() -> None:
    """What TransactionTestCase._fixture_teardown does (with the permit conftest grants before it on SQLite)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO audit_purge_permit (id) VALUES (1)")
    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=False)


def _guard_refuses_delete(event: AuditEvent) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [event.pk])
    except Exception as exc:
        return "append-only" in str(exc)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_flush_keeps_the_seeded_rows_and_the_audit_guard(users: dict[str, Any]) -> None:
    assert _defaults() == {(f, t) for f, t, *_ in DEFAULT_RULES}
    record(actor=None, action="x.happened", subject=users["admin"])

    _flush_like_a_transactional_test()

    assert _defaults() == {(f, t) for f, t, *_ in DEFAULT_RULES}, "the flush deleted the default milestone rules"
    event = record(actor=None, action="x.happened", subject=_any_rule())
    assert _guard_refuses_delete(event), "the audit delete guard is disarmed after a flush"


@pytest.mark.django_db(transaction=True)
def test_transactional_test_one_leaves_the_house_clean() -> None:
    """With the next test: run in either order, after a transactional test's flush."""
    record(actor=None, action="x.happened", subject=_any_rule())
    MilestoneRule.objects.all().delete()
    assert not _defaults()


@pytest.mark.django_db(transaction=True)
def test_transactional_test_two_finds_the_defaults_and_the_guard() -> None:
    assert _defaults() == {(f, t) for f, t, *_ in DEFAULT_RULES}
    assert _guard_refuses_delete(record(actor=None, action="x.happened", subject=_any_rule()))


@pytest.mark.django_db
def test_a_plain_test_after_transactional_ones_finds_them_too() -> None:
    assert _defaults() == {(f, t) for f, t, *_ in DEFAULT_RULES}
    assert _guard_refuses_delete(record(actor=None, action="x.happened", subject=_any_rule()))


def test_ensure_default_rules_is_idempotent(db: Any) -> None:
    from luoshi.projects.seeds import ensure_default_rules

    assert ensure_default_rules(MilestoneRule) == 0
    MilestoneRule.objects.filter(region=None, to_kind="registered").update(limit_value=9)  # an office's change
    MilestoneRule.objects.filter(region=None, to_kind="started").delete()
    assert ensure_default_rules(MilestoneRule) == 1
    assert ensure_default_rules(MilestoneRule) == 0
    assert MilestoneRule.objects.get(region=None, to_kind="registered").limit_value == 9
