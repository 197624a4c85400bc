"""Audit rows are inserted unsealed and hash-chained afterwards by the sealer (ADR 55), so appends no longer queue
behind a global lock.

- `seal_seq`: the row's place in the chain (sealing order), NULL until sealed. Added in place (nullable; the unique
  constraint is partial, so SQLite creates an index instead of rebuilding the table and dropping its triggers).
- The UPDATE guard now lets exactly one change through: an unsealed row (prev_hash, row_hash, seal_seq all NULL)
  getting all three set, every other column unchanged. Any other UPDATE, any UPDATE of a sealed row and every DELETE
  are still refused. SQLite lists the columns (a new audit column must be added to `_SQLITE_SAME`); PostgreSQL
  compares the whole row as jsonb minus the three seal columns.
- Rows chained before this migration (in id order) get `seal_seq = id`, which keeps their chain order; rows from
  before the chain existed (no hash) are sealed by the next `luoshi audit seal` like any new row.
"""

from django.conf import settings
from django.db import migrations, models

_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "interface",
    "action",
    "subject_type",
    "subject_id",
    "subject_label",
    "before",
    "after",
    "reason",
)
_SQLITE_SAME = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in _COLUMNS)
SQLITE_SEAL_ONLY = (
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent "
    "WHEN NOT (OLD.prev_hash IS NULL AND OLD.row_hash IS NULL AND OLD.seal_seq IS NULL "
    "AND NEW.prev_hash IS NOT NULL AND NEW.row_hash IS NOT NULL AND NEW.seal_seq IS NOT NULL "
    f"AND {_SQLITE_SAME}) "
    "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;"
)
SQLITE_STRICT = (
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;"
)
PG_SEAL_ONLY = """CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE'
         AND OLD.prev_hash IS NULL AND OLD.row_hash IS NULL AND OLD.seal_seq IS NULL
         AND NEW.prev_hash IS NOT NULL AND NEW.row_hash IS NOT NULL AND NEW.seal_seq IS NOT NULL
         AND (to_jsonb(NEW) - 'prev_hash' - 'row_hash' - 'seal_seq')
             = (to_jsonb(OLD) - 'prev_hash' - 'row_hash' - 'seal_seq') THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'audit trail is append-only';
    END; $$ LANGUAGE plpgsql;"""
PG_STRICT = """CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit trail is append-only'; END; $$ LANGUAGE plpgsql;"""
BACKFILL = "UPDATE audit_auditevent SET seal_seq = id WHERE row_hash IS NOT NULL AND seal_seq IS NULL"


def forwards(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "sqlite":
        run("DROP TRIGGER IF EXISTS audit_no_update")
        run(BACKFILL)
        run(SQLITE_SEAL_ONLY)
    elif schema_editor.connection.vendor == "postgresql":
        run(PG_STRICT.replace("RAISE EXCEPTION 'audit trail is append-only'", "RETURN NEW"))  # backfill window
        run(BACKFILL)
        run(PG_SEAL_ONLY)


def backwards(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "sqlite":
        run("DROP TRIGGER IF EXISTS audit_no_update")
        run(SQLITE_STRICT)
    elif schema_editor.connection.vendor == "postgresql":
        run(PG_STRICT)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_hash_chain_and_replace_truncate_guards"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seal_seq",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="封存序号"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("seal_seq__isnull", True)), fields=["id"], name="audit_unsealed"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("seal_seq__isnull", False)),
                fields=("seal_seq",),
                name="audit_seal_seq_unique",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
