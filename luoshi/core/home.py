"""What each role sees first. Each domain contributes cards through `home_cards`; kept out of views so the
API and tests can call it too."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from luoshi.accounts.models import Role, User


@dataclass(frozen=True)
class HomeCard:
    label: str
    value: str | int
    url: str = ""
    tone: str = ""  # "", "green", "yellow", "red"


HOME_TEMPLATES = {
    Role.ADMIN: "core/home_admin.html",
    Role.STAFF: "core/home_staff.html",
    Role.LEADER: "core/home_leader.html",
    Role.ENTERPRISE: "core/home_enterprise.html",
    Role.OBSERVER: "core/home_observer.html",
}

_CARD_PROVIDERS = (
    "luoshi.plans.home",
    "luoshi.supervision.home",
    "luoshi.requests.home",
    "luoshi.policies.home",
    "luoshi.projects.home",
)


def home_cards(user: User) -> list[HomeCard]:
    """Cards from each domain that has a `home` module with `cards_for(user) -> list[HomeCard]`."""
    cards: list[HomeCard] = []
    for name in _CARD_PROVIDERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        cards.extend(module.cards_for(user))
    return cards


def home_template(user: User) -> str:
    role = Role.ADMIN if user.is_superuser else Role(user.role)
    return HOME_TEMPLATES[role]
