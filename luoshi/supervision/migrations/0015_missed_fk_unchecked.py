# The missed reports keep no database foreign-key constraints (ADR 0125): the sweep inserts them from the active
# assignments themselves, and the deferred per-row checks of a first sweep's 66,000 rows cost 1.2-2 s at commit on
# PostgreSQL. CASCADE / PROTECT stay Django's.

import importlib

import django.db.models.deletion
from django.db import migrations, models

tally = importlib.import_module("luoshi.supervision.migrations.0014_report_tally")


def missed_triggers_again(apps, schema_editor):
    """SQLite altered the fields by rebuilding the table, which dropped its triggers: make them again."""
    if schema_editor.connection.vendor != "postgresql":
        for op in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS supervision_missed_tally_{op}", None)
        tally.make_triggers(schema_editor, ("missed",))


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0003_unit_leader"),
        ("supervision", "0014_report_tally"),
    ]

    operations = [
        migrations.AlterField(
            model_name="missedreport",
            name="assignment",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="missed",
                to="supervision.assignment",
            ),
        ),
        migrations.AlterField(
            model_name="missedreport",
            name="task",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="missed",
                to="supervision.task",
            ),
        ),
        migrations.AlterField(
            model_name="missedreport",
            name="unit",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.unit",
            ),
        ),
        migrations.RunPython(missed_triggers_again, migrations.RunPython.noop),
    ]
