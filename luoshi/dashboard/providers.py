"""The provider contract: how a domain gives the dashboard its figures without the dashboard importing it.

A domain app ships a `metrics.py` module with `SOURCES: list[FigureSource]` and declares it as
`metrics_module` on its AppConfig (`luoshi.core.discovery`). The dashboard reads the declarations (`sources()`), asks each source for its tallies over a period (the nightly /
incremental refresh stores them in summary tables), and asks it for the records behind a number when a user
clicks one. Nothing in the dashboard names a domain model.

A source's `tally(period)` returns `Row`s for the rows *owned* by each region (the dashboard rolls them up
the region tree) and for each unit; optional `bucket`s split a figure (by plan, by channel, by colour …).
It must compute from dated facts (deadline, signed-off day, received day …) as of `period.end`, so the same
period always gives the same numbers. `records(user, …)` must read through the app's scoped selectors, so
a user never sees through the dashboard what the app would not show them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from luoshi.dashboard.engine import Period, Tally

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region, Unit

FigureKind = Literal["count", "rate", "sum", "mean"]


@dataclass(frozen=True)
class Row:
    tally: Tally
    region_id: int | None = None
    unit_id: int | None = None
    bucket: str = ""  # "" = the figure itself; else one category of it
    bucket_label: str = ""


@dataclass(frozen=True)
class RecordRow:
    cells: tuple[Any, ...]
    url: str = ""


@dataclass(frozen=True)
class RecordList:
    """The records a figure counts, as the user may see them (a page of them, with the full total)."""

    columns: tuple[str, ...]
    rows: list[RecordRow]
    total: int
    app_url: str = ""  # the domain's own list page, when it can show the same records


@dataclass(frozen=True)
class RecordQuery:
    region: Region | None
    unit: Unit | None
    period: Period
    bucket: str = ""
    offset: int = 0
    limit: int = 50


TallyFn = Callable[[Period], Iterable[Row]]
RecordsFn = Callable[["User | None", RecordQuery], RecordList]


@dataclass(frozen=True)
class Escalated:
    """What an escalation hook opened: the page to go to and the sentence that says what happened."""

    url: str
    done: str  # e.g. "已向荆门市发展和改革委员会发出督办单 荆门市营商督〔2026〕1号。"


EscalateFn = Callable[["User | None", "Unit", Period], Escalated]


@dataclass(frozen=True)
class FigureSource:
    key: str  # "<app>.<figure>", stable: stored in summaries, indicator definitions and ranking weights
    label: str  # 中文名称
    section: str  # cockpit section (督查督办, 重大项目, 企业诉求, 惠企政策)
    kind: FigureKind
    measure_unit: str  # "%", "件", "个", "万元", "分"
    tally: TallyFn
    records: RecordsFn
    higher_is_better: bool = True
    description: str = ""  # how it is computed, shown under the figure
    headline: bool = True  # shown as a cockpit card
    rankable: bool = False  # may take part in the composite ranking score (unit-level rates)
    bucket_chart: str = ""  # "bar" / "ring": draw the buckets as this chart
    escalate: EscalateFn | None = None  # a hook that opens a 督办 for a unit behind a weak figure
    stock: bool = True  # the tally depends on the period's last day only (False: on its first day too)
    # every record the tally counts belongs to one day by a dated field that is fixed once the day is over
    # (received on, due on): a quarter's or year's tally is then the sum of its months' (refresh adds them)
    additive: bool = False
    # the apps whose audited writes can change the tally (default: the source's own app, plus orgs and
    # plans, which restructure regions, units and tasks); the refresh recomputes a figure only when the
    # audit trail shows one of them written since it was last computed that day
    depends_on: tuple[str, ...] = ()
    order: int = 100
    extra: dict[str, Any] = field(default_factory=dict)


DEFAULT_DEPENDS_ON = ("orgs", "plans")


def depends_on(src: FigureSource) -> tuple[str, ...]:
    """The Django app labels (the first part of an audit event's `subject_type`) whose writes can change the
    figure. Discovery fills it in from the declaring app's label (`enterprise_requests` for the `requests.*`
    keys: a key's prefix is a name, not an app label); a source made by hand falls back to the app whose
    label or module name matches the key's prefix."""
    if src.depends_on:
        return src.depends_on
    from django.apps import apps

    prefix = src.key.split(".", 1)[0]
    label = next(
        (c.label for c in apps.get_app_configs() if c.label == prefix or c.name.endswith(f".{prefix}")),
        prefix,
    )
    return (label, *DEFAULT_DEPENDS_ON)


SECTION_ORDER = ("督查督办", "重大项目", "企业诉求", "惠企政策", "指标体系")


@cache
def _discover() -> tuple[FigureSource, ...]:
    from django.apps import apps

    from luoshi.core.discovery import declared

    labels = {c.label for c in apps.get_app_configs()}
    found: list[FigureSource] = []
    for cfg, module in declared("metrics_module"):  # a declared module that is missing fails loudly
        for src in module.SOURCES:
            # the audit trail names apps by label: default to the declaring app's, and check every name
            src = replace(src, depends_on=src.depends_on or (cfg.label, *DEFAULT_DEPENDS_ON))
            unknown = set(src.depends_on) - labels
            if unknown:
                raise RuntimeError(f"{src.key}: depends_on names no installed app label: {sorted(unknown)}")
            found.append(src)
    keys = [s.key for s in found]
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:
        raise RuntimeError(f"figure keys declared twice: {sorted(dupes)}")
    section = {s: i for i, s in enumerate(SECTION_ORDER)}
    return tuple(sorted(found, key=lambda s: (section.get(s.section, 99), s.order, s.key)))


def sources() -> tuple[FigureSource, ...]:
    return _discover()


def source(key: str) -> FigureSource | None:
    return next((s for s in _discover() if s.key == key), None)
