"""Cards for the home page of each role."""

from __future__ import annotations

from django.urls import reverse

from luoshi.accounts.access import is_office_admin, is_reader, is_unit_staff
from luoshi.accounts.models import User
from luoshi.core.home import HomeCard, HomeChart, colour_pie
from luoshi.notifications.selectors import unread_count
from luoshi.supervision import selectors
from luoshi.supervision.models import NoticeStatus, TaskStatus


def cards_for(user: User) -> list[HomeCard]:
    ledger = reverse("supervision:index")
    if is_unit_staff(user):
        items = selectors.my_tasks(user)
        due = sum(1 for i in items if not i.reported)
        counts = selectors.colour_counts(user)
        return [
            HomeCard("本单位在办任务", len(items), reverse("supervision:my_tasks")),
            HomeCard("本期待报送进展", due, reverse("supervision:my_tasks"), "yellow" if due else ""),
            HomeCard(
                "红灯任务", counts.get("red", 0), f"{ledger}?colour=red", "red" if counts.get("red") else ""
            ),
            HomeCard(
                "待回复督办单",
                selectors.notices_for(user).filter(status=NoticeStatus.ISSUED).count(),
                reverse("supervision:notices"),
            ),
            HomeCard("未读通知", unread_count(user), reverse("notifications:index")),
        ]
    if is_reader(user):
        counts = selectors.colour_counts(user)
        cards = [
            HomeCard("绿灯任务", counts.get("green", 0), f"{ledger}?colour=green", "green"),
            HomeCard("黄灯任务", counts.get("yellow", 0), f"{ledger}?colour=yellow", "yellow"),
            HomeCard("红灯任务", counts.get("red", 0), f"{ledger}?colour=red", "red"),
        ]
        if is_office_admin(user):
            pending = selectors.visible_tasks(user).filter(status=TaskStatus.SIGN_OFF_REQUESTED).count()
            cards.append(
                HomeCard(
                    "待审核销号", pending, f"{ledger}?status=sign_off_requested", "yellow" if pending else ""
                )
            )
            cards.append(
                HomeCard("未读通知", unread_count(user), reverse("notifications:index"))
            )
        return cards
    return []


def charts_for(user: User) -> list[HomeChart]:
    """Office and leaders: the colours of every task they may see."""
    if not is_reader(user):
        return []
    return [colour_pie("task-colours", "督办任务红黄绿分布", selectors.colour_counts(user))]
