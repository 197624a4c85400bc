"""History cannot be rewritten: REPLACE and TRUNCATE are refused, the application role cannot own the table, and
any alteration of a sealed row made by SQL is found by `luoshi audit verify` at the first broken link. Rows are
inserted unsealed (no lock on the write path) and chained by `seal()` in seal order (ADR 55)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection, transaction

from luoshi.audit import chain
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import app_role_grants, chain_verify, record, record_many, seal

pytestmark = pytest.mark.django_db
TABLE = AuditEvent._meta.db_table


def _some_events(users: dict[str, Any], units: dict[str, Any]) -> list[AuditEvent]:
    events = [
        record(
            actor=users["admin"],
            action="unit.renamed",
            subject=units["jm_fgw"],
            before={"n": 1.5},
            after={"n": 1e308},
        ),
        record(actor=None, action="unit.checked", subject=units["jm_jxj"], reason="夜间"),
    ]
    record_many(
        actor=users["admin"],
        action="unit.bulk",
        events=[(u, None, {"x": [1, 2]}, "") for u in units.values()],
    )
    events.append(
        record(actor=users["staff"], action="unit.last", subject=units["jz_fgw"], after={"k": "值"})
    )
    seal()
    return events


def test_every_row_is_chained_to_the_previous_one(users: dict[str, Any], units: dict[str, Any]) -> None:
    _some_events(users, units)
    rows = list(AuditEvent.objects.order_by("id"))
    assert [r.seal_seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(r.row_hash for r in rows)
    assert all(b.prev_hash == a.row_hash for a, b in itertools.pairwise(rows))
    result = chain_verify()
    assert result.ok and result.checked == len(rows)


def _alter(sql: str, params: list[Any]) -> None:
    """What an intruder with database access does: drop the guard, change the row, put the guard back."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE name IN ('audit_no_update', 'audit_no_delete')"
            )
            guards = [r[0] for r in cursor.fetchall()]
            assert len(guards) == 2
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER audit_no_delete")
            cursor.execute(sql, params)
            for guard in guards:
                cursor.execute(guard)
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


def test_verify_reports_an_altered_row(users: dict[str, Any], units: dict[str, Any]) -> None:
    events = _some_events(users, units)
    _alter(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["已篡改", events[1].pk])
    result = chain_verify()
    assert result.first_break == chain.Break(events[1].pk, "altered")
    assert "被改动" in result.first_break.describe()


def test_verify_reports_a_deleted_row(users: dict[str, Any], units: dict[str, Any]) -> None:
    events = _some_events(users, units)
    _alter(f"DELETE FROM {TABLE} WHERE id = %s", [events[1].pk])
    nxt = AuditEvent.objects.filter(pk__gt=events[1].pk).order_by("id").first()
    assert nxt is not None
    assert chain_verify().first_break == chain.Break(nxt.pk, "link")


def test_verify_command_passes_then_fails_after_sql(
    users: dict[str, Any], units: dict[str, Any], capsys: Any
) -> None:
    from luoshi.cli import main

    events = _some_events(users, units)
    assert main(["audit", "verify"]) == 0
    assert "审计链完整" in capsys.readouterr().out
    _alter(f"UPDATE {TABLE} SET after = NULL WHERE id = %s", [events[0].pk])
    assert main(["audit", "verify"]) == 1
    assert f"第 {events[0].pk} 号" in capsys.readouterr().err


def test_database_refuses_replace_and_truncate(users: dict[str, Any]) -> None:
    event = record(actor=None, action="x.happened", subject=users["admin"], reason="原文")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for verb in ("INSERT OR REPLACE INTO", "REPLACE INTO"):
                with pytest.raises(Exception, match="append-only"), transaction.atomic():
                    cursor.execute(
                        f"{verb} {TABLE} (id, at, actor_label, interface, action, subject_type, subject_id, "
                        "subject_label, reason) SELECT id, at, actor_label, interface, action, subject_type, "
                        f"subject_id, subject_label, '篡改' FROM {TABLE} WHERE id = %s",
                        [event.pk],
                    )
        else:
            with pytest.raises(Exception, match="append-only"), transaction.atomic():
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL luoshi.audit_truncate_guard = 'on'")
                cursor.execute(f"TRUNCATE {TABLE}")
            with pytest.raises(Exception, match="duplicate key"), transaction.atomic():
                cursor.execute(
                    f"INSERT INTO {TABLE} (id, at, actor_label, interface, action, subject_type, subject_id, "
                    "subject_label, reason) VALUES (%s, now(), 'x', 'x', 'x', 'x', 'x', 'x', '篡改')",
                    [event.pk],
                )
    assert AuditEvent.objects.get(pk=event.pk).reason == "原文"
    assert chain_verify().ok


def test_application_role_can_append_but_not_rewrite(users: dict[str, Any]) -> None:
    """PostgreSQL: the role the platform connects as (not the owner) may only read and append the trail. On SQLite
    there are no roles; the grants are still well-formed SQL naming the audit table."""
    grants = app_role_grants("luoshi_app")
    assert any("REVOKE UPDATE, DELETE, TRUNCATE" in g and TABLE in g for g in grants)
    if connection.vendor != "postgresql":
        with pytest.raises(ValueError):
            app_role_grants("x; DROP TABLE y")
        return
    role = "luoshi_audit_test_app"
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
        )
        for sql in app_role_grants(role):
            cursor.execute(sql)
        with transaction.atomic():
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"SET LOCAL ROLE {role}")
            record(actor=None, action="x.appended", subject=users["admin"])  # appending works
            assert seal().sealed >= 1  # and sealing (the periodic job runs as this role)
            for sql in (
                f"UPDATE {TABLE} SET reason = 'x'",
                f"DELETE FROM {TABLE}",
                f"TRUNCATE {TABLE}",
                f"ALTER TABLE {TABLE} DISABLE TRIGGER USER",
            ):
                with (
                    pytest.raises(Exception, match=r"permission denied|must be owner|append-only"),
                    transaction.atomic(),
                ):
                    cursor.execute(sql)
    assert AuditEvent.objects.filter(action="x.appended").exists()
    assert chain_verify().ok


def test_rows_are_unsealed_until_sealed_and_reported_as_such(users: dict[str, Any], units: dict[str, Any]) -> None:
    _some_events(users, units)
    late = record(actor=None, action="unit.late", subject=units["jm_fgw"])
    assert (late.seal_seq, late.row_hash) == (None, None)
    result = chain_verify()
    assert result.ok and result.unsealed == 1 and result.oldest_unsealed == late.at
    assert seal().sealed == 1 and seal().sealed == 0
    late.refresh_from_db()
    assert late.seal_seq == AuditEvent.objects.count() and late.row_hash
    assert chain_verify().ok and chain_verify().unsealed == 0


def test_a_row_committed_after_a_higher_id_was_sealed_joins_the_chain_later(users: dict[str, Any]) -> None:
    """PostgreSQL hands out ids at INSERT but transactions commit in any order: a row with a lower id can become
    visible after higher ones were sealed. The chain follows seal order, so it is sealed next, with no gap."""
    seal()  # whatever the fixtures recorded
    a = record(actor=None, action="x.first", subject=users["admin"])
    gap = a.pk + 1
    with connection.cursor() as cursor:  # leave id `gap` free, as an open transaction holding it would
        cursor.execute(
            f"INSERT INTO {TABLE} (id, at, actor_label, interface, action, subject_type, subject_id, "
            "subject_label, reason) VALUES (%s, %s, 'x', 'web', 'x.third', 'x', '1', 'x', '')",
            [gap + 1, a.at],
        )
    assert seal().sealed == 2
    with connection.cursor() as cursor:  # the slow transaction commits now
        cursor.execute(
            f"INSERT INTO {TABLE} (id, at, actor_label, interface, action, subject_type, subject_id, "
            "subject_label, reason) VALUES (%s, %s, 'x', 'web', 'x.second', 'x', '1', 'x', '')",
            [gap, a.at],
        )
    assert seal().sealed == 1
    order = list(AuditEvent.objects.order_by("-seal_seq").values_list("action", flat=True)[:3])
    assert order == ["x.second", "x.third", "x.first"]
    result = chain_verify()
    assert result.ok and result.checked == AuditEvent.objects.count() and result.unsealed == 0


def test_triggers_allow_only_sealing_an_unsealed_row(users: dict[str, Any]) -> None:
    """The one UPDATE the database accepts fills in the three seal columns of an unsealed row; a sealed row cannot
    be resealed, and sealing cannot change the content."""
    event = record(actor=None, action="x.happened", subject=users["admin"], reason="原文")
    bad = [
        f"UPDATE {TABLE} SET seal_seq = 99, prev_hash = 'a', row_hash = 'b', reason = '改' WHERE id = %s",
        f"UPDATE {TABLE} SET seal_seq = 99, prev_hash = 'a' WHERE id = %s",
    ]
    with connection.cursor() as cursor:
        for sql in bad:
            with pytest.raises(Exception, match="append-only"), transaction.atomic():
                cursor.execute(sql, [event.pk])
    seal()
    with connection.cursor() as cursor:
        for sql in (
            f"UPDATE {TABLE} SET row_hash = %s WHERE id = %s",
            f"UPDATE {TABLE} SET seal_seq = NULL, prev_hash = NULL, row_hash = NULL WHERE id = %s",
        ):
            params: list[Any] = [chain.GENESIS, event.pk] if "%s WHERE" in sql else [event.pk]
            with pytest.raises(Exception, match="append-only"), transaction.atomic():
                cursor.execute(sql, params)
    assert AuditEvent.objects.get(pk=event.pk).reason == "原文" and chain_verify().ok


def test_recording_takes_no_lock_and_writes_one_row(users: dict[str, Any]) -> None:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        record(actor=None, action="x.happened", subject=users["admin"])
    statements = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 1 and statements[0].startswith("INSERT"), statements


def test_the_periodic_job_seals(users: dict[str, Any]) -> None:
    from luoshi.audit.tasks import seal_audit_trail

    record(actor=None, action="x.happened", subject=users["admin"])
    assert seal_audit_trail.call_local() >= 1
    assert chain_verify().unsealed == 0 and chain_verify().ok
