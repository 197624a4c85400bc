"""What each role sees first. Each app contributes through its declared ``home_module``:
``cards_for(user) -> list[HomeCard]``, optionally ``charts_for(user) -> list[HomeChart]``, and — the accounts
app, which knows the roles — ``template_for(user) -> str | None`` (the page for that user's role). Kept out of
views so the API and tests can call it too; the kernel knows no app and no role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from luoshi.core.discovery import declared_modules

DEFAULT_TEMPLATE = "core/home_observer.html"


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


def home_cards(user: Any) -> list[HomeCard]:
    """Cards from each app declaring `home_module` (with `cards_for(user) -> list[HomeCard]`)."""
    cards: list[HomeCard] = []
    for module in declared_modules("home_module"):
        if hasattr(module, "cards_for"):
            cards.extend(module.cards_for(user))
    return cards


def home_charts(user: Any) -> list[HomeChart]:
    """Charts from each declared home module that has `charts_for(user) -> list[HomeChart]`."""
    charts: list[HomeChart] = []
    for module in declared_modules("home_module"):
        if hasattr(module, "charts_for"):
            charts.extend(module.charts_for(user))
    return charts


def home_template(user: Any) -> str:
    """The first declared home module's `template_for(user)` that names a page (accounts: one per role)."""
    for module in declared_modules("home_module"):
        template = module.template_for(user) if hasattr(module, "template_for") else None
        if template:
            return str(template)
    return DEFAULT_TEMPLATE
