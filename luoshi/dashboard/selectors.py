"""Scoped reads of the monitoring dashboard. Headline figures come from the summary table
(`FigureSnapshot`, a few dozen rows per page); only the record lists behind a number go to the domain, and
then through the domain's own scoped selectors (`FigureSource.records`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from luoshi.accounts.access import region_ancestor_ids, region_contains, region_subtree_ids
from luoshi.accounts.models import User
from luoshi.calendar import targets
from luoshi.core.errors import ValidationFailed
from luoshi.dashboard import access, charts, engine, providers
from luoshi.dashboard.engine import Period
from luoshi.dashboard.errors import DashboardError
from luoshi.dashboard.models import FigureSnapshot, Indicator, IndicatorValue, RankingWeights, RefreshRun
from luoshi.orgs.models import Region, Unit, UnitKind


def query_string(params: Mapping[str, Any]) -> str:
    return urlencode({k: str(v) for k, v in params.items()})


KIND_LABEL = {"week": "周", "month": "月", "quarter": "季", "year": "年"}


def period_of(kind: str = "", text: str = "", today: dt.date | None = None) -> Period:
    kind = kind or "month"
    if kind not in engine.PERIOD_KINDS:
        raise ValidationFailed(f"统计周期“{kind}”无效,应为:周、月、季、年(week/month/quarter/year)。", code=DashboardError.PERIOD_INVALID)
    if not text:
        return engine.period_containing(kind, today or timezone.localdate())
    try:
        return engine.parse_period(kind, text)
    except ValueError as exc:
        raise ValidationFailed(str(exc), code=DashboardError.PERIOD_INVALID) from exc


@dataclass
class Bucket:
    bucket: str
    label: str
    value: float | None
    numerator: float
    url: str
    denominator: float | None = None


@dataclass
class Figure:
    key: str
    label: str
    section: str
    kind: str
    measure_unit: str
    description: str
    value: float | None
    numerator: float
    denominator: float | None
    url: str
    higher_is_better: bool = True
    previous: float | None = None
    buckets: list[Bucket] = field(default_factory=list)
    headline: bool = True
    bucket_chart: str = ""
    escalate: bool = False

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 1)

    @property
    def movement(self) -> str:
        """'better' / 'worse' / '' since the previous period."""
        d = self.delta
        if not d:
            return ""
        return "better" if (d > 0) == self.higher_is_better else "worse"

    def display(self) -> str:
        if self.value is None:
            return "—"
        v = self.value
        text = f"{v:,.1f}" if self.kind in ("rate", "mean") or v != int(v) else f"{int(v):,}"
        return text

    @property
    def fraction(self) -> str:
        if self.kind == "rate" and self.denominator is not None:
            return f"{self.numerator:g} / {self.denominator:g}"
        return ""


def records_url(
    key: str, period: Period, region: Region | None = None, unit: Unit | None = None, bucket: str = ""
) -> str:
    # built by hand, not with reverse() + urlencode per figure: a rankings page makes tens of thousands
    text = f"{_records_base(key)}?kind={period.kind}&period={period.key}"
    if region is not None:
        text += f"&region={region.pk}"
    if unit is not None:
        text += f"&unit={unit.pk}"
    if bucket:
        text += f"&bucket={quote(bucket)}"
    return text


def _unit_url(pk: int) -> str:
    return _unit_base().replace("/0/", f"/{pk}/")


@lru_cache(maxsize=1)
def _unit_base() -> str:
    return reverse("dashboard:unit", args=[0])


@lru_cache(maxsize=256)
def _records_base(key: str) -> str:
    return reverse("dashboard:records", args=[key])


@dataclass(frozen=True, slots=True)
class Snap:
    """One summary row as the pages read it (plain tuples from the database, no model instances)."""

    key: str
    bucket: str
    bucket_label: str
    region_id: int | None
    unit_id: int | None
    numerator: float
    denominator: float | None
    value: float | None


SNAP_FIELDS = ("key", "bucket", "bucket_label", "region_id", "unit_id", "numerator", "denominator", "value")


def _snapshots(
    period: Period,
    *,
    region_ids: list[int] | None = None,
    unit_ids: list[int] | None = None,
    keys: set[str] | None = None,
) -> list[Snap]:
    qs = FigureSnapshot.objects.filter(period_kind=period.kind, period_start=period.start)
    if region_ids is not None:
        qs = qs.filter(region_id__in=region_ids)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    if keys is not None:
        qs = qs.filter(key__in=keys)
    return [Snap(*row) for row in qs.values_list(*SNAP_FIELDS)]


def _figures(
    period: Period,
    rows: list[Snap],
    previous: list[Snap],
    region: Region | None,
    unit: Unit | None,
    keys: set[str] | None = None,
) -> list[Figure]:
    by_key: dict[str, dict[str, Snap]] = defaultdict(dict)
    for s in rows:
        by_key[s.key][s.bucket] = s
    prev = {s.key: s.value for s in previous if s.bucket == ""}
    out = []
    for src in providers.sources():
        if keys is not None and src.key not in keys:
            continue
        snaps = by_key.get(src.key, {})
        head = snaps.get("")
        fig = Figure(
            key=src.key,
            label=src.label,
            section=src.section,
            kind=src.kind,
            measure_unit=src.measure_unit,
            description=src.description,
            value=head.value if head else (None if src.kind in ("rate", "mean") else 0),
            numerator=head.numerator if head else 0,
            denominator=head.denominator if head else None,
            url=records_url(src.key, period, region, unit),
            higher_is_better=src.higher_is_better,
            previous=prev.get(src.key),
            headline=src.headline,
            bucket_chart=src.bucket_chart,
            escalate=src.escalate is not None,
        )
        buckets = [s for b, s in snaps.items() if b]
        if src.bucket_chart == "ring":
            order = {"green": 0, "yellow": 1, "red": 2}
            buckets.sort(key=lambda s: order.get(s.bucket, 9))
        elif src.bucket_chart != "calendar":
            buckets.sort(key=lambda s: s.bucket)
        fig.buckets = [
            Bucket(
                s.bucket,
                s.bucket_label or s.bucket,
                s.value,
                s.numerator,
                records_url(src.key, period, region, unit, s.bucket),
                s.denominator,
            )
            for s in buckets
        ]
        wanted_order: list[str] = list(src.extra.get("bucket_order") or [])
        if wanted_order:
            fig.buckets.sort(key=lambda b: wanted_order.index(b.bucket) if b.bucket in wanted_order else 99)
        out.append(fig)
    return out


def _calendar_of_year(figures: list[Figure], period: Period, region: Region) -> None:
    """The heat calendar always shows the whole year of the period (from the year's snapshot)."""
    year = engine.period_containing("year", period.start)
    for f in figures:
        if f.bucket_chart == "calendar":
            rows = FigureSnapshot.objects.filter(
                key=f.key, period_kind="year", period_start=year.start, region=region
            ).exclude(bucket="")
            f.buckets = [
                Bucket(s.bucket, s.bucket_label, s.value, s.numerator, records_url(f.key, year, region))
                for s in rows.order_by("bucket")
            ]


def last_refresh() -> RefreshRun | None:
    return RefreshRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


@dataclass
class ChildRow:
    name: str
    url: str
    figures: dict[str, Figure]
    is_unit: bool = False
    score: float | None = None
    nothing_due: bool = False


@dataclass
class Cockpit:
    region: Region
    period: Period
    previous: Period
    figures: list[Figure]
    sections: list[tuple[str, list[Figure]]]
    children: list[ChildRow]
    units: list[ChildRow]
    charts: list[charts.Chart]
    refreshed: RefreshRun | None
    columns: list[providers.FigureSource]
    ancestors: list[Region]
    computed: bool

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)


TABLE_KEYS = (
    "supervision.on_time_rate",
    "supervision.overdue",
    "supervision.report_timeliness",
    "projects.milestone_on_time",
    "requests.on_time_rate",
    "requests.satisfaction",
    "policies.granted",
)


def _columns() -> list[providers.FigureSource]:
    known = {s.key: s for s in providers.sources()}
    return [known[k] for k in TABLE_KEYS if k in known]


def _ancestors(region: Region, user: User | None) -> list[Region]:
    ids = region_ancestor_ids(region)[:-1]
    rows = {r.pk: r for r in Region.objects.filter(pk__in=ids)}
    out = [rows[i] for i in ids if i in rows]
    if user is not None and not user.is_superuser and user.region is not None:
        out = [r for r in out if r.path.startswith(user.region.path)]
    return out


def cockpit(
    user: User | None, region_id: int | None = None, kind: str = "", period_text: str = ""
) -> Cockpit:
    region = access.region_for(user, region_id)
    period = period_of(kind, period_text)
    prev = engine.previous_period(period)
    children = list(Region.objects.filter(parent=region).order_by("code"))
    units = list(
        Unit.objects.filter(region=region, is_active=True).exclude(kind=UnitKind.COLLECTIVE).order_by("name")
    )
    rows = _snapshots(period, region_ids=[region.pk, *[c.pk for c in children]])
    own = [s for s in rows if s.region_id == region.pk]
    previous = _snapshots(prev, region_ids=[region.pk])
    figures = _figures(period, own, previous, region, None)
    _calendar_of_year(figures, period, region)
    child_rows = []
    for c in children:
        figs = {f.key: f for f in _figures(period, [s for s in rows if s.region_id == c.pk], [], c, None)}
        child_rows.append(
            ChildRow(
                c.name,
                f"{reverse('dashboard:index')}?{query_string({'region': c.pk, 'kind': period.kind, 'period': period.key})}",
                figs,
            )
        )
    unit_snaps = _snapshots(period, unit_ids=[u.pk for u in units])
    weights = current_weights_cached()
    unit_rows = []
    for u in units:
        mine = [s for s in unit_snaps if s.unit_id == u.pk]
        figs = {f.key: f for f in _figures(period, mine, [], None, u)}
        score = _score(figs, weights)
        unit_rows.append(
            ChildRow(
                u.name,
                f"{reverse('dashboard:unit', args=[u.pk])}?{query_string({'kind': period.kind, 'period': period.key})}",
                figs,
                True,
                score.score,
                score.score is None,
            )
        )
    unit_rows = [
        r for r in unit_rows if any(f.numerator or f.denominator for f in r.figures.values())
    ] or unit_rows[:0]
    sections: dict[str, list[Figure]] = defaultdict(list)
    for f in figures:
        if f.headline:
            sections[f.section].append(f)
    trend_rows = trend(user, region.pk, period.kind, 12, end=period)
    return Cockpit(
        region=region,
        period=period,
        previous=prev,
        figures=figures,
        sections=list(sections.items()),
        children=child_rows,
        units=unit_rows,
        charts=charts.cockpit_charts(figures, trend_rows, child_rows),
        refreshed=last_refresh(),
        columns=_columns(),
        ancestors=_ancestors(region, user),
        computed=bool(own),
    )


@dataclass
class UnitView:
    unit: Unit
    period: Period
    figures: list[Figure]
    score: engine.Score
    labels: dict[str, str]
    computed: bool
    indicators: list[IndicatorValue]


def unit_view(user: User | None, unit_id: int, kind: str = "", period_text: str = "") -> UnitView:
    unit = access.unit_for(user, unit_id)
    period = period_of(kind, period_text)
    rows = _snapshots(period, unit_ids=[unit.pk])
    prev = _snapshots(engine.previous_period(period), unit_ids=[unit.pk])
    figures = [f for f in _figures(period, rows, prev, None, unit) if any(s.key == f.key for s in rows)]
    score = _score({f.key: f for f in figures}, current_weights_cached())
    led = (
        IndicatorValue.objects.filter(indicator__lead_unit=unit)
        .select_related("indicator", "region")
        .order_by("-period_start")[:20]
    )
    return UnitView(
        unit, period, figures, score, {s.key: s.label for s in providers.sources()}, bool(rows), list(led)
    )


# --- records behind a number ---------------------------------------------------------------------------------
@dataclass
class Records:
    source: providers.FigureSource
    region: Region | None
    unit: Unit | None
    period: Period
    bucket: str
    bucket_label: str
    listing: providers.RecordList
    page: int
    pages: int
    counted: float | None  # the number the summary shows for this scope


def records(
    user: User | None,
    key: str,
    *,
    region_id: int | None = None,
    unit_id: int | None = None,
    bucket: str = "",
    kind: str = "",
    period_text: str = "",
    page: int = 1,
    per_page: int = 50,
) -> Records:
    src = providers.source(key)
    if src is None:
        from luoshi.core.errors import NotFound

        raise NotFound("未找到该监测指标。", code=DashboardError.INDICATOR_NOT_FOUND)
    unit = access.unit_for(user, unit_id) if unit_id else None
    region = None if unit is not None else access.region_for(user, region_id)
    period = period_of(kind, period_text)
    page = max(1, page)
    listing = src.records(
        user, providers.RecordQuery(region, unit, period, bucket, (page - 1) * per_page, per_page)
    )
    snap = FigureSnapshot.objects.filter(
        key=key,
        bucket=bucket,
        period_kind=period.kind,
        period_start=period.start,
        region=region,
        unit=unit,
    ).first()
    counted = None
    if snap is not None:
        counted = snap.numerator if src.kind in ("count",) or bucket else snap.denominator
    return Records(
        src,
        region,
        unit,
        period,
        bucket,
        snap.bucket_label if snap else bucket,
        listing,
        page,
        max(1, -(-listing.total // per_page)),
        counted,
    )


# --- rankings ------------------------------------------------------------------------------------------------
def current_weights_cached() -> dict[str, float]:
    from luoshi.dashboard.services import current_weights

    return current_weights()


def _score(figs: dict[str, Figure], weights: dict[str, float]) -> engine.Score:
    comps = []
    for key, w in weights.items():
        f = figs.get(key)
        if f is None or not w:
            continue
        comps.append(engine.Component(key, f.value, f.higher_is_better))
    return engine.composite(comps, weights)


@dataclass
class Ranked:
    id: int
    name: str
    url: str
    score: float | None
    rank: int | None
    previous_rank: int | None
    explain: str
    figures: dict[str, Figure]
    active: bool = True  # holds anything at all in the period

    @property
    def movement(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def movement_html(self) -> str:
        """What dashboard/_move.html shows, built once per row (the units table has thousands of rows)."""
        m = self.movement
        if m is None:
            return mark_safe('<span class="muted">—</span>')
        if m > 0:
            return format_html('<span class="move better">↑{}</span>', m)
        if m < 0:
            return format_html('<span class="move worse">↓{}</span>', -m)
        return "持平"


@dataclass
class Rankings:
    region: Region
    period: Period
    previous: Period
    weights: dict[str, float]
    labels: dict[str, str]
    units: list[Ranked]
    nothing_due: list[Ranked]
    regions: list[Ranked]
    top: list[Ranked]
    bottom: list[Ranked]
    history: list[RankingWeights]
    formula: str


FORMULA = (
    "综合得分 = Σ(权重 × 分项得分) ÷ Σ权重。分项得分为该项比率(0–100);“越低越好”的分项按 100 − 比率计。"
    "某单位在某分项上没有到期事项(分母为 0)时,该分项不计入,也不按满分计;"
    "所有分项都没有到期事项的单位显示为“本期无到期事项”,不参与排名。"
)


@dataclass(frozen=True, slots=True)
class _UnitRow:
    pk: int
    name: str


def _rank_units(
    period: Period, units: list[_UnitRow], weights: dict[str, float], *, explain: bool = True
) -> list[Ranked]:
    """The composite of every unit from its summary rows (plain numbers: no Figure objects, no URLs per
    figure; a city has thousands of units)."""
    wanted = {k for k, w in weights.items() if w} | {"supervision.held"}
    qs = FigureSnapshot.objects.filter(
        period_kind=period.kind,
        period_start=period.start,
        unit_id__in=[u.pk for u in units],
        key__in=wanted,
        bucket="",
    ).values_list("unit_id", "key", "value", "numerator", "denominator")
    values: dict[int, dict[str, float | None]] = defaultdict(dict)
    active: set[int] = set()
    for unit_id, key, value, numerator, denominator in qs:
        values[unit_id][key] = value
        if numerator or denominator:
            active.add(unit_id)
    sources = {s.key: s for s in providers.sources()}
    labels = {k: s.label for k, s in sources.items()}
    out = []
    for u in units:
        mine = values.get(u.pk, {})
        comps = [
            engine.Component(k, mine.get(k), sources[k].higher_is_better)
            for k, w in weights.items()
            if w and k in sources
        ]
        sc = engine.composite(comps, weights)
        out.append(
            Ranked(
                u.pk,
                u.name,
                _unit_url(u.pk),
                sc.score,
                None,
                None,
                sc.explain(labels) if explain else "",
                {},
                u.pk in active,
            )
        )
    return out


def rankings(
    user: User | None, region_id: int | None = None, kind: str = "", period_text: str = ""
) -> Rankings:
    region = access.region_for(user, region_id)
    period = period_of(kind, period_text)
    prev = engine.previous_period(period)
    weights = current_weights_cached()
    region_ids = region_subtree_ids(region)
    # plain (pk, name) pairs: a city ranks thousands of units, model instances cost more than the ranking
    units = [
        _UnitRow(pk, name)
        for pk, name in Unit.objects.filter(region_id__in=region_ids, is_active=True)
        .exclude(kind=UnitKind.COLLECTIVE)
        .values_list("pk", "name")
    ]
    now = _rank_units(period, units, weights)
    before = _rank_units(prev, units, weights, explain=False)
    ranks = engine.rank({r.id: r.score for r in now})
    prev_ranks = engine.rank({r.id: r.score for r in before})
    for r in now:
        r.rank, r.previous_rank = ranks.get(r.id), prev_ranks.get(r.id)
    # a unit holding nothing at all is not listed; one with work but nothing due is shown, never ranked
    held = [r for r in now if r.active]
    ranked = sorted((r for r in held if r.rank is not None), key=lambda r: (r.rank, r.name))
    nothing = [r for r in held if r.rank is None]
    top_ids, bottom_ids = engine.top_bottom([r.id for r in ranked])
    by_id = {r.id: r for r in ranked}
    # regions: the children of this region on the same composite over their subtree figures
    children = list(Region.objects.filter(parent=region).order_by("code"))
    rsnaps = _snapshots(period, region_ids=[c.pk for c in children])
    psnaps = _snapshots(prev, region_ids=[c.pk for c in children])
    labels = {s.key: s.label for s in providers.sources()}
    region_rows = []
    prev_scores: dict[int, float | None] = {}
    for c in children:
        wanted = set(weights)
        figs = {
            f.key: f
            for f in _figures(period, [s for s in rsnaps if s.region_id == c.pk], [], c, None, wanted)
        }
        pfigs = {
            f.key: f for f in _figures(prev, [s for s in psnaps if s.region_id == c.pk], [], c, None, wanted)
        }
        sc = _score(figs, weights)
        prev_scores[c.pk] = _score(pfigs, weights).score
        region_rows.append(
            Ranked(
                c.pk,
                c.name,
                f"{reverse('dashboard:rankings')}?{query_string({'region': c.pk})}",
                sc.score,
                None,
                None,
                sc.explain(labels),
                figs,
            )
        )
    rr = engine.rank({r.id: r.score for r in region_rows})
    pr = engine.rank(prev_scores)
    for r in region_rows:
        r.rank, r.previous_rank = rr.get(r.id), pr.get(r.id)
    region_rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.name))
    return Rankings(
        region=region,
        period=period,
        previous=prev,
        weights=weights,
        labels=labels,
        units=ranked,
        nothing_due=nothing,
        regions=region_rows,
        top=[by_id[i] for i in top_ids],
        bottom=[by_id[i] for i in bottom_ids],
        history=list(RankingWeights.objects.select_related("created_by").order_by("-created_at", "-id")[:50]),
        formula=FORMULA,
    )


# --- trends --------------------------------------------------------------------------------------------------
@dataclass
class TrendRow:
    period: Period
    values: dict[str, float | None]


def trend(
    user: User | None, region_id: int | None, kind: str = "month", count: int = 12, end: Period | None = None
) -> list[TrendRow]:
    """Headline figures over the last `count` periods, from the stored snapshots (the same period always
    reads the same stored numbers)."""
    region = access.region_for(user, region_id)
    end = end or period_of(kind)
    seq = engine.last_periods(end.kind, end.start, count)
    rows = FigureSnapshot.objects.filter(
        region=region, bucket="", period_kind=end.kind, period_start__in=[p.start for p in seq]
    ).values_list("period_start", "key", "value")
    values: dict[dt.date, dict[str, float | None]] = defaultdict(dict)
    for start, key, value in rows:
        values[start][key] = value
    return [TrendRow(p, values.get(p.start, {})) for p in seq]


# --- indicators ----------------------------------------------------------------------------------------------
def tree_owner(region: Region) -> Region:
    """The nearest region at or above `region` that has an indicator tree (the region itself if none does)."""
    ids = region_ancestor_ids(region)
    having = set(Indicator.objects.filter(region_id__in=ids).values_list("region_id", flat=True).distinct())
    for pk in reversed(ids):
        if pk in having:
            return Region.objects.get(pk=pk)
    return region


@dataclass
class IndicatorRow:
    indicator: Indicator
    depth: int
    value: IndicatorValue | None
    score: float | None
    colour: str
    reason: str
    period: Period
    missing: int
    is_leaf: bool


@dataclass
class IndicatorTree:
    region: Region
    owner: Region
    rows: list[IndicatorRow]
    total_score: float | None
    total_colour: str
    on_date: dt.date
    can_edit: bool
    counts: dict[str, int]


def indicator_tree(
    user: User | None, region_id: int | None = None, on: dt.date | None = None
) -> IndicatorTree:
    """The tree with each indicator's latest value up to `on` for the region, and the weighted roll-up."""
    region = access.region_for(user, region_id)
    owner = tree_owner(region)
    on = on or timezone.localdate()
    inds = list(Indicator.objects.filter(region=owner).select_related("lead_unit").order_by("position", "id"))
    periods = {i.pk: engine.period_containing(i.cycle, on) for i in inds}
    latest: dict[int, IndicatorValue] = {}
    # the latest value up to `on`, looked for in the last two periods of each indicator's cycle only
    window = Q()
    for cycle, days in (("month", 62), ("quarter", 184), ("year", 731)):
        window |= Q(indicator__cycle=cycle, period_start__gt=on - dt.timedelta(days=days))
    for v in (
        IndicatorValue.objects.filter(window, indicator__in=inds, region=region, period_start__lte=on)
        .defer("evidence")
        .order_by("indicator_id", "-period_start")
    ):
        latest.setdefault(v.indicator_id, v)
    nodes = engine.weighted_roll_up(
        engine.Node(i.pk, i.parent_id, i.weight, latest[i.pk].score if i.pk in latest else None) for i in inds
    )
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for i in inds:
        children[i.parent_id if i.parent_id in nodes else None].append(i)
    rows: list[IndicatorRow] = []
    counts = {"green": 0, "yellow": 0, "red": 0, "": 0}

    def walk(parent: int | None, depth: int) -> None:
        for i in children.get(parent, []):
            n = nodes[i.pk]
            leaf = not n.children
            v = latest.get(i.pk) if leaf else None
            if leaf:
                colour, reason = (v.colour, v.colour_reason) if v else ("", "本期尚无数值")
                counts[colour] = counts.get(colour, 0) + 1
            else:
                colour = targets.score_colour(n.score)
                reason = f"下级指标加权得分 {n.score:g}" if n.score is not None else "下级指标均无数值"
                if n.missing:
                    reason += f"({n.missing} 项未填)"
            p = engine.period_containing(i.cycle, v.period_start) if v else periods[i.pk]
            rows.append(IndicatorRow(i, depth, v, n.score, colour, reason, p, n.missing, leaf))
            walk(i.pk, depth + 1)

    walk(None, 0)
    roots = [nodes[i.pk] for i in children.get(None, [])]
    num = sum(r.weight * r.score for r in roots if r.score is not None and r.weight > 0)
    den = sum(r.weight for r in roots if r.score is not None and r.weight > 0)
    total = round(num / den, 1) if den else None
    can_edit = access.is_office(user) and (
        user is None
        or user.is_superuser
        or (user.region is not None and owner.path.startswith(user.region.path))
    )
    return IndicatorTree(region, owner, rows, total, targets.score_colour(total), on, can_edit, counts)


@dataclass
class TraceRow:
    name: str
    url: str
    value: IndicatorValue | None
    figure: Figure | None = None
    unit: Unit | None = None


@dataclass
class Trace:
    indicator: Indicator
    region: Region
    period: Period
    value: IndicatorValue | None
    history: list[IndicatorValue]
    children: list[TraceRow]
    units: list[TraceRow]
    source: providers.FigureSource | None
    records_url: str
    can_report: bool
    can_escalate: bool


def indicator_trace(user: User | None, pk: int, region_id: int | None = None, period_text: str = "") -> Trace:
    """溯源: an indicator for a region, the regions below it, and (computed ones) the units and records."""
    region = access.region_for(user, region_id)
    ind = Indicator.objects.select_related("region", "lead_unit").filter(pk=pk).first()
    if ind is None or not region_contains(ind.region, region):
        from luoshi.core.errors import NotFound

        raise NotFound("未找到该指标,或它不适用于该区域。", code=DashboardError.INDICATOR_NOT_FOUND)
    period = period_of(ind.cycle, period_text)
    value = (
        IndicatorValue.objects.filter(indicator=ind, region=region, period_start=period.start)
        .select_related("unit", "reported_by")
        .first()
    )
    history = list(IndicatorValue.objects.filter(indicator=ind, region=region).order_by("-period_start")[:12])
    kids = list(Region.objects.filter(parent=region).order_by("code"))
    kv = {
        v.region_id: v
        for v in IndicatorValue.objects.filter(indicator=ind, region__in=kids, period_start=period.start)
    }
    base = reverse("dashboard:indicator", args=[ind.pk])
    children = [
        TraceRow(c.name, f"{base}?{query_string({'region': c.pk, 'period': period.key})}", kv.get(c.pk))
        for c in kids
    ]
    src = providers.source(ind.source_key) if ind.source_key else None
    units: list[TraceRow] = []
    url = ""
    if src is not None:
        url = records_url(src.key, period, region)
        unit_list = list(Unit.objects.filter(region=region, is_active=True))
        snaps = _snapshots(period, unit_ids=[u.pk for u in unit_list], keys={src.key})
        for u in unit_list:
            mine = [s for s in snaps if s.unit_id == u.pk and s.key == src.key]
            if not mine:
                continue
            fig = _figures(period, mine, [], None, u, {src.key})
            f = next(x for x in fig if x.key == src.key)
            units.append(TraceRow(u.name, f.url, None, f, u))
        worst_first = not src.higher_is_better
        units.sort(key=lambda r: (r.figure.value is None, (r.figure.value or 0) * (-1 if worst_first else 1)))  # type: ignore[union-attr]
    can_escalate = src is not None and src.escalate is not None and access.is_office(user)
    return Trace(
        ind,
        region,
        period,
        value,
        history,
        children,
        units,
        src,
        url,
        access.can_report(user, region, ind.lead_unit_id) and ind.source != "computed",
        can_escalate,
    )


def indicators_to_report(user: User) -> list[Indicator]:
    """Reported indicators led by the user's unit (staff)."""
    if user.unit_id is None:
        return []
    return list(
        Indicator.objects.filter(lead_unit_id=user.unit_id)
        .exclude(source="computed")
        .filter(~Q(children__isnull=False))
        .select_related("region")
    )
