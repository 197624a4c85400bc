"""Close the two ways around the append-only triggers of 0002 and add the tamper-evident hash chain.

- SQLite: `INSERT OR REPLACE` / `REPLACE INTO` deletes the old row without firing the delete trigger (recursive
  triggers are off), so a BEFORE INSERT trigger refuses any insert whose id already exists.
- PostgreSQL: a BEFORE TRUNCATE statement trigger refuses TRUNCATE, except in Django's throw-away test databases
  (named `test_*`), which the test runner empties with TRUNCATE (a test sets `luoshi.audit_truncate_guard = on` to
  check the guard). The application should also connect as a role that
  does not own the table (see `luoshi audit grant-app-role` and the audit README), so it can neither TRUNCATE nor
  disable the triggers.
- `prev_hash` / `row_hash` are nullable so the columns are added in place (SQLite would otherwise rebuild the table
  and drop its triggers); rows from before this migration have no hash and `luoshi audit verify` counts them apart.
"""

from django.db import migrations, models

SQLITE_UP = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_replace BEFORE INSERT ON audit_auditevent "
    "WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_auditevent WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_no_replace;"]

PG_UP = [
    """CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
    BEGIN
      IF current_database() LIKE 'test\\_%%'
         AND coalesce(current_setting('luoshi.audit_truncate_guard', true), '') <> 'on' THEN
        RETURN NULL;
      END IF;
      RAISE EXCEPTION 'audit trail is append-only';
    END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_refuse_truncate();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, null=True, verbose_name="上一条哈希"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(blank=True, max_length=64, null=True, verbose_name="哈希"),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        ),
    ]
