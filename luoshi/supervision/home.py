"""Cards for the home page of each role."""

from __future__ import annotations

from django.urls import reverse

from luoshi.accounts.access import is_leader, is_office_admin, is_reader, is_unit_staff
from luoshi.accounts.models import User
from luoshi.calendar.charts import colour_pie
from luoshi.core.home import HomeCard, HomeChart
from luoshi.notifications.selectors import unread_count
from luoshi.supervision import selectors
from luoshi.supervision.models import NoticeStatus, TaskStatus


def cards_for(user: User) -> list[HomeCard]:
    ledger = reverse("supervision:index")
    if is_unit_staff(user):
        total, due = selectors.my_task_counts(user)
        counts = selectors.colour_counts(user)
        return [
            HomeCard("本单位在办任务", total, reverse("supervision:my_tasks")),
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
        if is_leader(user):
            screen = selectors.leader_screen(user)
            waiting = len(screen.escalated) + screen.coordination_total
            cards.insert(
                0,
                HomeCard(
                    "需要您协调的事项",
                    waiting,
                    reverse("supervision:overview"),
                    "red" if screen.escalated else "",
                ),
            )
            cards.insert(
                1,
                HomeCard(
                    "超期任务",
                    screen.overdue_total,
                    reverse("supervision:overview") + "#longest-overdue",
                    "red",
                ),
            )
        if is_office_admin(user):
            from luoshi.supervision.services.escalation import notice_proposals

            unassigned = selectors.unassigned_tasks(user).count()
            proposed = sum(len(p.tasks) for p in notice_proposals(user))
            cards.insert(
                0,
                HomeCard(
                    "未指定责任单位",
                    unassigned,
                    reverse("supervision:proposals") + "#unassigned",
                    "yellow" if unassigned else "",
                ),
            )
            cards.insert(
                1, HomeCard("建议督办", proposed, reverse("supervision:proposals"), "red" if proposed else "")
            )
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
