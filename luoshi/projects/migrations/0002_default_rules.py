"""The default milestone time limits from seed 003 (襄阳): 项目签约6个月内开工、开工2个月内入库.

Kept for history; the same rows are also seeded after every migrate and flush by `luoshi.projects.seeds`
(a flush would otherwise leave the database without them)."""

from django.db import migrations

DEFAULTS = [
    ("signed", "started", 6, "months", "襄阳市:项目签约6个月内开工"),
    ("started", "registered", 2, "months", "襄阳市:开工2个月内入库"),
]


def add_defaults(apps, schema_editor):
    MilestoneRule = apps.get_model("projects", "MilestoneRule")
    for from_kind, to_kind, value, unit, source in DEFAULTS:
        MilestoneRule.objects.get_or_create(
            region=None,
            to_kind=to_kind,
            defaults={
                "from_kind": from_kind,
                "limit_value": value,
                "limit_unit": unit,
                "source": source,
                "warn_working_days": 15,
            },
        )


def remove_defaults(apps, schema_editor):
    MilestoneRule = apps.get_model("projects", "MilestoneRule")
    for from_kind, to_kind, value, unit, _ in DEFAULTS:
        MilestoneRule.objects.filter(
            region=None, from_kind=from_kind, to_kind=to_kind, limit_value=value, limit_unit=unit
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
