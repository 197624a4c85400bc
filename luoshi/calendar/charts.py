"""The red/yellow/green pie leaders expect of a warning sweep, for any app's home charts (the one ``Colour``)."""

from __future__ import annotations

from luoshi.calendar.deadlines import Colour
from luoshi.core.home import HomeChart

COLOUR_HEX: dict[str, str] = {Colour.GREEN: "#1a7f37", Colour.YELLOW: "#d4a72c", Colour.RED: "#cf222e"}


def colour_pie(key: str, title: str, counts: dict[str, int]) -> HomeChart:
    """An ECharts pie of `counts` by colour value ("green", "yellow", "red")."""
    data = [
        {"name": Colour(colour).label, "value": counts.get(colour, 0), "itemStyle": {"color": hex_}}
        for colour, hex_ in COLOUR_HEX.items()
    ]
    option = {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"bottom": 0},
        "series": [
            {"type": "pie", "radius": ["40%", "68%"], "data": data, "label": {"formatter": "{b}\n{c}"}}
        ],
    }
    return HomeChart(key=key, title=title, option=option)
