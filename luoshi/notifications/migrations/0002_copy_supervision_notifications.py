"""Move every notification from the old supervision table into the generic one, keeping ids, event keys,
delivery and read state. A task's notifications get the task as their subject."""

from django.db import migrations

KIND_LABELS = {
    "reminder": "催办:即将到期",
    "missed": "催办:未按期报送",
    "colour": "预警变化",
    "notice": "督办单",
    "returned": "销号退回",
    "signed_off": "已销号",
    "sign_off_request": "申请销号待审核",
    "assigned": "任务分配",
    "escalated": "督办到期仍未整改(通报)",
    "instruction": "领导批示",
    "proposal": "建议督办",
}

FIELDS = (
    "id",
    "user_id",
    "kind",
    "channel",
    "event_key",
    "title",
    "body",
    "url",
    "task_id",
    "created_at",
    "sent_at",
    "attempts",
    "last_error",
    "read_at",
)


def copy(apps, schema_editor):
    Old = apps.get_model("supervision", "Notification")
    New = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Task = apps.get_model("supervision", "Task")
    if not Old.objects.exists():
        return
    task_type, _ = ContentType.objects.get_or_create(app_label="supervision", model="task")
    titles = dict(Task.objects.values_list("id", "title"))
    batch = []
    for row in Old.objects.order_by("id").values_list(*FIELDS).iterator(chunk_size=5000):
        values = dict(zip(FIELDS, row, strict=True))
        task_id = values.pop("task_id")
        batch.append(
            New(
                **values,
                kind_label=KIND_LABELS.get(values["kind"], ""),
                subject_type_id=task_type.pk if task_id else None,
                subject_id=str(task_id) if task_id else "",
                subject_label=titles.get(task_id, "")[:300] if task_id else "",
            )
        )
        if len(batch) >= 2000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('notifications_notification', 'id'), "
                "COALESCE((SELECT MAX(id) FROM notifications_notification), 1))"
            )


def copy_back(apps, schema_editor):
    Old = apps.get_model("supervision", "Notification")
    New = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    task_type = ContentType.objects.filter(app_label="supervision", model="task").first()
    batch = []
    for n in New.objects.order_by("id").iterator(chunk_size=5000):
        is_task = task_type is not None and n.subject_type_id == task_type.pk and n.subject_id.isdigit()
        batch.append(
            Old(
                id=n.id,
                user_id=n.user_id,
                kind=n.kind[:20],
                channel=n.channel,
                event_key=n.event_key,
                title=n.title,
                body=n.body,
                url=n.url,
                task_id=int(n.subject_id) if is_task else None,
                created_at=n.created_at,
                sent_at=n.sent_at,
                attempts=n.attempts,
                last_error=n.last_error,
                read_at=n.read_at,
            )
        )
    Old.objects.bulk_create(batch, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_notification_preference"),
        ("supervision", "0008_task_colour_key"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(copy, copy_back)]
