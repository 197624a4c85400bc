"""The two period indexes of requests widened so the monitoring tallies read them alone (ADR 0135).

The wider index is built before the narrower one it replaces is dropped, so no query runs without one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enterprise_requests", "0006_office_pending"),
        ("orgs", "0003_unit_leader"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                fields=["region", "received_at", "lead_unit", "channel", "category"], name="request_region_received"
            ),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                fields=["status", "due_on", "region", "lead_unit", "completed_at"], name="request_status_due"
            ),
        ),
        migrations.RemoveIndex(model_name="request", name="enterprise__region__90fe18_idx"),
        migrations.RemoveIndex(model_name="request", name="enterprise__status_fe422d_idx"),
    ]
