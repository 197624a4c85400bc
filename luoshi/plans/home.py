"""Cards the plans domain puts on each role's home page."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from luoshi.accounts.access import is_leader, is_office_admin, is_unit_staff, region_subtree_q
from luoshi.accounts.models import User
from luoshi.core.home import HomeCard
from luoshi.plans.models import Measure, Plan, PlanStatus


def cards_for(user: User) -> list[HomeCard]:
    url = reverse("plans:index")
    plans = Plan.objects.filter(region_subtree_q(user))
    if is_office_admin(user):
        drafts = plans.filter(status=PlanStatus.DRAFT).count()
        return [
            HomeCard("待审核方案", drafts, url, "yellow" if drafts else ""),
            HomeCard("已发布方案", plans.filter(status=PlanStatus.PUBLISHED).count(), url),
        ]
    if is_leader(user):
        published = plans.filter(status=PlanStatus.PUBLISHED)
        return [
            HomeCard("已发布方案", published.count(), url),
            HomeCard("方案举措", Measure.objects.filter(plan__in=published).count(), url),
        ]
    if is_unit_staff(user) and user.unit_id is not None:
        mine = (
            Measure.objects.filter(plan__status=PlanStatus.PUBLISHED)
            .filter(Q(lead_units=user.unit_id) | Q(co_units=user.unit_id))
            .distinct()
            .count()
        )
        return [HomeCard("本单位承担的方案举措", mine, url)]
    return []
