"""Two covering indexes for the monitoring tallies of requests (ADR 0135): received in a period / due in a period,
each grouped by region, lead unit and (received) channel and category, read from the index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("enterprise_requests", "0006_office_pending")]

    operations = [
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                fields=["received_at", "region", "lead_unit", "channel", "category"], name="request_received_tally"
            ),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(fields=["due_on", "region", "lead_unit", "completed_at"], name="request_due_tally"),
        ),
    ]
