"""Django admin goes through the services: audited, version token replaced, refusals surface."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from luoshi.audit.models import AuditEvent
from luoshi.calendar import services
from luoshi.calendar.models import HolidayCorrection

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(users: dict[str, Any]) -> Any:
    user = users["admin"]
    user.is_staff = True
    user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def test_admin_add_change_delete_go_through_services(superuser: Any) -> None:
    client = Client()
    client.force_login(superuser)
    response = client.post(
        "/admin/calendar/holidaycorrection/add/",
        {"date": "2026-10-12", "kind": "holiday", "name": "后台添加", "source": "测试"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = HolidayCorrection.objects.get()
    assert AuditEvent.objects.filter(action="calendar.correction_added", subject_id=str(row.pk)).exists()
    assert services.calendar_for().is_workday(dt.date(2026, 10, 12)).value is False

    response = client.post(
        f"/admin/calendar/holidaycorrection/{row.pk}/change/",
        {"kind": "workday", "name": "后台修改", "source": "测试"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="calendar.correction_changed").exists()
    assert services.calendar_for().is_workday(dt.date(2026, 10, 12)).value is True

    response = client.post(f"/admin/calendar/holidaycorrection/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not HolidayCorrection.objects.exists()
    assert AuditEvent.objects.filter(action="calendar.correction_removed").exists()


def test_admin_is_closed_to_non_staff(users: dict[str, Any]) -> None:
    client = Client()
    client.force_login(users["staff"])
    response = client.get("/admin/calendar/holidaycorrection/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
