"""Database-level guarantee that the audit trail is append-only, on SQLite and PostgreSQL.

PostgreSQL: row triggers refuse UPDATE and DELETE; TRUNCATE (a DBA's retention purge, Django's test flush) is not a row
operation and stays possible for the database owner.
"""

from django.db import migrations

# SQLite has no TRUNCATE, so a database administrator's retention purge (and Django's test-database flush) needs a
# permit: a row in audit_purge_permit, a table the application never touches. UPDATE is refused unconditionally.
SQLITE_UP = [
    "CREATE TABLE audit_purge_permit (id integer PRIMARY KEY);",
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditevent "
    "WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit) "
    "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_no_update;",
    "DROP TRIGGER IF EXISTS audit_no_delete;",
    "DROP TABLE IF EXISTS audit_purge_permit;",
]

PG_UP = [
    """CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit trail is append-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS audit_no_update ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_refuse_change();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        ),
    ]
