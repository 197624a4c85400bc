"""Notify anyone about any subject: once per event, per-user channels, read on click, the nav badge, the
daily digest."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from luoshi.notifications import selectors, services
from luoshi.notifications.models import Notification

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_any_subject_once_per_event(users: dict[str, Any], regions: dict[str, Any]) -> None:
    region = regions["jingmen"]  # any model instance can be the subject
    n = services.notify(
        users=[users["enterprise"]],
        kind="request.answered",
        kind_label="诉求已答复",
        key="request:1:answered",
        title="您的诉求已答复",
        url="/requests/1/",
        subject=region,
    )
    assert n == 1
    assert (
        services.notify(
            users=[users["enterprise"]], kind="request.answered", key="request:1:answered", title="again"
        )
        == 0
    )
    row = Notification.objects.get()
    assert row.subject == region and row.subject_label == str(region) and row.kind_label == "诉求已答复"
    # a label and a url instead of a row
    services.notify(
        users=[users["leader"]],
        kind="dashboard.alert",
        key="k2",
        title="t",
        subject_label="三月营商环境指数",
        url="/dashboard/",
    )
    assert Notification.objects.get(user=users["leader"]).subject_type is None


def test_unit_members_and_users_each_once(users: dict[str, Any], units: dict[str, Any]) -> None:
    staff = users["staff"]
    n = services.notify(units=[units["jm_fgw"]], users=[staff], kind="x", key="k", title="t")
    assert n == 1 and Notification.objects.filter(user=staff).count() == 1


def test_channel_preferences(users: dict[str, Any], units: dict[str, Any]) -> None:
    staff = users["staff"]
    staff.email, staff.phone = "s@example.org", "13800000000"
    staff.save()
    services.set_preference(user=staff, email=False, sms=False, daily_digest=False)
    services.notify(units=[units["jm_fgw"]], kind="x", key="k", title="t", sms=True)
    assert list(Notification.objects.values_list("channel", flat=True)) == ["in_app"]  # in-app is always on
    services.set_preference(user=staff, email=True, sms=True, daily_digest=False)
    services.notify(units=[units["jm_fgw"]], kind="x", key="k2", title="t", sms=True)
    assert sorted(
        Notification.objects.filter(event_key__startswith="k2").values_list("channel", flat=True)
    ) == ["email", "in_app", "sms"]


def test_daily_digest_sends_one_mail(users: dict[str, Any], settings: Any) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    staff = users["staff"]
    staff.email = "s@example.org"
    staff.save()
    services.set_preference(user=staff, email=True, sms=True, daily_digest=True)
    for i in range(3):
        services.notify(users=[staff], kind="x", key=f"d{i}", title=f"事项{i}")
    assert services.deliver_pending() == {"sent": 0, "failed": 0}  # kept for the digest
    mail.outbox.clear()
    assert services.send_digests() == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 1 and "事项0" in mail.outbox[0].body and "事项2" in mail.outbox[0].body
    assert services.send_digests() == {"sent": 0, "failed": 0}  # never twice


def test_click_marks_read_and_badge_counts(users: dict[str, Any]) -> None:
    staff, other = users["staff"], users["staff_other"]
    services.notify(users=[staff], kind="x", key="a", title="甲事项", url="/supervision/")
    services.notify(users=[other], kind="x", key="b", title="乙事项")
    client = client_for(staff)
    page = client.get("/notifications/").content.decode()
    assert "甲事项" in page and "乙事项" not in page
    assert 'aria-label="1 条未读"' in page  # the nav badge
    mine = Notification.objects.get(user=staff)
    response = client.get(f"/notifications/{mine.pk}/")
    assert response.status_code == 302 and response["Location"] == "/supervision/"
    assert selectors.unread_count(staff) == 0
    assert 'aria-label="1 条未读"' not in client.get("/notifications/").content.decode()
    # another person's notification: not found, stays unread
    theirs = Notification.objects.get(user=other)
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert selectors.unread_count(other) == 1


def test_preferences_page(users: dict[str, Any]) -> None:
    client = client_for(users["enterprise"])
    client.post("/notifications/preferences/", {"email": "on", "daily_digest": "on"})
    pref = selectors.preference_of(users["enterprise"])
    assert (pref.email, pref.sms, pref.daily_digest) == (True, False, True)
