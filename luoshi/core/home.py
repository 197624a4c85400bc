"""What each role sees first. Each domain contributes cards through `home_cards`; kept out of views so the
API and tests can call it too."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from luoshi.accounts.models import Role, User
from luoshi.calendar.deadlines import Colour
from luoshi.core.discovery import declared_modules


@dataclass(frozen=True)
class HomeCard:
    label: str
    value: str | int
    url: str = ""
    tone: str = ""  # "", "green", "yellow", "red"


@dataclass(frozen=True)
class HomeChart:
    """A chart drawn with Apache ECharts; `option` is the ECharts option object, plain data built by a domain."""

    key: str
    title: str
    option: dict[str, Any] = field(default_factory=dict)


COLOUR_HEX = {"green": "#1a7f37", "yellow": "#d4a72c", "red": "#cf222e"}


def colour_pie(key: str, title: str, counts: dict[str, int]) -> HomeChart:
    """A red/yellow/green pie, the picture leaders expect of a warning sweep."""
    data = [
        {"name": Colour(c).label, "value": counts.get(c, 0), "itemStyle": {"color": COLOUR_HEX[c]}}
        for c in ("green", "yellow", "red")
    ]
    option = {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"bottom": 0},
        "series": [
            {"type": "pie", "radius": ["40%", "68%"], "data": data, "label": {"formatter": "{b}\n{c}"}}
        ],
    }
    return HomeChart(key=key, title=title, option=option)


HOME_TEMPLATES = {
    Role.ADMIN: "core/home_admin.html",
    Role.STAFF: "core/home_staff.html",
    Role.LEADER: "core/home_leader.html",
    Role.ENTERPRISE: "core/home_enterprise.html",
    Role.OBSERVER: "core/home_observer.html",
}

def home_cards(user: User) -> list[HomeCard]:
    """Cards from each app declaring `home_module` (with `cards_for(user) -> list[HomeCard]`)."""
    cards: list[HomeCard] = []
    for module in declared_modules("home_module"):
        cards.extend(module.cards_for(user))
    return cards


def home_charts(user: User) -> list[HomeChart]:
    """Charts from each declared home module that has `charts_for(user) -> list[HomeChart]`."""
    charts: list[HomeChart] = []
    for module in declared_modules("home_module"):
        if hasattr(module, "charts_for"):
            charts.extend(module.charts_for(user))
    return charts


def home_template(user: User) -> str:
    role = Role.ADMIN if user.is_superuser else Role(user.role)
    return HOME_TEMPLATES[role]
