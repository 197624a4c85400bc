"""Reads of one's own notifications (nobody reads another person's)."""

from __future__ import annotations

from django.db.models import QuerySet

from luoshi.accounts.models import User
from luoshi.notifications.models import Channel, Notification, Preference


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, channel=Channel.IN_APP).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    """Unread in-app notifications; counted once per request (the nav badge and a home card share it: the
    user object lives as long as the request)."""
    cached = getattr(user, "_luoshi_unread", None)
    if isinstance(cached, int):
        return cached
    count = Notification.objects.filter(user=user, channel=Channel.IN_APP, read_at__isnull=True).count()
    user._luoshi_unread = count  # type: ignore[attr-defined]
    return count


def preference_of(user: User) -> Preference:
    return Preference.objects.filter(user=user).first() or Preference(user=user)
