from typing import Any

import pytest
from django.db import connection, transaction

from luoshi.audit.models import AppendOnlyError, AuditEvent
from luoshi.audit.selectors import events_for
from luoshi.audit.services import record
from luoshi.core.interface import Interface, interface

pytestmark = pytest.mark.django_db


def test_record_keeps_who_what_and_interface(users: dict[str, Any], units: dict[str, Any]) -> None:
    unit = units["jm_fgw"]
    with interface(Interface.API):
        record(
            actor=users["admin"],
            action="unit.renamed",
            subject=unit,
            before={"name": "旧"},
            after={"name": unit.name},
            reason="更正全称",
        )
    event = events_for(unit).get()
    assert (event.actor_label, event.interface, event.action) == ("admin", "api", "unit.renamed")
    assert event.before == {"name": "旧"} and event.after == {"name": unit.name}
    assert event.subject_type == "orgs.unit" and event.subject_id == str(unit.pk)


def test_application_cannot_edit_or_delete(users: dict[str, Any]) -> None:
    event = record(actor=None, action="x.happened", subject=users["admin"])
    assert event.actor_label == "系统"
    event.reason = "篡改"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="篡改")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_database_refuses_raw_update_and_delete(users: dict[str, Any]) -> None:
    event = record(actor=None, action="x.happened", subject=users["admin"])
    table = AuditEvent._meta.db_table
    for sql in (f"UPDATE {table} SET reason = 'x' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, reason="").exists()


def test_audit_page_is_for_admins_leaders_and_staff(client: Any, users: dict[str, Any]) -> None:
    for username, status in (("admin", 200), ("leader", 200), ("staff", 200), ("enterprise", 403)):
        client.force_login(users[username])
        assert client.get("/audit/").status_code == status, username


def test_record_many_writes_the_same_fields_as_record(users: dict[str, Any], units: dict[str, Any]) -> None:
    from luoshi.audit.services import record_many

    subjects = [units["jm_fgw"], units["jm_jxj"]]
    with interface(Interface.JOB):
        n = record_many(
            actor=None,
            action="unit.checked",
            events=[(u, {"colour": "green"}, {"colour": "红"}, f"原因{i}") for i, u in enumerate(subjects)],
        )
    assert n == 2
    rows = list(AuditEvent.objects.filter(action="unit.checked").order_by("id"))
    assert [(e.subject_type, e.subject_id, e.subject_label) for e in rows] == [
        ("orgs.unit", str(u.pk), u.name) for u in subjects
    ]
    assert (
        rows[0].before == {"colour": "green"}
        and rows[0].after == {"colour": "红"}
        and rows[1].reason == "原因1"
    )
    assert rows[0].actor_label == "系统" and rows[0].interface == "job" and rows[0].at is not None
    assert list(events_for(units["jm_jxj"]).filter(action="unit.checked")) == [rows[1]]


def test_record_rows_writes_what_record_many_writes(users: dict[str, Any], units: dict[str, Any]) -> None:
    """The plain-tuple form the daily sweep uses stores exactly the rows `record_many` stores (shared dicts
    serialised once, a fresh dict per row, None, text kept human-readable)."""
    from luoshi.audit.services import record_many, record_rows
    from luoshi.orgs.models import Unit

    subjects = [units["jm_fgw"], units["jm_jxj"], units["jm_fgw"]]
    red = {"colour": "红"}
    items = [(subjects[0], {"colour": "green"}, red, "原因0"), (subjects[1], None, red, "原因1"), (subjects[2], red, {"colour": ""}, "")]
    fields = ("actor_id", "actor_label", "interface", "subject_type", "subject_id", "subject_label", "before", "after", "reason")
    with interface(Interface.JOB):
        assert record_many(actor=users["admin"], action="unit.many", events=items) == 3
        n = record_rows(
            actor=users["admin"],
            action="unit.rows",
            model=Unit,
            rows=[(u.pk, u.name, before, after, why) for u, before, after, why in items],
        )
    assert n == 3
    many = list(AuditEvent.objects.filter(action="unit.many").order_by("id").values_list(*fields))
    rows = list(AuditEvent.objects.filter(action="unit.rows").order_by("id").values_list(*fields))
    assert rows == many and rows[1][6] is None and rows[0][7] == {"colour": "红"}
    raw = AuditEvent.objects.filter(action="unit.rows").order_by("id").values_list("after", flat=True)
    assert raw[0] == {"colour": "红"}  # stored as readable JSON (ensure_ascii off), read back equal
