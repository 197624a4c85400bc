"""Every write of the monitoring domain: the summary refresh, the indicator tree (import, edit), indicator
values (reported by units with evidence, computed from the figures, imported), ranking weights, and the
督办 hook. Pages, the API, commands and jobs all call these.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from luoshi.accounts.access import region_contains, region_subtree, region_subtree_ids
from luoshi.accounts.models import User
from luoshi.audit.services import record
from luoshi.calendar import targets
from luoshi.core.errors import AccessDenied, Conflict, ImportFailed, NotFound, ValidationFailed
from luoshi.core.evidence import StoredFile, discard, store_evidence
from luoshi.core.imports import Problems, all_or_nothing
from luoshi.dashboard import access, engine, providers
from luoshi.dashboard.engine import Period, Tally
from luoshi.dashboard.errors import DashboardError
from luoshi.dashboard.events import DashboardEvent
from luoshi.dashboard.models import (
    Cycle,
    Direction,
    FigureSnapshot,
    Indicator,
    IndicatorSourceKind,
    IndicatorValue,
    RankingWeights,
    RefreshRun,
)
from luoshi.orgs.models import Region, Unit

# --- summary refresh -----------------------------------------------------------------------------------------
BACKFILL = {"week": 12, "month": 12, "quarter": 8, "year": 3}


@dataclass
class RefreshResult:
    periods: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # "<kind>:<period>:<key>" kept: nothing written since
    rows: int = 0
    indicator_values: int = 0
    seconds: float = 0.0
    figure_seconds: dict[str, float] = field(default_factory=dict)  # figure key -> seconds tallying it

    def summary(self) -> dict[str, Any]:
        return {
            "periods": self.periods,
            "skipped": len(self.skipped),
            "unchanged": len(self.unchanged),
            "rows": self.rows,
            "indicator_values": self.indicator_values,
            "seconds": round(self.seconds, 2),
        }


def periods_to_refresh(today: dt.date, backfill: Mapping[str, int] | None = None) -> list[Period]:
    """The open period of each kind (containing today) and the closed ones of the backfill window."""
    out: list[Period] = []
    for kind, count in (backfill or BACKFILL).items():
        out.extend(engine.last_periods(kind, today, count))
    return out


SNAPSHOT_FIELDS = (
    "key",
    "bucket",
    "bucket_label",
    "region_id",
    "unit_id",
    "period_kind",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "final",
    "computed_at",
)


def _snapshot_rows(
    source: providers.FigureSource,
    period: Period,
    rows: Iterable[providers.Row],
    paths: Mapping[int, str],
    final: bool,
    computed_at: dt.datetime,
) -> list[tuple[Any, ...]]:
    """Plain rows for FigureSnapshot (written with core.bulk: tens of thousands per period)."""
    from luoshi.core import bulk

    own: dict[str, dict[int, Tally]] = defaultdict(dict)
    labels: dict[str, str] = {}
    units: dict[tuple[str, int], Tally] = {}
    for row in rows:
        if row.bucket_label:
            labels[row.bucket] = row.bucket_label
        if row.unit_id is not None:
            key = (row.bucket, row.unit_id)
            units[key] = row.tally if key not in units else units[key] + row.tally
        elif row.region_id is not None:
            bucket = own[row.bucket]
            bucket[row.region_id] = (
                row.tally if row.region_id not in bucket else bucket[row.region_id] + row.tally
            )
    now = bulk.db_datetime(computed_at)
    start, end = bulk.db_date(period.start), bulk.db_date(period.end)
    out: list[tuple[Any, ...]] = []

    def make(bucket: str, tally: Tally, region_id: int | None, unit_id: int | None) -> tuple[Any, ...]:
        return (
            source.key,
            bucket,
            labels.get(bucket, "")[:200],
            region_id,
            unit_id,
            period.kind,
            start,
            end,
            float(tally.numerator),
            None if tally.denominator is None else float(tally.denominator),
            engine.figure_value(source.kind, tally.numerator, tally.denominator),
            final,
            now,
        )

    for bucket_key, by_region in own.items():
        for region_id, tally in engine.roll_up(by_region, paths).items():
            out.append(make(bucket_key, tally, region_id, None))
    for (bucket_key, unit_id), tally in units.items():
        out.append(make(bucket_key, tally, None, unit_id))
    return out


def _summed_months(
    src: providers.FigureSource, period: Period, today: dt.date, computed_at: dt.datetime, final: bool
) -> list[tuple[Any, ...]] | None:
    """An additive figure's quarter or year as the sum of its months' stored rows (region rows are already
    subtree totals, and sums of subtree totals are subtree totals of sums). None when a month is missing."""
    from luoshi.core import bulk

    months = _months_of(period, today)
    stored = list(
        FigureSnapshot.objects.filter(
            key=src.key, period_kind="month", period_start__in=[m.start for m in months]
        ).values_list(
            "period_start", "bucket", "bucket_label", "region_id", "unit_id", "numerator", "denominator"
        )
    )
    if {r[0] for r in stored} != {m.start for m in months}:
        return None
    sums: dict[tuple[str, int | None, int | None], list[Any]] = {}
    for _, bucket, label, region_id, unit_id, num, den in stored:
        acc = sums.setdefault((bucket, region_id, unit_id), [label, 0.0, None])
        acc[1] += num
        if den is not None:
            acc[2] = (acc[2] or 0.0) + den
    now, start, end = bulk.db_datetime(computed_at), bulk.db_date(period.start), bulk.db_date(period.end)
    return [
        (
            src.key,
            bucket,
            label,
            region_id,
            unit_id,
            period.kind,
            start,
            end,
            num,
            den,
            engine.figure_value(src.kind, num, den),
            final,
            now,
        )
        for (bucket, region_id, unit_id), (label, num, den) in sums.items()
    ]


def _clean_keys(chosen: Sequence[providers.FigureSource], period: Period, today: dt.date) -> set[str]:
    """Figures of an open period whose stored rows are still true: computed today (a tally moves with the
    day: deadlines pass) and no audited write in the apps they depend on since (every write is audited).
    One audit query for the period: the latest event per subject type since the oldest stamp of the day."""
    from luoshi.audit.models import AuditEvent

    if today != timezone.localdate():  # a refresh "as of" another day (tests, backfills) recomputes all
        return set()
    stamps = {
        key: at
        for key, at in FigureSnapshot.objects.filter(
            period_kind=period.kind, period_start=period.start, key__in=[s.key for s in chosen]
        )
        .values("key")
        .annotate(at=Min("computed_at"))
        .values_list("key", "at")
        if timezone.localdate(at) == today
    }
    if not stamps:
        return set()
    latest: dict[str, dt.datetime] = {}  # app label -> its latest audited write since the oldest stamp
    for subject_type, at in (
        AuditEvent.objects.filter(at__gte=min(stamps.values()))
        .order_by()
        .values("subject_type")
        .annotate(last=Max("at"))
        .values_list("subject_type", "last")
    ):
        app = subject_type.split(".", 1)[0]
        if app not in latest or at > latest[app]:
            latest[app] = at
    return {
        src.key
        for src in chosen
        if src.key in stamps
        and not any(app in latest and latest[app] >= stamps[src.key] for app in providers.depends_on(src))
    }


def refresh(
    *,
    today: dt.date | None = None,
    periods: Sequence[Period] | None = None,
    rebuild: bool = False,
    keys: Iterable[str] | None = None,
    incremental: bool = False,
) -> RefreshResult:
    """Recompute the summary tables: open periods always, closed ones only when missing (or `rebuild`).

    A period closed at computation time is stored `final` and never recomputed by the nightly job, so a
    past period keeps its numbers; `rebuild` recomputes from the dated history (what the figures count
    from) — colours, which are today's state, are then today's.

    An additive figure's open quarter and year are the sums of their months' rows (the open month is
    recomputed first in the same run). With `incremental` (the half-hourly job, ADR 0080), a figure of an
    open period is recomputed only when the audit trail shows a write in an app it depends on since its rows
    were computed today: every service write is audited, a raw ORM write is not seen."""

    started = time.perf_counter()
    computed_at = timezone.now()
    today = today or timezone.localdate()
    result = RefreshResult()
    run = RefreshRun.objects.create()
    wanted = list(periods) if periods is not None else periods_to_refresh(today)
    # months before quarters and years: those are summed from the months' rows
    order = {"week": 0, "month": 1, "quarter": 2, "year": 3}
    wanted.sort(key=lambda p: (order.get(p.kind, 9), p.start))
    paths = dict(Region.objects.values_list("pk", "path"))
    chosen = [s for s in providers.sources() if keys is None or s.key in set(keys)]
    finals = set(
        FigureSnapshot.objects.filter(final=True).values_list("period_kind", "period_start").distinct()
    )
    stock_memo: dict[tuple[str, dt.date], list[providers.Row]] = {}
    fresh_months: set[tuple[str, dt.date]] = set()  # (key, month start) true as of today in this run
    for period in wanted:
        final = period.end < today
        if final and not rebuild and (period.kind, period.start) in finals:
            result.skipped.append(period.key)
            if period.kind == "month":
                fresh_months.update((s.key, period.start) for s in chosen)
            continue
        as_of = Period(period.kind, period.start, min(period.end, today))
        clean = _clean_keys(chosen, period, today) if incremental and not (final or rebuild) else set()
        todo = [s for s in chosen if s.key not in clean]
        rows: list[tuple[Any, ...]] = []
        for src in todo:
            tallied_from = time.perf_counter()
            if src.additive and period.kind in ("quarter", "year"):
                months = _months_of(period, today)
                if all(
                    (src.key, m.start) in fresh_months or (m.end < today and ("month", m.start) in finals)
                    for m in months
                ):
                    summed = _summed_months(src, period, today, computed_at, final)
                    if summed is not None:
                        rows.extend(summed)
                        spent = time.perf_counter() - tallied_from
                        result.figure_seconds[src.key] = result.figure_seconds.get(src.key, 0.0) + spent
                        continue
            if src.stock:  # depends on the period's last day only: week, month, quarter, year share it
                memo_key = (src.key, as_of.end)
                if memo_key not in stock_memo:
                    stock_memo[memo_key] = list(src.tally(as_of))
                tallied = stock_memo[memo_key]
            else:
                tallied = list(src.tally(as_of))
            rows.extend(_snapshot_rows(src, period, tallied, paths, final, computed_at))
            spent = time.perf_counter() - tallied_from
            result.figure_seconds[src.key] = result.figure_seconds.get(src.key, 0.0) + spent
        if period.kind == "month":
            fresh_months.update((s.key, period.start) for s in chosen)
        if todo:
            written = time.perf_counter()
            _write_snapshots(period, [s.key for s in todo], rows, computed_at)
            result.figure_seconds["(write)"] = result.figure_seconds.get("(write)", 0.0) + (
                time.perf_counter() - written
            )
        result.rows += len(rows)
        result.periods.append(f"{period.kind}:{period.key}")
        result.unchanged.extend(f"{period.kind}:{period.key}:{k}" for k in sorted(clean))
        result.indicator_values += fill_computed_indicators(period)
    result.seconds = time.perf_counter() - started
    RefreshRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), seconds=result.seconds, periods=result.periods, rows=result.rows
    )
    return result


def _write_snapshots(period: Period, keys: list[str], rows: list[tuple[Any, ...]], computed_at: dt.datetime) -> None:
    """Store `rows` (in SNAPSHOT_FIELDS order) as the figures `keys` of `period`: every stored row of them
    takes the stamp `computed_at`; a row whose numbers changed is updated in place (no indexed column
    changes), new rows are inserted, rows no longer produced deleted. Deleting and re-inserting every row (four
    indexes each) was most of the cost of a refresh after a day, when most unit rows are the same."""
    from luoshi.core import bulk

    base = FigureSnapshot.objects.filter(period_kind=period.kind, period_start=period.start, key__in=keys)
    # plain cursor rows: tens of thousands, and the model's per-value converters were most of this read
    sql, params = base.values_list(
        "pk", "key", "bucket", "region_id", "unit_id", "bucket_label", "numerator", "denominator", "value", "final"
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        stored = {
            (key, bucket, region_id, unit_id): (pk, (label, num, den, value, bool(final)))
            for pk, key, bucket, region_id, unit_id, label, num, den, value, final in cursor.fetchall()
        }
    fresh: list[tuple[Any, ...]] = []  # new rows
    changed: list[tuple[Any, ...]] = []  # (label, numerator, denominator, value, final, pk): same row, new numbers
    for row in rows:
        old = stored.pop((row[0], row[1], row[3], row[4]), None)
        numbers = (row[2], row[8], row[9], row[10], bool(row[11]))
        if old is None:
            fresh.append(row)
        elif old[1] != numbers:
            changed.append((*numbers, old[0]))
    gone = [pk for pk, _ in stored.values()]
    table = connection.ops.quote_name(FigureSnapshot._meta.db_table)
    with transaction.atomic():
        base.update(computed_at=computed_at)
        if changed:  # in place: no indexed column changes, so no index is touched
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET bucket_label = %s, numerator = %s, denominator = %s, value = %s, "
                    "final = %s WHERE id = %s",
                    changed,
                )
        for i in range(0, len(gone), 5000):
            FigureSnapshot.objects.filter(pk__in=gone[i : i + 5000]).delete()
        bulk.insert(FigureSnapshot, SNAPSHOT_FIELDS, fresh)


def _months_of(period: Period, today: dt.date) -> list[Period]:
    out: list[Period] = []
    m = engine.period_containing("month", period.start)
    while m.start <= min(period.end, today):
        out.append(m)
        m = engine.period_containing("month", m.end + dt.timedelta(days=1))
    return out


# --- indicators: colours, computed values --------------------------------------------------------------------
def thresholds_of(ind: Indicator) -> targets.TargetThresholds:
    return targets.TargetThresholds(
        higher_is_better=ind.direction == Direction.HIGHER,
        target=ind.target,
        warning=ind.warning_value,
        advanced=ind.advanced_value,
    )


def _judged(ind: Indicator, value: float) -> dict[str, Any]:
    j = targets.judge(value, thresholds_of(ind), ind.measure_unit)
    return {
        "colour": j.colour.value,
        "colour_reason": j.reason[:300],
        "score": targets.attainment(value, thresholds_of(ind)),
    }


def _subtree_ids(region: Region) -> list[int]:
    return region_subtree_ids(region)


def fill_computed_indicators(period: Period) -> int:
    """Computed indicators of `period.kind`'s cycle take the figure's value for each region of their tree."""
    if period.kind not in Cycle.values:
        return 0
    indicators = list(
        Indicator.objects.filter(source=IndicatorSourceKind.COMPUTED, cycle=period.kind).exclude(
            source_key=""
        )
    )
    if not indicators:
        return 0
    values: dict[tuple[str, int], float | None] = {
        (k, r): v
        for k, r, v in FigureSnapshot.objects.filter(
            period_kind=period.kind,
            period_start=period.start,
            bucket="",
            unit__isnull=True,
            key__in={i.source_key for i in indicators},
        ).values_list("key", "region_id", "value")
    }
    regions = {r.pk: r for r in Region.objects.all()}
    n = 0
    with transaction.atomic():
        for ind in indicators:
            root = regions.get(ind.region_id)
            if root is None:
                continue
            for region_id in [r.pk for r in regions.values() if r.path.startswith(root.path)]:
                value = values.get((ind.source_key, region_id))
                if value is None:
                    continue
                IndicatorValue.objects.update_or_create(
                    indicator=ind,
                    region_id=region_id,
                    period_start=period.start,
                    defaults={
                        "period_end": period.end,
                        "value": value,
                        "source": IndicatorSourceKind.COMPUTED,
                        "evidence": f"系统按口径“{ind.source_key}”自动计算",
                        **_judged(ind, value),
                    },
                )
                n += 1
    return n


# --- indicators: the tree ------------------------------------------------------------------------------------
INDICATOR_COLUMNS = (
    "编码",
    "上级编码",
    "指标名称",
    "权重",
    "牵头单位",
    "周期",
    "计量单位",
    "方向",
    "目标值",
    "预警值",
    "先进值",
    "数据来源",
    "计算口径",
    "说明",
)
_CYCLE_WORDS = {"月": Cycle.MONTH, "季": Cycle.QUARTER, "年": Cycle.YEAR, **{c: c for c in Cycle.values}}
_DIRECTION_WORDS = {
    "越高越好": Direction.HIGHER,
    "越低越好": Direction.LOWER,
    "正向": Direction.HIGHER,
    "逆向": Direction.LOWER,
    **{d: d for d in Direction.values},
}
_SOURCE_WORDS = {
    "单位填报": IndicatorSourceKind.REPORTED,
    "填报": IndicatorSourceKind.REPORTED,
    "系统计算": IndicatorSourceKind.COMPUTED,
    "计算": IndicatorSourceKind.COMPUTED,
    "外部导入": IndicatorSourceKind.IMPORTED,
    "导入": IndicatorSourceKind.IMPORTED,
    **{s: s for s in IndicatorSourceKind.values},
}


@dataclass
class IndicatorImportResult:
    created: int = 0
    updated: int = 0


def _number(text: Any, column: str, row: int, problems: Problems, *, required: bool = False) -> float | None:
    if text is None or str(text).strip() == "":
        if required:
            problems.add(row, column, f"“{column}”不能为空")
        return None
    try:
        return float(str(text).replace(",", "").replace("%", "").strip())
    except ValueError:
        problems.add(row, column, f"“{column}”的值“{text}”不是数字")
        return None


def _open_sheet(data: bytes, filename: str) -> Any:
    """The first sheet of an uploaded workbook, after the hostile-upload guard (ADR 0011)."""
    from openpyxl import load_workbook

    from luoshi.core.safe_files import UnsafeFile, check_zip

    try:
        check_zip(data)
    except UnsafeFile as exc:
        raise ImportFailed(
            exc.message,
            details=[{"row": 0, "column": "", "message": exc.message}],
            code=DashboardError.FILE_UNREADABLE,
        ) from None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as exc:
        raise ValidationFailed(f"无法读取“{filename}”:文件已损坏或不是 Excel 表格。", code=DashboardError.FILE_UNREADABLE) from exc


def indicators_import(
    *, user: User | None, region: Region, data: bytes, filename: str
) -> IndicatorImportResult:
    """Import (or update by 编码) a region's indicator tree from .xlsx; all or nothing, every problem listed."""
    access.require_office(user, region, "导入指标体系")
    from luoshi.directory.selectors import resolve_unit

    if not filename.lower().endswith(".xlsx"):
        raise ValidationFailed(f"文件“{filename}”不是 .xlsx 表格,请用指标体系模板填写后上传。", code=DashboardError.FILE_UNREADABLE)
    sheet = _open_sheet(data, filename)
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise ValidationFailed("表格是空的。", code=DashboardError.FILE_UNREADABLE)
    header = [str(c or "").strip() for c in rows[0]]
    missing = [c for c in ("编码", "指标名称") if c not in header]
    if missing:
        raise ValidationFailed(
            f"表头缺少列:{'、'.join(missing)}。请使用指标体系模板({'、'.join(INDICATOR_COLUMNS)})。", code=DashboardError.FILE_UNREADABLE
        )
    col = {name: header.index(name) for name in INDICATOR_COLUMNS if name in header}
    problems = Problems(columns=INDICATOR_COLUMNS)
    specs: list[dict[str, Any]] = []
    seen: set[str] = set()
    source_keys = {s.key for s in providers.sources()}
    for n, raw in enumerate(rows[1:], start=2):

        def cell(name: str, raw: tuple[Any, ...] = raw) -> Any:
            i = col.get(name)
            return raw[i] if i is not None and i < len(raw) else None

        code = str(cell("编码") or "").strip()
        if not code and not any(raw):
            continue
        if not code:
            problems.add(n, "编码", "缺少编码")
            continue
        if code in seen:
            problems.add(n, "编码", f"编码“{code}”重复")
        seen.add(code)
        name = str(cell("指标名称") or "").strip()
        if not name:
            problems.add(n, "指标名称", "缺少指标名称")
        spec: dict[str, Any] = {"row": n, "code": code, "name": name[:200]}
        spec["parent"] = str(cell("上级编码") or "").strip()
        weight = _number(cell("权重"), "权重", n, problems)
        if weight is not None and weight < 0:
            problems.add(n, "权重", "权重不能为负数")
        spec["weight"] = 1.0 if weight is None else weight
        for name_, key, words, default in (
            ("周期", "cycle", _CYCLE_WORDS, Cycle.QUARTER),
            ("方向", "direction", _DIRECTION_WORDS, Direction.HIGHER),
            ("数据来源", "source", _SOURCE_WORDS, IndicatorSourceKind.REPORTED),
        ):
            text = str(cell(name_) or "").strip()
            if not text:
                spec[key] = default
            elif text in words:
                spec[key] = words[text]
            else:
                allowed = "、".join(w for w in words if not w.isascii())
                problems.add(n, name_, f"“{name_}”的值“{text}”无法识别,应为:{allowed}")
        for name_, key in (("目标值", "target"), ("预警值", "warning_value"), ("先进值", "advanced_value")):
            spec[key] = _number(cell(name_), name_, n, problems)
        spec["measure_unit"] = str(cell("计量单位") or "").strip()[:20]
        spec["source_key"] = str(cell("计算口径") or "").strip()
        spec["note"] = str(cell("说明") or "").strip()[:300]
        if spec.get("source") == IndicatorSourceKind.COMPUTED and spec["source_key"] not in source_keys:
            known = "、".join(sorted(source_keys))
            problems.add(n, "计算口径", f"为系统计算指标,计算口径“{spec['source_key']}”不存在(可选:{known})")
        lead = str(cell("牵头单位") or "").strip()
        spec["lead_unit"] = None
        if lead:
            res = resolve_unit(lead, region)
            if res.unit is None:
                problems.add(n, "牵头单位", f"牵头单位“{lead}”在{region.name}的组织机构目录中找不到或有歧义")
            else:
                spec["lead_unit"] = res.unit
        specs.append(spec)
    codes = {s["code"] for s in specs} | set(
        Indicator.objects.filter(region=region).values_list("code", flat=True)
    )
    for s in specs:
        if s["parent"] and s["parent"] not in codes:
            problems.add(s["row"], "上级编码", f"上级编码“{s['parent']}”不存在")
        if s["parent"] == s["code"]:
            problems.add(s["row"], "上级编码", "不能以自己为上级")
    problems.raise_if_any(f"指标体系导入未完成:共 {len(problems)} 处问题,未写入任何数据。")
    result = IndicatorImportResult()
    with all_or_nothing(problems):
        existing = {i.code: i for i in Indicator.objects.select_for_update().filter(region=region)}
        for position, s in enumerate(specs):
            fields = {
                k: s[k]
                for k in (
                    "name",
                    "weight",
                    "cycle",
                    "direction",
                    "target",
                    "warning_value",
                    "advanced_value",
                    "measure_unit",
                    "source",
                    "source_key",
                    "note",
                    "lead_unit",
                )
            }
            ind = existing.get(s["code"])
            if ind is None:
                ind = Indicator.objects.create(region=region, code=s["code"], position=position, **fields)
                existing[ind.code] = ind
                result.created += 1
            else:
                for k, v in fields.items():
                    setattr(ind, k, v)
                ind.position = position
                ind.version += 1
                ind.save()
                result.updated += 1
        for s in specs:
            ind = existing[s["code"]]
            parent = existing.get(s["parent"]) if s["parent"] else None
            if ind.parent_id != (parent.pk if parent else None):
                ind.parent = parent
                ind.save(update_fields=["parent"])
        _check_no_cycle(list(existing.values()))
        record(
            actor=user,
            action=DashboardEvent.INDICATORS_IMPORTED,
            subject=region,
            after={"file": filename, "created": result.created, "updated": result.updated},
        )
    return result


def _check_no_cycle(indicators: list[Indicator]) -> None:
    parent = {i.pk: i.parent_id for i in indicators}
    for start in parent:
        seen: set[int] = set()
        node: int | None = start
        while node is not None:
            if node in seen:
                raise ValidationFailed("指标的上级关系形成了循环,请检查“上级编码”。", code=DashboardError.INDICATOR_CYCLE)
            seen.add(node)
            node = parent.get(node)


INDICATOR_EDITABLE = (
    "name",
    "weight",
    "lead_unit",
    "cycle",
    "measure_unit",
    "direction",
    "target",
    "warning_value",
    "advanced_value",
    "source",
    "source_key",
    "note",
)


def indicator_update(
    *, user: User | None, indicator: Indicator, version: int, changes: Mapping[str, Any]
) -> Indicator:
    """Edit one indicator (the fields of INDICATOR_EDITABLE), refusing a stale version."""
    access.require_office(user, indicator.region, "修改监测指标")
    unknown = set(changes) - set(INDICATOR_EDITABLE)
    if unknown:
        raise ValidationFailed(f"不能修改字段:{'、'.join(sorted(unknown))}。", code=DashboardError.FIELD_NOT_EDITABLE)
    if not str(changes.get("name", indicator.name)).strip():
        raise ValidationFailed("指标名称不能为空。", code=DashboardError.NAME_MISSING)
    weight = changes.get("weight", indicator.weight)
    if weight is None or float(weight) < 0:
        raise ValidationFailed("权重应为不小于 0 的数字。", code=DashboardError.WEIGHT_INVALID)
    src = changes.get("source", indicator.source)
    key = changes.get("source_key", indicator.source_key)
    if src == IndicatorSourceKind.COMPUTED and providers.source(str(key)) is None:
        raise ValidationFailed(f"系统计算指标需要有效的计算口径;“{key}”不存在。", code=DashboardError.SOURCE_UNKNOWN)
    lead = changes.get("lead_unit", indicator.lead_unit)
    if lead is not None and not region_contains(indicator.region, lead.region):
        raise ValidationFailed(f"牵头单位{lead.name}不在{indicator.region.name}范围内。", code=DashboardError.LEAD_UNIT_OUTSIDE)
    with transaction.atomic():
        locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
        if locked.version != version:
            raise Conflict("该指标已被他人修改,请刷新页面后再改。", code=DashboardError.EDITED_ELSEWHERE)
        before = {k: getattr(locked, k if k != "lead_unit" else "lead_unit_id") for k in INDICATOR_EDITABLE}
        for k, v in changes.items():
            setattr(locked, k, v)
        locked.version += 1
        locked.save()
        after = {k: getattr(locked, k if k != "lead_unit" else "lead_unit_id") for k in INDICATOR_EDITABLE}
        record(
            actor=user, action=DashboardEvent.INDICATOR_UPDATED, subject=locked, before=before, after=after
        )
        # values already judged keep their number; their colour follows the new thresholds
        for v in IndicatorValue.objects.filter(indicator=locked):
            for k2, v2 in _judged(locked, v.value).items():
                setattr(v, k2, v2)
            v.save(update_fields=["colour", "colour_reason", "score"])
    return locked


# --- indicators: values --------------------------------------------------------------------------------------
def value_report(
    *,
    user: User | None,
    indicator: Indicator,
    region: Region,
    period: Period,
    value: float | str,
    evidence: str = "",
    evidence_file: tuple[str, IO[bytes]] | None = None,
    source: str = IndicatorSourceKind.REPORTED,
) -> IndicatorValue:
    """A unit (or the office) reports an indicator's value for one cycle period, with evidence."""
    if not access.can_report(user, region, indicator.lead_unit_id):
        raise AccessDenied("只有该指标的牵头单位或本区域营商办管理员可以填报该指标。", code=DashboardError.NOT_REPORTER)
    if not region_contains(indicator.region, region):
        raise ValidationFailed(f"{region.name}不在指标体系所属的{indicator.region.name}范围内。", code=DashboardError.OUTSIDE_JURISDICTION)
    if indicator.source == IndicatorSourceKind.COMPUTED:
        raise ValidationFailed(f"“{indicator.name}”由系统自动计算,不需要填报。", code=DashboardError.COMPUTED)
    if indicator.children.exists():
        raise ValidationFailed(f"“{indicator.name}”是上级指标,由下级指标加权汇总,不能直接填报。", code=DashboardError.COMPUTED)
    if period.kind != indicator.cycle:
        raise ValidationFailed(
            f"“{indicator.name}”按{indicator.get_cycle_display()}填报,期间应为一个{indicator.get_cycle_display()}。", code=DashboardError.PERIOD_INVALID
        )
    if period.start > timezone.localdate():
        raise ValidationFailed("不能填报尚未开始的周期。", code=DashboardError.PERIOD_INVALID)
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError as exc:
        raise ValidationFailed(f"数值“{value}”不是数字,请填写数字(如 95.5)。", code=DashboardError.VALUE_INVALID) from exc
    if source == IndicatorSourceKind.REPORTED and not (evidence.strip() or evidence_file):
        raise ValidationFailed("请填写佐证说明或上传佐证材料。", code=DashboardError.EVIDENCE_MISSING)
    stored = None
    if evidence_file is not None:
        stored = store_evidence(
            area="dashboard", name=evidence_file[0], stream=evidence_file[1], what="佐证材料"
        )
    try:
        return _value_write(user, indicator, region, period, number, evidence, source, stored)
    except BaseException:
        discard(stored)
        raise


def _value_write(
    user: User | None,
    indicator: Indicator,
    region: Region,
    period: Period,
    number: float,
    evidence: str,
    source: str,
    stored: StoredFile | None,
) -> IndicatorValue:
    with transaction.atomic():
        row = (
            IndicatorValue.objects.select_for_update()
            .filter(indicator=indicator, region=region, period_start=period.start)
            .first()
        )
        before = {"value": row.value, "evidence": row.evidence} if row else None
        fields = {
            "period_end": period.end,
            "value": number,
            "source": source,
            "evidence": evidence.strip(),
            "unit": user.unit if user is not None and user.unit_id else None,
            "reported_by": user,
            "reported_at": timezone.now(),
            **_judged(indicator, number),
        }
        if stored is not None:
            fields.update(evidence_name=stored.original_name, evidence_stored=stored.stored_name)
        if row is None:
            row = IndicatorValue.objects.create(
                indicator=indicator, region=region, period_start=period.start, **fields
            )
        else:
            for k, v in fields.items():
                setattr(row, k, v)
            row.version += 1
            row.save()
        record(
            actor=user,
            action=DashboardEvent.INDICATOR_VALUE_REPORTED,
            subject=indicator,
            before=before,
            after={"region": region.name, "period": period.key, "value": number, "colour": row.colour},
        )
    return row


def values_import(*, user: User | None, region: Region, data: bytes, filename: str) -> int:
    """Imported indicators: a sheet of 编码 / 区域代码 / 期间 / 数值 / 说明; all or nothing."""
    access.require_office(user, region, "导入指标数值")
    sheet = _open_sheet(data, filename)
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(c or "").strip() for c in (rows[0] if rows else ())]
    need = ("编码", "区域代码", "期间", "数值")
    if any(c not in header for c in need):
        raise ValidationFailed(f"表头应包含:{'、'.join(need)}(可加“说明”)。", code=DashboardError.FILE_UNREADABLE)
    ix = {c: header.index(c) for c in (*need, "说明") if c in header}
    inds = {i.code: i for i in Indicator.objects.filter(region=region)}
    regions = {r.code: r for r in region_subtree(region)}
    problems = Problems(columns=(*need, "说明"))
    todo: list[tuple[Indicator, Region, Period, float, str]] = []
    for n, raw in enumerate(rows[1:], start=2):
        if not any(raw):
            continue
        code, rcode, ptext = (str(raw[ix[c]] or "").strip() for c in ("编码", "区域代码", "期间"))
        ind, reg = inds.get(code), regions.get(rcode)
        if ind is None:
            problems.add(n, "编码", f"指标编码“{code}”不存在")
            continue
        if reg is None:
            problems.add(n, "区域代码", f"区域代码“{rcode}”不在{region.name}范围内")
            continue
        try:
            period = engine.parse_period(ind.cycle, ptext)
        except ValueError as exc:
            problems.add(n, "期间", str(exc))
            continue
        number = _number(raw[ix["数值"]], "数值", n, problems, required=True)
        if number is not None:
            note = str(raw[ix["说明"]] or "") if "说明" in ix else ""
            todo.append((ind, reg, period, number, note))
    problems.raise_if_any(f"指标数值导入未完成:共 {len(problems)} 处问题,未写入任何数据。")
    with all_or_nothing(problems):
        for ind, reg, period, number, note in todo:
            value_report(
                user=user,
                indicator=ind,
                region=reg,
                period=period,
                value=number,
                evidence=note or f"由“{filename}”导入",
                source=IndicatorSourceKind.IMPORTED,
            )
    return len(todo)


# --- ranking weights -----------------------------------------------------------------------------------------
def default_weights() -> dict[str, float]:
    defaults = {
        "supervision.on_time_rate": 40.0,
        "supervision.report_timeliness": 30.0,
        "supervision.overdue_share": 30.0,
    }
    out = {}
    for s in providers.sources():
        if s.rankable:
            out[s.key] = defaults.get(s.key, 10.0)
    return out


def current_weights() -> dict[str, float]:
    row = RankingWeights.objects.order_by("-created_at", "-id").first()
    weights = default_weights()
    if row is not None:
        weights.update({k: float(v) for k, v in row.weights.items() if k in weights})
    return weights


def weights_set(*, user: User | None, weights: Mapping[str, Any], note: str) -> RankingWeights:
    """A new version of the composite-score weights (older versions stay as the history)."""
    if not access.is_office(user):
        raise AccessDenied("只有营商办管理员可以调整排名权重。", code=DashboardError.OFFICE_ONLY)
    allowed = {s.key: s.label for s in providers.sources() if s.rankable}
    clean: dict[str, float] = {}
    for key, raw in weights.items():
        if key not in allowed:
            raise ValidationFailed(f"“{key}”不是可参与排名的指标。", code=DashboardError.NOT_RANKABLE)
        try:
            w = float(str(raw).strip() or 0)
        except ValueError as exc:
            raise ValidationFailed(f"“{allowed[key]}”的权重“{raw}”不是数字。", code=DashboardError.WEIGHT_INVALID) from exc
        if w < 0 or w > 100:
            raise ValidationFailed(f"“{allowed[key]}”的权重应在 0 到 100 之间。", code=DashboardError.WEIGHT_INVALID)
        clean[key] = w
    if not any(clean.values()):
        raise ValidationFailed("至少有一项权重应大于 0。", code=DashboardError.WEIGHT_INVALID)
    if not note.strip():
        raise ValidationFailed("请填写调整说明(为什么调整权重)。", code=DashboardError.WEIGHT_REASON_MISSING)
    with transaction.atomic():
        before = current_weights()
        row = RankingWeights.objects.create(weights=clean, note=note.strip()[:300], created_by=user)
        record(
            actor=user,
            action=DashboardEvent.WEIGHTS_SET,
            subject=row,
            before=before,
            after=clean,
            reason=note,
        )
    return row


# --- 督办 hook -----------------------------------------------------------------------------------------------
def escalate(*, user: User | None, key: str, unit: Unit, period: Period) -> providers.Escalated:
    """Open a 督办 for a unit behind a weak figure, through the domain's own hook; returns where it is and
    what was done."""
    src = providers.source(key)
    if src is None:
        raise NotFound("未找到该监测指标。", code=DashboardError.INDICATOR_NOT_FOUND)
    if src.escalate is None:
        raise ValidationFailed(f"“{src.label}”没有可发起的督办。", code=DashboardError.NOTHING_TO_SUPERVISE)
    return src.escalate(user, unit, period)
