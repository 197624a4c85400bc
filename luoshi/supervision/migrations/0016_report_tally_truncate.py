# PostgreSQL: a TRUNCATE of either report table fires no row or delete trigger, so the tally (ADR 0125) is rebuilt
# from both tables after it. SQLite has no TRUNCATE (its "DELETE FROM" fires the delete triggers).

import importlib

from django.db import migrations

tally = importlib.import_module("luoshi.supervision.migrations.0014_report_tally")


def truncate_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    month = "date_trunc('month', due_date)::date"
    rebuild = (
        f"DELETE FROM {tally.TALLY}; "
        f"INSERT INTO {tally.TALLY} (unit_id, month, shard, filed, on_time, missed) "
        "SELECT unit_id, month, shard, sum(f), sum(o), sum(m) FROM ("
        f"SELECT unit_id, {month} AS month, id % {tally.SHARDS} AS shard, 1 AS f, "
        f"CASE WHEN late THEN 0 ELSE 1 END AS o, 0 AS m FROM {tally.REPORTS} WHERE due_date IS NOT NULL "
        f"UNION ALL SELECT unit_id, {month}, id % {tally.SHARDS}, 0, 0, 1 FROM {tally.MISSED} "
        "WHERE resolved_at IS NULL) d GROUP BY unit_id, month, shard;"
    )
    schema_editor.execute(
        "CREATE FUNCTION supervision_tally_rebuild() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {rebuild} RETURN NULL; END $$",
        None,
    )
    for name, table in (("report", tally.REPORTS), ("missed", tally.MISSED)):
        schema_editor.execute(
            f"CREATE TRIGGER supervision_{name}_tally_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION supervision_tally_rebuild()",
            None,
        )


def drop_truncate_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table in (("report", tally.REPORTS), ("missed", tally.MISSED)):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS supervision_{name}_tally_truncate ON {table}", None)
    schema_editor.execute("DROP FUNCTION IF EXISTS supervision_tally_rebuild()", None)


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0015_missed_fk_unchecked"),
    ]

    operations = [migrations.RunPython(truncate_triggers, drop_truncate_triggers)]
