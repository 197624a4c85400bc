"""The daily warning sweep (每日预警扫描): set-based and idempotent.

For a date it (1) records the reports that fell due and did not come (MissedReport, looking back
LOOKBACK_DAYS so a sweep that did not run for a while catches up), (2) recolours every live task with the
rules of luoshi.calendar.deadlines on numpy arrays (working days from the vectorised calendar), writing only
the rows whose colour or missed count changed and auditing each colour change with its reason, and
(3) creates the notifications — colour turned yellow/red, report missed, report due soon — each keyed by
its event so a second run for the same date creates none. The per-date SweepRun row keeps the counts.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import numpy as np
from django.db import connection, models, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.models import User
from luoshi.audit.services import record_rows
from luoshi.calendar import deadlines
from luoshi.core import bulk
from luoshi.notifications import services as notifications
from luoshi.orgs.models import Region
from luoshi.supervision import periods, reasons
from luoshi.supervision.events import SupervisionEvent
from luoshi.supervision.models import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    Assignment,
    Colour,
    MissedReport,
    NotificationKind,
    ProgressReport,
    ReportTally,
    SweepRun,
    Task,
    TaskStatus,
    WarningThresholds,
)
from luoshi.supervision.services.common import EPOCH, calendar_for, thresholds_of

logger = logging.getLogger(__name__)

LOOKBACK_DAYS = 92
LOOKBACK = dt.timedelta(days=LOOKBACK_DAYS)
LAST_DAY = (dt.date(2099, 12, 31) - EPOCH).days
COLOUR_NAMES = np.array([c.value for c in deadlines.COLOURS])


@dataclass
class SweepResult:
    date: str
    green: int
    yellow: int
    red: int
    changed: int
    notifications: int
    missed: int = 0
    escalated: int = 0  # 督办单 past their limit with tasks still red: 通报 this run
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step, for the bench and the log

    def summary(self) -> dict[str, Any]:
        """The one-line JSON the command prints."""
        return {
            k: v
            for k, v in asdict(self).items()
            if k in ("date", "green", "yellow", "red", "changed", "notifications")
        }


def _day(d: dt.date) -> int:
    return min(max((d - EPOCH).days, 0), LAST_DAY)


def _days(values: Sequence[dt.date | str | None]) -> Any:
    """Day numbers (clamped like `_day`) of a column of dates (or their ISO text, as `_Stored` reads them on
    SQLite); None gives -1. Columns hold few distinct dates, so each is converted once."""
    known: dict[dt.date | str | None, int] = {None: -1}

    def one(d: dt.date | str | None) -> int:
        v = known.get(d)
        if v is None:
            v = known[d] = _day(dt.date.fromisoformat(d) if isinstance(d, str) else d)  # type: ignore[arg-type]
        return v

    return np.fromiter(map(one, values), dtype=np.int64, count=len(values))


class _Stored(models.Func):
    """A date column as the database stores it, for reads that convert whole columns themselves: on SQLite
    ``+column`` (unary plus changes no value, and an expression has no declared type, so the driver does not
    run Django's per-value date converter: 300,000 calls in a read of 100k tasks), elsewhere the column."""

    template = "%(expressions)s"
    output_field = models.DateField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)


def sweep(date: dt.date | None = None, actor: User | None = None) -> SweepResult:
    today = date or timezone.localdate()
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        phases[name] = round(now - since, 3)
        return now

    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The sweep is idempotent: if the server crashed right after COMMIT and lost it, the next run redoes
            # it. So this one transaction need not wait for its (large) WAL to reach disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        run, _ = SweepRun.objects.get_or_create(date=today)
        run = SweepRun.objects.select_for_update().get(pk=run.pk)  # one sweep per date at a time
        thresholds = {row.plan_id: row for row in WarningThresholds.objects.all()}
        regions = {
            r.pk: r
            for r in Region.objects.filter(
                pk__in=Task.objects.filter(status__in=LIVE_STATUSES).values("region_id").distinct()
            )
        }
        calendars = {rid: calendar_for(region) for rid, region in regions.items()}
        # the last finished sweep, this date's own included: a re-run for the same date rechecks no period that
        # run checked (the anti-join over 92 days is the largest read of a re-run)
        previous = (
            SweepRun.objects.filter(date__lte=today, finished_at__isnull=False, date__gte=today - LOOKBACK)
            .order_by("-date")
            .values_list("date", flat=True)
            .first()
        )
        t = lap("setup", started)
        with _missed_tally_held():  # the missed reports it inserts are counted into the tally once, below
            missed_rows, reminders = _detect_missed(
                today, thresholds, regions, calendars, checked_before=previous
            )
            _tally_missed(missed_rows)
        t = lap("missed", t)
        changes = _recolour(today, thresholds, calendars, actor, phases)
        t = time.perf_counter()
        created = _notify(today, missed_rows, reminders, changes)
        t = lap("notify", t)
        from luoshi.supervision.services import escalation

        escalated = escalation.escalate_overdue_notices(today)
        created += escalation.notify_proposals(today)
        t = lap("escalate", t)
        totals = dict(
            Task.objects.exclude(status=TaskStatus.CANCELLED)
            .exclude(colour="")
            .values_list("colour")
            .annotate(n=Count("id"))
            .values_list("colour", "n")
        )
        result = SweepResult(
            date=today.isoformat(),
            green=totals.get("green", 0),
            yellow=totals.get("yellow", 0),
            red=totals.get("red", 0),
            changed=len(changes),
            notifications=created,
            missed=len(missed_rows),
            escalated=escalated,
        )
        lap("totals", t)
        result.seconds = round(time.perf_counter() - started, 3)
        result.phases = phases
        counts = {k: v for k, v in asdict(result).items() if k != "phases"}
        SweepRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(),
            runs=run.runs + 1,
            seconds=result.seconds,
            counts=counts
            if run.runs == 0
            else {**run.counts, **{k: counts[k] for k in ("green", "yellow", "red", "seconds")}},
        )
        transaction.on_commit(_take_scoreboard_snapshot)
    logger.info("sweep %s: %s in %.2f s %s", today, result.summary(), result.seconds, phases)
    return result


def _take_scoreboard_snapshot() -> None:
    from luoshi.supervision.tasks import take_scoreboard_snapshot

    take_scoreboard_snapshot()


# --- (1) missed reports and reminders -------------------------------------------------------------------
class Missed(NamedTuple):
    """A missed report found by this sweep (the MissedReport row it inserted)."""

    id: int
    assignment_id: int
    task_id: int
    unit_id: int
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date


Reminder = tuple[int, int, int, periods.Period, dt.date]  # assignment, task, unit, period, due date

MISSED_FIELDS = (
    "assignment_id",
    "task_id",
    "unit_id",
    "period_start",
    "period_end",
    "due_date",
    "detected_on",
)


def _detect_missed(
    today: dt.date,
    thresholds: dict[int, WarningThresholds],
    regions: dict[int, Region],
    calendars: dict[int, Any],
    checked_before: dt.date | None = None,
) -> tuple[list[Missed], list[Reminder]]:
    """Missed reports of the periods due before today (those due before `checked_before`, the date of the last
    finished sweep, were recorded by it) and reminders for the periods due within the reminder window.
    Two anti-join queries per (region, cycle, thresholds) group; the missed reports are inserted in bulk."""
    groups: dict[tuple[int, str, int, int], list[int]] = defaultdict(list)
    for region_id, cycle, plan_id in (
        Task.objects.filter(status__in=OPEN_STATUSES)
        .values_list("region_id", "reporting_cycle", "plan_id")
        .order_by()
        .distinct()
    ):
        t = thresholds.get(plan_id)
        grace = t.report_grace_workdays if t else 3
        remind = t.remind_before_workdays if t else 2
        groups[(region_id, cycle, grace, remind)].append(plan_id)
    shared = Counter((region_id, cycle) for region_id, cycle, _, _ in groups)
    new_rows: list[Missed] = []
    reminders: list[Reminder] = []
    for (region_id, cycle, grace, remind), plan_ids in groups.items():
        cal = calendars[region_id]
        remind_limit = _date(cal.add_workdays(today, remind))
        # the plans matter only when other plans of this region and cycle have other thresholds
        plans = plan_ids if shared[(region_id, cycle)] > 1 else None
        overdue: dict[dt.date, tuple[periods.Period, dt.date]] = {}
        upcoming: dict[dt.date, tuple[periods.Period, dt.date]] = {}
        for period in periods.periods_between(cycle, today - dt.timedelta(days=LOOKBACK_DAYS), today):
            if period.end >= today:
                break
            due = _date(cal.add_workdays(period.end, grace))
            if due < today:
                if checked_before is None or due >= checked_before:  # else recorded by an earlier sweep
                    overdue[period.start] = (period, due)
            elif due <= remind_limit:
                upcoming[period.start] = (period, due)
        new_rows.extend(_insert_missed(region_id, cycle, plans, list(overdue.values()), today))
        for a_id, t_id, u_id, start in _unreported(region_id, cycle, plans, list(upcoming), missed=False):
            period, due = upcoming[start]
            reminders.append((a_id, t_id, u_id, period, due))
    return new_rows, reminders


def _open_assignments_sql(
    region_id: int, cycle: str, plan_ids: list[int] | None, source: str, *, missed: bool
) -> tuple[str, list[Any]]:
    """FROM/WHERE of the active assignments of the open tasks of one region and cycle (and plans) joined to the
    periods of `source` (alias p, column ps) with no report for the period and, with `missed`, no missed report
    recorded either: anti-joins on the unique (assignment, period_start) indexes of both tables."""
    qn = connection.ops.quote_name
    a, t, r, m = (qn(model._meta.db_table) for model in (Assignment, Task, ProgressReport, MissedReport))
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    params: list[Any] = [region_id, cycle, *(str(s.value) for s in OPEN_STATUSES)]
    plan_filter = ""
    if plan_ids is not None:
        plan_filter = f"AND t.plan_id IN ({', '.join(['%s'] * len(plan_ids))})"
        params += plan_ids
    missed_filter = (
        f"AND NOT EXISTS (SELECT 1 FROM {m} x WHERE x.assignment_id = a.id AND x.period_start = p.ps)"
        if missed
        else ""
    )
    if connection.vendor == "postgresql":
        joins = (
            f"FROM {t} t JOIN {source} ON t.start_date <= p.ps AND t.reports_from <= p.ps "
            f"JOIN {a} a ON a.task_id = t.id WHERE "
        )
    else:
        # SQLite: CROSS JOIN fixes the loop order (tasks, their assignments, then the periods innermost), so the
        # report index is probed for one assignment's periods one after another, adjacent keys, in a single pass
        # over the index; with the periods outermost it was walked once per period (0.1 s -> 0.06 s CPU for
        # 6,600 missed reports at scale 0.1, ADR 0141)
        joins = (
            f"FROM {t} t CROSS JOIN {a} a CROSS JOIN {source} "
            "WHERE a.task_id = t.id AND t.start_date <= p.ps AND t.reports_from <= p.ps AND "
        )
    sql = (
        f"{joins}a.active AND t.region_id = %s AND t.reporting_cycle = %s AND t.status IN ({statuses}) "
        f"{plan_filter} "
        f"AND NOT EXISTS (SELECT 1 FROM {r} y WHERE y.assignment_id = a.id AND y.period_start = p.ps) "
        f"{missed_filter}"
    )
    return sql, params


def _insert_missed(
    region_id: int,
    cycle: str,
    plan_ids: list[int] | None,
    overdue: list[tuple[periods.Period, dt.date]],
    today: dt.date,
) -> list[Missed]:
    """Insert the missed reports of one group's overdue periods with one INSERT ... SELECT (the periods with
    their end and due dates are one parameter), returning what it inserted: no row passes through Python on
    its way in; a period already recorded (by an earlier sweep, or another one meanwhile) is skipped by the unique
    (assignment, period) index and not returned."""
    if not overdue:
        return []
    qn = connection.ops.quote_name
    params: list[Any]
    head = ""
    if connection.vendor == "postgresql":
        source = "unnest(%s::date[], %s::date[], %s::date[]) AS p(ps, pe, due)"
        params = [[p.start for p, _ in overdue], [p.end for p, _ in overdue], [d for _, d in overdue]]
    else:
        # the periods as a materialised CTE read once, not a json_each re-read for every assignment (EXPLAIN
        # QUERY PLAN: MATERIALIZE p, then the task index searched per period with start_date < ps)
        head = (
            "WITH p(ps, pe, due) AS MATERIALIZED (SELECT json_extract(value, '$[0]'), "
            "json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(%s)) "
        )
        source = "p"
        params = [json.dumps([[p.start.isoformat(), p.end.isoformat(), d.isoformat()] for p, d in overdue])]
    # no anti-join on the missed reports here: the unique (assignment, period) index skips those already
    # recorded (ON CONFLICT), and the SELECT need not read the table it inserts into (no temporary copy)
    body, more = _open_assignments_sql(region_id, cycle, plan_ids, source, missed=False)
    columns = ", ".join(qn(f) for f in MISSED_FIELDS)  # the attnames are the columns
    sql = (
        f"{head}INSERT INTO {qn(MissedReport._meta.db_table)} ({columns}) "
        f"SELECT a.id, a.task_id, a.unit_id, p.ps, p.pe, p.due, %s {body} "
        "ON CONFLICT DO NOTHING RETURNING id, assignment_id, task_id, unit_id, period_start"
    )
    by_start = {p.start: (p, d) for p, d in overdue}
    by_text = {p.start.isoformat(): p.start for p, _ in overdue}
    with connection.cursor() as cursor:
        if head:  # SQLite: the CTE's parameter comes first
            cursor.execute(sql, [*params, bulk.db_date(today), *more])
        else:
            cursor.execute(sql, [bulk.db_date(today), *params, *more])
        rows = cursor.fetchall()
    out = []
    for pk, a_id, t_id, u_id, ps in rows:
        start = by_text[ps] if isinstance(ps, str) else ps
        period, due = by_start[start]
        out.append(Missed(pk, a_id, t_id, u_id, period.start, period.end, due))
    return out


# The tally of open missed reports (ReportTally, ADR 0125) is kept by triggers on the missed reports' table. The
# sweep's own INSERT is counted by the sweep instead (ADR 0141): on SQLite the row trigger would upsert a tally row
# once per inserted row (66,000 of them in a first sweep at city scale). While the sweep holds the tally, the INSERT
# trigger does nothing (migration 0017), and `_tally_missed` adds exactly the rows the INSERTs returned.
TALLY_HOLD_TABLE = "supervision_tally_hold"  # SQLite: a row here, never committed, idles the trigger (0017)
TALLY_HOLD_SETTING = "luoshi.missed_tally_held"  # PostgreSQL: this transaction-local setting does (0017)


def _tally_order(item: tuple[tuple[int, Any, int], int]) -> tuple[Any, int, int]:
    (unit_id, month, shard), _ = item
    return month, unit_id, shard


@contextmanager
def _missed_tally_held() -> Iterator[None]:
    """Hold the missed reports' INSERT trigger for this block, in a savepoint: if the block fails, its rows, its
    tally counts and the hold itself are rolled back together; the hold is released before the savepoint is, so
    it is never committed (no other connection sees it: SQLite has one writer at a time, and a PostgreSQL
    setting belongs to its session)."""
    pg = connection.vendor == "postgresql"
    hold, release = (
        (f"SELECT set_config('{TALLY_HOLD_SETTING}', 'on', true)", f"SELECT set_config('{TALLY_HOLD_SETTING}', '', true)")
        if pg
        else (f"INSERT INTO {TALLY_HOLD_TABLE} (id) VALUES (1)", f"DELETE FROM {TALLY_HOLD_TABLE}")
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(hold)
        yield
        with connection.cursor() as cursor:
            cursor.execute(release)


def _tally_missed(rows: list[Missed]) -> None:
    """Add the open missed reports just inserted (all open: `resolved_at` is NULL) to the tally, grouped as the
    trigger groups them: unit, first day of the due date's month, shard (id mod SHARDS); one upsert statement
    per chunk of a few hundred tally rows."""
    if not rows:
        return
    shards = ReportTally.SHARDS
    months: dict[dt.date, Any] = {}
    counts: Counter[tuple[int, Any, int]] = Counter()
    for m in rows:
        month = months.get(m.due_date)
        if month is None:
            month = months[m.due_date] = bulk.db_date(m.due_date.replace(day=1))
        counts[(m.unit_id, month, m.id % shards)] += 1
    qn = connection.ops.quote_name
    table = qn(ReportTally._meta.db_table)
    # in the trigger's order (month, unit, shard), so concurrent upserts of the same rows take their locks alike
    items = [(u, month, shard, 0, 0, n) for (u, month, shard), n in sorted(counts.items(), key=_tally_order)]
    one = "(%s, %s, %s, %s, %s, %s)"
    size = 1000  # 6,000 parameters a statement, under SQLite's limit
    with connection.cursor() as cursor:
        for i in range(0, len(items), size):
            chunk = items[i : i + size]
            cursor.execute(
                f"INSERT INTO {table} (unit_id, month, shard, filed, on_time, missed) VALUES "
                + ", ".join([one] * len(chunk))
                + " ON CONFLICT (month, unit_id, shard) DO UPDATE SET missed = "
                f"{table}.missed + excluded.missed",
                [v for item in chunk for v in item],
            )


def _unreported(
    region_id: int, cycle: str, plan_ids: list[int] | None, starts: list[dt.date], *, missed: bool
) -> list[tuple[int, int, int, dt.date]]:
    """(assignment, task, unit, period start) of the active assignments of the open tasks of one region and
    cycle (and plans) with no report for one of the periods starting on `starts`, and, with `missed`, no
    missed report recorded either. One anti-join over all the periods (the periods are one array parameter),
    so the task and assignment tables are read once per group, not once per period."""
    if not starts:
        return []
    params: list[Any]
    if connection.vendor == "postgresql":
        source, params = "unnest(%s::date[]) AS p(ps)", [starts]
    else:  # a materialised CTE, as in _insert_missed
        source = "p"
        params = [json.dumps([d.isoformat() for d in starts])]
    body, more = _open_assignments_sql(region_id, cycle, plan_ids, source, missed=missed)
    sql = f"SELECT a.id, a.task_id, a.unit_id, p.ps {body}"
    if connection.vendor != "postgresql":
        sql = "WITH p(ps) AS MATERIALIZED (SELECT value FROM json_each(%s)) " + sql
    params += more
    by_text = {d.isoformat(): d for d in starts}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (a_id, t_id, u_id, by_text[ps] if isinstance(ps, str) else ps)
            for a_id, t_id, u_id, ps in cursor.fetchall()
        ]


def _date(result: Any) -> dt.date:
    return getattr(result, "date", result)  # type: ignore[no-any-return]


# --- (2) colours ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ColourChange:
    task_id: int
    title: str
    before: str
    after: str
    reason: str


def _unassigned_ids(only: models.Q) -> set[int]:
    """Live tasks (of `only`) with no active assignment: one anti-join (publish colours a few thousand)."""
    return set(
        Task.objects.filter(only, status__in=LIVE_STATUSES)
        .exclude(models.Exists(Assignment.objects.filter(task=models.OuterRef("pk"), active=True)))
        .order_by()
        .values_list("id", flat=True)
    )


def _assigned_task_ids() -> Any:
    """The ids of every task with an active assignment, as a sorted array (one scan of the assignment table,
    cheaper than an anti-join probe per task)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT task_id FROM {qn(Assignment._meta.db_table)} WHERE active = %s", [True]
        )
        return np.fromiter((r[0] for r in cursor.fetchall()), dtype=np.int64)


def colour_new_tasks(task_ids: Sequence[int], actor: User | None, today: dt.date | None = None) -> int:
    """The first colour of freshly published tasks, set-wise (so no later sweep recolours a whole ledger)."""
    if not task_ids:
        return 0
    today = today or timezone.localdate()
    tasks = Task.objects.filter(pk__in=task_ids)
    thresholds = {
        row.plan_id: row for row in WarningThresholds.objects.filter(plan__tasks__in=tasks).distinct()
    }
    regions = {r.pk: r for r in Region.objects.filter(pk__in=tasks.values("region_id").distinct())}
    calendars = {rid: calendar_for(region) for rid, region in regions.items()}
    only = (
        models.Q(pk__in=list(task_ids))
        if len(task_ids) <= 5000
        else models.Q(plan_id__in=tasks.values("plan_id"))
    )
    return len(_recolour(today, thresholds, calendars, actor, {}, only=only))


def _recolour(
    today: dt.date,
    thresholds: dict[int, WarningThresholds],
    calendars: dict[int, Any],
    actor: User | None,
    phases: dict[str, float],
    only: models.Q | None = None,
) -> list[ColourChange]:
    """Recolour the live tasks (those matching `only`): colour changes are written and audited; a task whose
    rules (flags), missed count or yellow window moved gets its figures rewritten without an audit entry. The
    working days and 序时进度 a reason quotes are not stored (they are derived when shown, ADR 0095), so a day
    passing rewrites nothing."""
    started = time.perf_counter()
    only = only or models.Q()
    # open missed reports per task, read from the partial index on the open ones alone (migration 0012): no join
    # to the tasks for their status, the counts are looked up for the live tasks read below
    open_missed = dict(
        MissedReport.objects.filter(resolved_at__isnull=True)
        .filter(**({} if not only else {"task__in": Task.objects.filter(only)}))
        .order_by()
        .values_list("task_id")
        .annotate(n=Count("period_start", distinct=True))
        .values_list("task_id", "n")
    )
    unassigned_ids = _unassigned_ids(only) if only else None
    # The ORM's query run on the cursor: values come back as the driver gives them (dates as ISO text on
    # SQLite) and numpy converts whole columns at once, instead of Django converting 1M values one by one.
    sql, params = (
        Task.objects.filter(only, status__in=LIVE_STATUSES)
        .order_by()
        .annotate(
            start_stored=_Stored("start_date"),
            deadline_stored=_Stored("deadline"),
            judged_stored=_Stored("colour_judged_on"),
        )
        .values_list(
            "id",
            "region_id",
            "plan_id",
            "start_stored",
            "deadline_stored",
            "ongoing",
            "percent",
            "returns_count",
            "missed_count",
            "colour",
            "colour_flags",
            "colour_limit",
            "judged_stored",
            "status",
            "sign_off_requested_at",
        )
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # a task awaiting review is judged as of the day completion was requested: the few such tasks of this read
    # (its last two columns) have their time read again through the ORM, converted (not a second scan of the
    # whole ledger for them: 0.14 s at 100k tasks on SQLite)
    awaiting = [r[0] for r in rows if r[14] is not None and r[13] == TaskStatus.SIGN_OFF_REQUESTED]
    requested_on: dict[int, int] = {}
    for chunk in _chunks(awaiting):
        requested_on.update(
            (pk, _day(timezone.localdate(at)))
            for pk, at in Task.objects.filter(pk__in=chunk).values_list("id", "sign_off_requested_at")
        )
    phases["read"] = round(time.perf_counter() - started, 3)
    if not rows:
        return []
    started = time.perf_counter()
    n = len(rows)
    col = list(zip(*rows, strict=True))
    ids = np.array(col[0], dtype=np.int64)
    region = np.array(col[1], dtype=np.int64)
    plan = np.array(col[2], dtype=np.int64)
    today_day = _day(today)
    eff_today = np.full(n, today_day, dtype=np.int64)
    if requested_on:
        positions = {int(pk): k for k, pk in enumerate(ids.tolist())}
        for pk, d in requested_on.items():
            if pk in positions:
                eff_today[positions[pk]] = min(today_day, d)
    start = _days(col[3])
    deadline = _days(col[4])
    has_deadline = (deadline >= 0) & ~np.array(col[5], dtype=np.bool_)
    deadline = np.where(deadline >= 0, deadline, today_day)
    start = np.where(start >= 0, start, 0)
    percent = np.array(col[6], dtype=np.float64)
    returns = np.array(col[7], dtype=np.int64)
    old_missed = np.array(col[8], dtype=np.int64)
    missed = np.fromiter((open_missed.get(pk, 0) for pk in col[0]), dtype=np.int64, count=n)
    old_colour = np.array(col[9], dtype=object)
    old_flags = np.array(col[10], dtype=np.int64)
    old_limit = np.array(col[11], dtype=np.int64)
    never_judged = np.fromiter((v is None for v in col[12]), dtype=np.bool_, count=n)
    if unassigned_ids is None:  # the whole ledger: one scan of the assignments
        unassigned = ~np.isin(ids, _assigned_task_ids())
    elif unassigned_ids:
        unassigned = np.fromiter((pk in unassigned_ids for pk in col[0]), dtype=np.bool_, count=n)
    else:
        unassigned = np.zeros(n, dtype=np.bool_)
    del rows, col

    remaining = np.zeros(n, dtype=np.int64)
    overdue = np.zeros(n, dtype=np.int64)
    share = np.zeros(n, dtype=np.float64)
    for rid, cal in calendars.items():
        m = region == rid
        if not m.any():
            continue
        w = deadlines.windows(today=eff_today[m], start=start[m], deadline=deadline[m], calendar=cal)
        remaining[m], overdue[m], share[m] = w.remaining, w.overdue, w.share

    # per-plan thresholds as arrays: index the plan's row in a small table
    plan_ids, plan_index = np.unique(plan, return_inverse=True)
    th = [thresholds_of(thresholds.get(int(p))) for p in plan_ids]

    def per_plan(attr: str, dtype: Any) -> Any:
        return np.array([getattr(t, attr) for t in th], dtype=dtype)[plan_index]

    window = per_plan("yellow_window_workdays", np.int64)
    colour_idx, flags, sched = deadlines.assess_counts(
        has_deadline=has_deadline,
        remaining=remaining,
        overdue=overdue,
        share=share,
        percent=percent,
        missed=missed,
        returns=returns,
        done=np.zeros(n, dtype=np.bool_),
        window=window,
        tolerance=per_plan("lag_tolerance", np.float64),
        yellow_missed=per_plan("yellow_missed_reports", np.int64),
        red_missed=per_plan("red_missed_reports", np.int64),
        red_returns=per_plan("red_returns", np.int64),
        unassigned=unassigned,
    )
    new_colour = COLOUR_NAMES[colour_idx]
    is_changed = new_colour != old_colour
    changed = np.nonzero(is_changed)[0]
    phases["assess"] = round(time.perf_counter() - started, 3)

    started = time.perf_counter()
    # the figures of a reason that do not move by themselves: a row is written only when one of them (or the
    # colour) changed; the text is rendered only for the colour changes (their audit rows and notifications)
    moved = is_changed | never_judged | (flags != old_flags) | (missed != old_missed) | (window != old_limit)
    reason_of = np.full(n, "", dtype=object)
    if len(changed):
        sched_pct = np.where(np.isnan(sched), -1.0, sched)
        keys = np.stack(
            [
                flags,
                np.round(percent).astype(np.int64),  # explain() prints whole percentages
                np.round(sched_pct).astype(np.int64),
                np.where(has_deadline, remaining, -1),
                np.where(has_deadline, overdue, -1),
                missed,
                returns,
                window,
            ],
            axis=1,
        )[changed]
        # distinct figures by their hash (a 1-D unique: far cheaper than comparing whole key rows)
        _, first, inverse = np.unique(_hash_rows(keys), return_index=True, return_inverse=True)
        texts = [
            reasons.render(
                reasons.Figures(
                    int(f),
                    percent=float(pct),
                    schedule=None if sch < 0 else float(sch),
                    remaining=None if rem < 0 else int(rem),
                    overdue=None if ovd < 0 else int(ovd),
                    missed=int(mis),
                    returns=int(ret),
                    window=int(win),
                )
            )
            for f, pct, sch, rem, ovd, mis, ret, win in keys[first].tolist()
        ]
        reason_of[changed] = np.array(texts, dtype=object)[inverse.reshape(-1)]
    refreshed = np.nonzero(moved & ~is_changed)[0]
    # titles only of the changed tasks (the audit rows and notifications name them), not of the whole ledger
    changed_ids = ids[changed].tolist()
    if len(changed_ids) > 20_000:
        wanted = set(changed_ids)
        titles = {
            pk: title
            for pk, title in Task.objects.filter(only, status__in=LIVE_STATUSES)
            .order_by()
            .values_list("id", "title")
            .iterator(chunk_size=20_000)
            if pk in wanted
        }
    else:
        titles = _titles(set(changed_ids))
    changes = [
        ColourChange(i, titles.get(i, ""), str(before), str(after), reason)
        for i, before, after, reason in zip(
            changed_ids,
            old_colour[changed].tolist(),
            new_colour[changed].tolist(),
            reason_of[changed].tolist(),
            strict=True,
        )
    ]
    phases["explain"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    changed_on = bulk.db_date(today)
    bulk.update_by_pk(
        Task,
        ("colour", "colour_changed_on", "missed_count", "colour_flags", "colour_limit", "colour_judged_on"),
        [
            (c.task_id, c.after, changed_on, m, f, w, changed_on)
            for c, m, f, w in zip(
                changes,
                missed[changed].tolist(),
                flags[changed].tolist(),
                window[changed].tolist(),
                strict=True,
            )
        ],
    )
    if len(refreshed):
        bulk.update_by_pk(
            Task,
            ("missed_count", "colour_flags", "colour_limit", "colour_judged_on"),
            [
                (i, m, f, w, changed_on)
                for i, m, f, w in zip(
                    ids[refreshed].tolist(),
                    missed[refreshed].tolist(),
                    flags[refreshed].tolist(),
                    window[refreshed].tolist(),
                    strict=True,
                )
            ],
        )
    phases["write"] = round(time.perf_counter() - started, 3)
    phases["refreshed"] = len(refreshed)
    started = time.perf_counter()
    _audit_changes(changes, actor)
    phases["audit"] = round(time.perf_counter() - started, 3)
    return changes


def _hash_rows(keys: Any) -> Any:
    """One int64 per row of small integers (wrapping multiply-add): equal figures give equal hashes."""
    h = np.full(len(keys), 1469598103934665603 & 0x7FFFFFFFFFFFFFFF, dtype=np.int64)
    with np.errstate(over="ignore"):
        for column in keys.T:
            h = (h ^ column.astype(np.int64)) * np.int64(1099511628211)
    return np.where(h == 0, 1, h)


def _audit_changes(changes: list[ColourChange], actor: User | None) -> None:
    """One audit event per colour change ({"colour": before} -> {"colour": after}, the reason, the task's title),
    written in bulk from plain tuples: one shared dict per colour, so each before/after is serialised once."""
    shared: dict[str, dict[str, str]] = {}

    def colour(value: str) -> dict[str, str]:
        d = shared.get(value)
        if d is None:
            d = shared[value] = {"colour": value}
        return d

    record_rows(
        actor=actor,
        action=SupervisionEvent.TASK_COLOUR_CHANGED,
        model=Task,
        rows=[(c.task_id, c.title, colour(c.before), colour(c.after), c.reason) for c in changes],
    )


# --- (3) notifications ------------------------------------------------------------------------------------
MASS_RECOLOUR = 10_000  # more changes than this: find their units with one join instead of IN lists
DIGEST_LINES = 30  # tasks named in one digest; the rest are counted


def _notify(
    today: dt.date,
    missed_rows: list[Missed],
    reminders: list[Reminder],
    changes: list[ColourChange],
) -> int:
    worse = [c for c in changes if c.after in (Colour.YELLOW, Colour.RED)]
    task_units: dict[int, list[int]] = defaultdict(list)
    if len(worse) > MASS_RECOLOUR:
        # a mass recolouring (the first sweep of a new ledger): one join on what this sweep just wrote beats
        # many long IN lists
        worse_ids = {c.task_id for c in worse}
        links = Assignment.objects.filter(
            active=True, task__colour_changed_on=today, task__colour__in=[Colour.YELLOW, Colour.RED]
        ).values_list("task_id", "unit_id")
        for task_id, unit_id in links.iterator(chunk_size=20_000):
            if task_id in worse_ids:
                task_units[task_id].append(unit_id)
    else:
        for chunk in _chunks([c.task_id for c in worse]):
            for task_id, unit_id in Assignment.objects.filter(task_id__in=chunk, active=True).values_list(
                "task_id", "unit_id"
            ):
                task_units[task_id].append(unit_id)
    unit_ids = (
        {u for us in task_units.values() for u in us}
        | {m.unit_id for m in missed_rows}
        | {r[2] for r in reminders}
    )
    recipients = notifications.unit_recipients(unit_ids)
    if not recipients:
        return 0
    known = {c.task_id: c.title for c in changes}
    titles = {
        **_titles({m.task_id for m in missed_rows if m.task_id not in known} | {r[1] for r in reminders}),
        **known,
    }
    # One digest per unit and kind per sweep date (its event key), not one message per task: a unit with 300
    # tasks turned red gets one 预警 message listing them, one 催办 and one 提醒.
    now = timezone.now()
    ledger = reverse("supervision:index")
    mine = reverse("supervision:my_tasks")
    marker = 987654321
    url_pattern = reverse("supervision:task_detail", args=[marker]).replace(str(marker), "{}")
    task_type = notifications.subject_type_id(Task)
    rows: list[notifications.NotificationRow] = []

    def digest(
        unit_id: int,
        kind: NotificationKind,
        title: str,
        lines: list[str],
        url: str,
        task_ids: list[int],
        sms: bool,
        key: str = "",
    ) -> None:
        people = recipients.get(unit_id)
        if not people or not lines:
            return
        one = len(set(task_ids)) == 1  # a digest of one task links to it and names it as its subject
        body = "\n".join(lines[:DIGEST_LINES])
        if len(lines) > DIGEST_LINES:
            body += f"\n……等共{len(lines)}项,请登录平台查看全部。"
        rows.extend(
            notifications.rows_for(
                people,
                kind=kind,
                kind_label=kind.label,
                key=key or f"{kind.value}:unit:{unit_id}:{today}",
                title=title,
                body=body,
                url=url_pattern.format(task_ids[0]) if one else url,
                subject_type_id=task_type if one else None,
                subject_id=task_ids[0] if one else "",
                subject_label=titles.get(task_ids[0], "") if one else "",
                sms=sms,
                now=now,
            )
        )

    by_unit: dict[int, list[ColourChange]] = defaultdict(list)
    for c in worse:
        for unit_id in task_units.get(c.task_id, []):
            by_unit[unit_id].append(c)
    for unit_id, items in by_unit.items():
        red = sum(1 for c in items if c.after == Colour.RED)
        counts = "、".join(
            part for part in (f"{red}项转为红灯" if red else "", f"{len(items) - red}项转为黄灯" if len(items) > red else "") if part
        )
        items.sort(key=lambda c: (c.after != Colour.RED, c.task_id))
        digest(
            unit_id,
            NotificationKind.COLOUR,
            f"预警:贵单位承担的任务{counts}",
            [f"{'红灯' if c.after == Colour.RED else '黄灯'}:“{c.title[:60]}”——{c.reason}" for c in items],
            f"{ledger}?unit={unit_id}",
            [c.task_id for c in items],
            sms=red > 0,
        )
    # the missed reports of one sweep share a handful of period starts and due dates: format each date once
    month_day = _formatter("%m月%d日")
    long_date = _formatter("%Y年%m月%d日")
    missed_by_unit: dict[int, list[Missed]] = defaultdict(list)
    for m in missed_rows:
        missed_by_unit[m.unit_id].append(m)
    for unit_id, ms in missed_by_unit.items():
        ms.sort(key=lambda m: (m.due_date, m.task_id))
        digest(
            unit_id,
            NotificationKind.MISSED,
            f"催办:贵单位有{len(ms)}期任务进展未按期报送",
            [
                f"“{titles.get(m.task_id, '')[:50]}”{month_day(m.period_start)}起的周期,"
                f"报送截止{long_date(m.due_date)}"
                for m in ms
            ],
            mine,
            [m.task_id for m in ms],
            sms=True,
        )
    # reminders: one digest per unit and due date (the key), so the reminder window's second day (the same
    # periods, the same due date) sends nothing again
    reminders_by_unit: dict[tuple[int, dt.date], list[Reminder]] = defaultdict(list)
    for r in reminders:
        reminders_by_unit[(r[2], r[4])].append(r)
    for (unit_id, due_on), rs in reminders_by_unit.items():
        rs.sort(key=lambda r: r[1])
        digest(
            unit_id,
            NotificationKind.REMINDER,
            f"提醒:贵单位有{len(rs)}项任务本期进展即将到期",
            [
                f"“{titles.get(task_id, '')[:50]}”请于{month_day(due)}前报送({period.label()})"
                for _, task_id, _, period, due in rs
            ],
            mine,
            [r[1] for r in rs],
            sms=False,
            key=f"{NotificationKind.REMINDER.value}:unit:{unit_id}:due:{due_on}",
        )
    return notifications.create(rows)


def _formatter(pattern: str) -> Any:
    """`d.strftime(pattern)`, computed once per distinct date."""
    known: dict[dt.date, str] = {}

    def fmt(d: dt.date) -> str:
        text = known.get(d)
        if text is None:
            text = known[d] = d.strftime(pattern)
        return text

    return fmt


def _chunks(ids: list[int]) -> list[list[int]]:
    """`ids` in pieces that fit one IN (...) list (SQLite limits the number of parameters)."""
    size = min(10_000, connection.features.max_query_params or 10_000)
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _titles(task_ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(list(task_ids)):
        out.update(Task.objects.filter(pk__in=chunk).values_list("id", "title"))
    return out


def latest_run() -> SweepRun | None:
    return SweepRun.objects.order_by("-date").first()
