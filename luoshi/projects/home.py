"""Home-page cards for the project ledger."""

from __future__ import annotations

from django.urls import reverse

from luoshi.accounts.models import Role, User
from luoshi.core.home import HomeCard, HomeChart, colour_pie
from luoshi.projects import selectors


def cards_for(user: User) -> list[HomeCard]:
    if not (user.is_superuser or user.role in (Role.ADMIN, Role.LEADER, Role.STAFF)):
        return []
    url = reverse("projects:index")
    counts = selectors.colour_counts(selectors.projects_for(user))
    cards = [
        HomeCard("重大项目红灯", counts["red"], f"{url}?colour=red", "red" if counts["red"] else ""),
        HomeCard(
            "重大项目黄灯", counts["yellow"], f"{url}?colour=yellow", "yellow" if counts["yellow"] else ""
        ),
    ]
    if user.role == Role.STAFF:
        open_problems = selectors.problems_for_unit(user).count()
        cards.append(HomeCard("待解决的项目问题", open_problems, url, "red" if open_problems else ""))
    return cards


def charts_for(user: User) -> list[HomeChart]:
    if not (user.is_superuser or user.role in (Role.ADMIN, Role.LEADER)):
        return []
    counts = selectors.colour_counts(selectors.projects_for(user))
    return [colour_pie("project-colours", "重大项目红黄绿分布", counts)]
