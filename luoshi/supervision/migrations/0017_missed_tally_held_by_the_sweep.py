# The sweep counts its own missed reports into the tally (ADR 0141): while it holds the tally, the missed reports'
# INSERT trigger (migration 0014) does nothing, and the sweep adds the rows its INSERT ... RETURNING gave back with
# one grouped upsert. Every other write, and every UPDATE / DELETE, goes through the triggers as before.
#
# - SQLite: a row of `supervision_tally_hold` (a table the application touches only there) held inside the sweep's
#   savepoint and deleted before it is released, so no other connection ever sees it committed (SQLite has one
#   writer at a time); the per-row trigger has `WHEN NOT EXISTS (SELECT 1 FROM supervision_tally_hold)`.
# - PostgreSQL: a transaction-local setting, `set_config('luoshi.missed_tally_held', 'on', true)`, seen only by the
#   sweep's own session and undone with its savepoint; the statement trigger's INSERT branch returns at once.
#
# A later migration that rebuilds the missed reports' table on SQLite (which drops its triggers) must make this
# INSERT trigger again: `make_insert_trigger` below, not 0014's.

import importlib

from django.db import migrations

tally = importlib.import_module("luoshi.supervision.migrations.0014_report_tally")

HOLD_TABLE = "supervision_tally_hold"
HOLD_SETTING = "luoshi.missed_tally_held"


def make_insert_trigger(schema_editor):
    """SQLite: the missed reports' INSERT trigger of 0014, idle while the sweep holds the tally."""
    add = tally._sqlite_add("new", "0", "0", "1", "new.resolved_at IS NULL")
    schema_editor.execute(
        f"CREATE TRIGGER supervision_missed_tally_insert AFTER INSERT ON {tally.MISSED} "
        f"WHEN NOT EXISTS (SELECT 1 FROM {HOLD_TABLE}) BEGIN {add} END",
        None,
    )


def _pg_function(held: bool) -> str:
    branches = " ".join(
        f"{'IF' if k == 0 else 'ELSIF'} TG_OP = '{op}' THEN {tally.UPSERT_PG.format(delta=delta)};"
        for k, (op, delta) in enumerate(
            tally._pg_deltas(tally.MISSED_ROW, tally.MISSED_KEY, "{t}.resolved_at IS NULL").items()
        )
    )
    hold = (
        f"IF TG_OP = 'INSERT' AND current_setting('{HOLD_SETTING}', true) = 'on' THEN RETURN NULL; END IF; "
        if held
        else ""
    )
    return (
        "CREATE OR REPLACE FUNCTION supervision_missed_tally() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {hold}{branches} END IF; RETURN NULL; END $$"
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_pg_function(held=True), None)
        return
    schema_editor.execute(f"CREATE TABLE {HOLD_TABLE} (id integer PRIMARY KEY)", None)
    schema_editor.execute("DROP TRIGGER IF EXISTS supervision_missed_tally_insert", None)
    make_insert_trigger(schema_editor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_pg_function(held=False), None)
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS supervision_missed_tally_insert", None)
    add = tally._sqlite_add("new", "0", "0", "1", "new.resolved_at IS NULL")
    schema_editor.execute(
        f"CREATE TRIGGER supervision_missed_tally_insert AFTER INSERT ON {tally.MISSED} BEGIN {add} END", None
    )
    schema_editor.execute(f"DROP TABLE IF EXISTS {HOLD_TABLE}", None)


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0016_report_tally_truncate"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
