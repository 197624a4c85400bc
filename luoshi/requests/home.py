"""Home-page cards of enterprise requests for each role."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.models import User
from luoshi.core.home import HomeCard
from luoshi.requests import access
from luoshi.requests.models import OPEN_STATUSES, RequestStatus


def cards_for(user: User) -> list[HomeCard]:
    index = reverse("requests:index")
    qs = access.visible_requests(user)
    today = timezone.localdate(timezone.now())
    if access.is_enterprise(user) or access.is_observer(user):
        return [
            HomeCard("我的诉求(办理中)", qs.filter(status__in=OPEN_STATUSES).count(), index),
            HomeCard(
                "待我评价",
                qs.filter(status=RequestStatus.COMPLETED).count(),
                f"{index}?status=completed",
                "yellow",
            ),
        ]
    if access.is_government(user) and not access.is_admin(user) and not access.is_leader(user):
        # one aggregate for both cards: the staff home page keeps a fixed, small number of queries
        counts = qs.aggregate(
            waiting=Count("pk", filter=Q(status=RequestStatus.ASSIGNED, lead_unit_id=user.unit_id), distinct=True),
            late=Count("pk", filter=Q(status=RequestStatus.IN_PROGRESS, due_on__lt=today), distinct=True),
        )
        waiting, late = counts["waiting"] or 0, counts["late"] or 0
        return [
            HomeCard("待签收诉求", waiting, f"{index}?status=assigned", "yellow" if waiting else ""),
            HomeCard("逾期未答复诉求", late, f"{index}?status=in_progress", "red" if late else ""),
        ]
    if access.is_admin(user) or access.is_leader(user):
        pending = qs.filter(status=RequestStatus.SUBMITTED).count()
        routing = qs.filter(status__in=[RequestStatus.ACCEPTED, RequestStatus.ESCALATED]).count()
        return [
            HomeCard("待审查诉求", pending, f"{index}?status=submitted", "yellow" if pending else ""),
            HomeCard("待分办诉求", routing, f"{index}?status=accepted"),
            HomeCard("问责清单", _accountability(user), reverse("requests:accountability")),
        ]
    return []


def _accountability(user: User) -> int:
    from luoshi.requests.selectors import accountability_list

    return accountability_list(user).count()
