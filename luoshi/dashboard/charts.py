"""ECharts options built from the summary figures (plain data; the page draws them with the locally served
ECharts), each with the table behind it so the numbers are readable without the picture (and printable)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from luoshi.calendar.charts import COLOUR_HEX

if TYPE_CHECKING:
    from luoshi.dashboard.selectors import ChildRow, Figure, TrendRow


PALETTE = ["#2f6fb0", "#e07b39", "#3b9c6e", "#8e5bb5", "#c4475f", "#4aa3c7", "#9c8a3b", "#6b6b6b"]


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # bar / line / ring / calendar
    option: dict[str, Any]
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # per table row: the records behind it

    @property
    def script_id(self) -> str:
        return f"chart-data-{self.key}"

    @property
    def table(self) -> list[tuple[list[Any], str]]:
        return list(zip(self.rows, self.links or [""] * len(self.rows), strict=False))


def ring(key: str, title: str, fig: Figure) -> Chart:
    data = [
        {"name": b.label, "value": b.numerator, "itemStyle": {"color": COLOUR_HEX.get(b.bucket, "#888")}}
        for b in fig.buckets
    ]
    option = {
        "animation": False,
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"bottom": 0},
        "series": [
            {"type": "pie", "radius": ["42%", "70%"], "data": data, "label": {"formatter": "{b}\n{c}"}}
        ],
    }
    return Chart(
        key,
        title,
        "ring",
        option,
        ["状态", fig.measure_unit or "数量"],
        [[b.label, _n(b.numerator)] for b in fig.buckets],
        [b.url for b in fig.buckets],
    )


def bar(
    key: str, title: str, fig: Figure, prefix: str = "", *, horizontal: bool = False, limit: int = 12
) -> Chart:
    buckets = [b for b in fig.buckets if not prefix or b.bucket.startswith(prefix)][:limit]
    labels = [b.label[:18] for b in buckets]
    values = [b.value if b.value is not None else 0 for b in buckets]
    cat_axis = {
        "type": "category",
        "data": labels,
        "axisLabel": {"interval": 0, "overflow": "truncate", "width": 150},
    }
    val_axis = {"type": "value", "name": fig.measure_unit}
    option = {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "grid": {
            "left": 160 if horizontal else 50,
            "right": 30,
            "top": 30,
            "bottom": 60 if not horizontal else 30,
        },
        "xAxis": val_axis
        if horizontal
        else {**cat_axis, "axisLabel": {"interval": 0, "rotate": 30, "width": 90, "overflow": "truncate"}},
        "yAxis": cat_axis if horizontal else val_axis,
        "series": [
            {
                "type": "bar",
                "data": values,
                "itemStyle": {"color": PALETTE[0]},
                "label": {"show": True, "position": "right" if horizontal else "top"},
            }
        ],
    }
    return Chart(
        key,
        title,
        "bar",
        option,
        ["分类", f"{fig.label}({fig.measure_unit})"],
        [[b.label, _n(b.value)] for b in buckets],
        [b.url for b in buckets],
    )


def completion(key: str, title: str, fig: Figure, prefix: str, limit: int = 10) -> Chart:
    """Due vs signed off on time per plan (or section): two bars a row, the rate in the table."""
    buckets = [b for b in fig.buckets if b.bucket.startswith(prefix)][:limit]
    labels = [b.label[:16] for b in buckets]
    option = {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 170, "right": 30, "top": 20, "bottom": 40},
        "xAxis": {"type": "value", "name": "项"},
        "yAxis": {"type": "category", "data": labels, "axisLabel": {"width": 160, "overflow": "truncate"}},
        "series": [
            {
                "type": "bar",
                "name": "到期任务",
                "data": [b.denominator or 0 for b in buckets],
                "itemStyle": {"color": PALETTE[0]},
                "label": {"show": True, "position": "right"},
            },
            {
                "type": "bar",
                "name": "按期销号",
                "data": [b.numerator for b in buckets],
                "itemStyle": {"color": COLOUR_HEX["green"]},
                "label": {"show": True, "position": "right"},
            },
        ],
    }
    return Chart(
        key,
        title,
        "bar",
        option,
        ["方案", "到期任务", "按期销号", "按期完成率(%)"],
        [[b.label, _n(b.denominator), _n(b.numerator), _n(b.value)] for b in buckets],
        [b.url for b in buckets],
    )


def line(key: str, title: str, rows: list[TrendRow], series: Sequence[tuple[str, str]]) -> Chart:
    labels = [r.period.label() for r in rows]
    option = {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 50, "right": 30, "top": 30, "bottom": 60},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "name": "%"},
        "series": [
            {
                "type": "line",
                "name": name,
                "data": [r.values.get(k) for r in rows],
                "connectNulls": True,
                "symbolSize": 8,
                "itemStyle": {"color": PALETTE[i % len(PALETTE)]},
            }
            for i, (k, name) in enumerate(series)
        ],
    }
    return Chart(
        key,
        title,
        "line",
        option,
        ["期间", *[n for _, n in series]],
        [[r.period.label(), *[_n(r.values.get(k)) for k, _ in series]] for r in rows],
    )


def calendar(key: str, title: str, fig: Figure, year: int) -> Chart:
    days = [(b.bucket.split(":", 1)[1], b.numerator) for b in fig.buckets if b.bucket.startswith("day:")]
    days = [(d, n) for d, n in days if d.startswith(str(year))]
    top = max((n for _, n in days), default=1) or 1
    option = {
        "animation": False,
        "tooltip": {"formatter": "{c}"},
        "visualMap": {
            "min": 0,
            "max": top,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "inRange": {"color": ["#fde7e7", "#cf222e"]},
            "calculable": False,
        },
        "calendar": {
            "range": str(year),
            "top": 40,
            "left": 40,
            "right": 20,
            "cellSize": ["auto", 16],
            "dayLabel": {"nameMap": "ZH", "firstDay": 1},
            "monthLabel": {"nameMap": "ZH"},
            "yearLabel": {"show": False},
        },
        "series": [{"type": "heatmap", "coordinateSystem": "calendar", "data": [[d, n] for d, n in days]}],
    }
    by_month: dict[str, float] = {}
    for d, n in days:
        by_month[d[:7]] = by_month.get(d[:7], 0) + n
    return Chart(
        key,
        title,
        "calendar",
        option,
        ["月份", "新增逾期(项)"],
        [[m, _n(n)] for m, n in sorted(by_month.items())],
    )


def children_bar(key: str, title: str, rows: list[ChildRow], fig_key: str, label: str) -> Chart | None:
    data = [(r.name, r.figures[fig_key].value, r.url) for r in rows if fig_key in r.figures]
    if not data:
        return None
    option = {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 50, "right": 20, "top": 30, "bottom": 70},
        "xAxis": {
            "type": "category",
            "data": [d[0] for d in data],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {"type": "value", "name": "%"},
        "series": [
            {
                "type": "bar",
                "data": [d[1] for d in data],
                "itemStyle": {"color": PALETTE[2]},
                "label": {"show": True, "position": "top"},
            }
        ],
    }
    return Chart(
        key, title, "bar", option, ["区域", label], [[d[0], _n(d[1])] for d in data], [d[2] for d in data]
    )


def _n(v: float | None) -> Any:
    if v is None:
        return "—"
    return int(v) if float(v).is_integer() else round(v, 1)


def cockpit_charts(
    figures: list[Figure], trend_rows: list[TrendRow], children: list[ChildRow]
) -> list[Chart]:
    by_key = {f.key: f for f in figures}
    out: list[Chart] = []
    if (f := by_key.get("supervision.colour")) and f.buckets:
        out.append(ring("task-colours", "督办任务红黄绿", f))
    if (f := by_key.get("supervision.on_time_rate")) and any(b.bucket.startswith("plan:") for b in f.buckets):
        out.append(completion("plan-on-time", "各方案到期任务与按期销号", f, "plan:"))
    if (f := by_key.get("supervision.overdue")) and any(
        b.bucket.startswith("section:") and b.numerator for b in f.buckets
    ):
        f2 = f
        f2.buckets = sorted(f.buckets, key=lambda b: -(b.numerator or 0))
        out.append(bar("section-overdue", "逾期任务按章节分布", f2, "section:", horizontal=True, limit=10))
    if (f := by_key.get("projects.by_stage")) and f.buckets:
        out.append(bar("project-stages", "重大项目节点分布", f))
    if (f := by_key.get("projects.colour")) and f.buckets:
        out.append(ring("project-colours", "重大项目红黄绿", f))
    for key in ("requests.by_channel", "requests.by_category", "policies.reach"):
        if (f := by_key.get(key)) and f.buckets:
            out.append(bar(key.replace(".", "-"), f.label, f))
    series = [
        (k, by_key[k].label)
        for k in (
            "supervision.on_time_rate",
            "supervision.report_timeliness",
            "projects.milestone_on_time",
            "requests.on_time_rate",
        )
        if k in by_key
    ]
    if trend_rows and any(r.values for r in trend_rows):
        out.append(line("trend", "主要比率走势", trend_rows, series))
    if (f := by_key.get("supervision.overdue_days")) and f.buckets:
        year = max(b.bucket[4:8] for b in f.buckets if b.bucket.startswith("day:"))
        out.append(calendar("overdue-calendar", f"逾期发生日历({year}年)", f, int(year)))
    if children:
        c = children_bar(
            "children-on-time", "下级区域按期完成率", children, "supervision.on_time_rate", "按期完成率(%)"
        )
        if c is not None and any(r[1] != "—" for r in c.rows):
            out.append(c)
    return out
