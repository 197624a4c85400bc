"""Home-page cards for the project ledger."""

from __future__ import annotations

from django.urls import reverse

from luoshi.accounts.access import is_reader, is_staff_role
from luoshi.accounts.models import User
from luoshi.calendar.charts import colour_pie
from luoshi.core.home import HomeCard, HomeChart
from luoshi.projects import access, selectors


def cards_for(user: User) -> list[HomeCard]:
    if not access.can(user, "project.view"):
        return []
    url = reverse("projects:index")
    counts = selectors.colour_counts(selectors.projects_for(user))
    cards = [
        HomeCard("重大项目红灯", counts["red"], f"{url}?colour=red", "red" if counts["red"] else ""),
        HomeCard(
            "重大项目黄灯", counts["yellow"], f"{url}?colour=yellow", "yellow" if counts["yellow"] else ""
        ),
    ]
    if is_staff_role(user):
        open_problems = selectors.problems_for_unit(user).count()
        cards.append(HomeCard("待解决的项目问题", open_problems, url, "red" if open_problems else ""))
    return cards


def charts_for(user: User) -> list[HomeChart]:
    if not is_reader(user):
        return []
    counts = selectors.colour_counts(selectors.projects_for(user))
    return [colour_pie("project-colours", "重大项目红黄绿分布", counts)]
