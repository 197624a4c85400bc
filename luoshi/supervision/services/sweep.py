"""The daily warning sweep (每日预警扫描): set-based and idempotent.

For a date it (1) records the reports that fell due and did not come (MissedReport, looking back
LOOKBACK_DAYS so a sweep that did not run for a while catches up), (2) recolours every live task with the
rules of luoshi.supervision.rules on numpy arrays (working days from the vectorised calendar), writing only
the rows whose colour or missed count changed and auditing each colour change with its reason, and
(3) creates the notifications — colour turned yellow/red, report missed, report due soon — each keyed by
its event so a second run for the same date creates none. The per-date SweepRun row keeps the counts.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.models import User
from luoshi.audit.services import record_many
from luoshi.orgs.models import Region
from luoshi.supervision import notifications, periods, rules
from luoshi.supervision.models import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    Assignment,
    Colour,
    MissedReport,
    Notification,
    NotificationKind,
    ProgressReport,
    SweepRun,
    Task,
    TaskStatus,
    WarningThresholds,
)
from luoshi.supervision.services.common import EPOCH, calendar_for, thresholds_of

LOOKBACK_DAYS = 92
LOOKBACK = dt.timedelta(days=LOOKBACK_DAYS)
LAST_DAY = (dt.date(2099, 12, 31) - EPOCH).days
COLOUR_NAMES = np.array([c.value for c in rules.COLOURS])


@dataclass
class SweepResult:
    date: str
    green: int
    yellow: int
    red: int
    changed: int
    notifications: int
    missed: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The one-line JSON the command prints."""
        return {
            k: v
            for k, v in asdict(self).items()
            if k in ("date", "green", "yellow", "red", "changed", "notifications")
        }


def _day(d: dt.date) -> int:
    return min(max((d - EPOCH).days, 0), LAST_DAY)


def sweep(date: dt.date | None = None, actor: User | None = None) -> SweepResult:
    today = date or timezone.localdate()
    started = time.perf_counter()
    with transaction.atomic():
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
        previous = (
            SweepRun.objects.filter(date__lt=today, finished_at__isnull=False, date__gte=today - LOOKBACK)
            .order_by("-date")
            .values_list("date", flat=True)
            .first()
        )
        missed_rows, reminders = _detect_missed(
            today, thresholds, regions, calendars, checked_before=previous
        )
        changes = _recolour(today, thresholds, calendars, actor)
        created = _notify(today, missed_rows, reminders, changes)
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
        )
        result.seconds = round(time.perf_counter() - started, 3)
        SweepRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(),
            runs=run.runs + 1,
            seconds=result.seconds,
            counts=asdict(result)
            if run.runs == 0
            else {
                **run.counts,
                **{k: v for k, v in asdict(result).items() if k in ("green", "yellow", "red", "seconds")},
            },
        )
    return result


# --- (1) missed reports and reminders -------------------------------------------------------------------
def _detect_missed(
    today: dt.date,
    thresholds: dict[int, WarningThresholds],
    regions: dict[int, Region],
    calendars: dict[int, Any],
    checked_before: dt.date | None = None,
) -> tuple[list[MissedReport], list[tuple[int, int, int, periods.Period, dt.date]]]:
    """Missed reports of the periods due before today (those due before `checked_before`, the date of the last
    finished sweep, were recorded by it) and reminders for the periods due within the reminder window."""
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
    new_rows: list[MissedReport] = []
    reminders: list[tuple[int, int, int, periods.Period, dt.date]] = []
    for (region_id, cycle, grace, remind), plan_ids in groups.items():
        cal = calendars[region_id]
        remind_limit = _date(cal.add_workdays(today, remind))
        for period in periods.periods_between(cycle, today - dt.timedelta(days=LOOKBACK_DAYS), today):
            if period.end >= today:
                break
            due = _date(cal.add_workdays(period.end, grace))
            if due < today and checked_before is not None and due < checked_before:
                continue  # recorded by an earlier sweep
            base = Assignment.objects.filter(
                active=True,
                task__region_id=region_id,
                task__reporting_cycle=cycle,
                task__plan_id__in=plan_ids,
                task__status__in=OPEN_STATUSES,
                task__start_date__lte=period.start,
                task__reports_from__lte=period.start,
            ).exclude(
                Exists(ProgressReport.objects.filter(assignment=OuterRef("pk"), period_start=period.start))
            )
            if due < today:
                rows = base.exclude(
                    Exists(MissedReport.objects.filter(assignment=OuterRef("pk"), period_start=period.start))
                ).values_list("id", "task_id", "unit_id")
                new_rows.extend(
                    MissedReport(
                        assignment_id=a,
                        task_id=t,
                        unit_id=u,
                        period_start=period.start,
                        period_end=period.end,
                        due_date=due,
                        detected_on=today,
                    )
                    for a, t, u in rows
                )
            elif due <= remind_limit:
                reminders.extend(
                    (a, t, u, period, due) for a, t, u in base.values_list("id", "task_id", "unit_id")
                )
    MissedReport.objects.bulk_create(new_rows, batch_size=2000, ignore_conflicts=True)
    return new_rows, reminders


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


def _recolour(
    today: dt.date, thresholds: dict[int, WarningThresholds], calendars: dict[int, Any], actor: User | None
) -> list[ColourChange]:
    open_missed = dict(
        MissedReport.objects.filter(resolved_at__isnull=True, task__status__in=LIVE_STATUSES)
        .values_list("task_id")
        .annotate(n=Count("period_start", distinct=True))
        .values_list("task_id", "n")
    )
    rows = list(
        Task.objects.filter(status__in=LIVE_STATUSES).values_list(
            "id",
            "region_id",
            "plan_id",
            "start_date",
            "deadline",
            "ongoing",
            "percent",
            "returns_count",
            "missed_count",
            "status",
            "colour",
            "sign_off_requested_at",
            "title",
        )
    )
    if not rows:
        return []
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    region = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
    plan = np.fromiter((r[2] for r in rows), dtype=np.int64, count=n)
    today_day = _day(today)
    requested = TaskStatus.SIGN_OFF_REQUESTED
    eff_today = np.fromiter(
        (
            min(today_day, _day(timezone.localdate(r[11]))) if r[9] == requested and r[11] else today_day
            for r in rows
        ),
        dtype=np.int64,
        count=n,
    )
    start = np.fromiter((_day(r[3]) for r in rows), dtype=np.int64, count=n)
    has_deadline = np.fromiter((r[4] is not None and not r[5] for r in rows), dtype=np.bool_, count=n)
    deadline = np.fromiter(
        (_day(r[4]) if r[4] is not None else today_day for r in rows), dtype=np.int64, count=n
    )
    percent = np.fromiter((r[6] for r in rows), dtype=np.float64, count=n)
    returns = np.fromiter((r[7] for r in rows), dtype=np.int64, count=n)
    old_missed = np.fromiter((r[8] for r in rows), dtype=np.int64, count=n)
    missed = np.fromiter((open_missed.get(r[0], 0) for r in rows), dtype=np.int64, count=n)
    old_colour = np.array([r[10] for r in rows], dtype=object)

    remaining = np.zeros(n, dtype=np.int64)
    overdue = np.zeros(n, dtype=np.int64)
    elapsed = np.zeros(n, dtype=np.int64)
    total = np.zeros(n, dtype=np.int64)
    top = LAST_DAY
    for rid, cal in calendars.items():
        m = region == rid
        if not m.any():
            continue
        t, d, s = eff_today[m], deadline[m], start[m]
        d1 = np.minimum(d + 1, top)
        rem, _ = cal.workdays_between_many(np.minimum(t + 1, top), d1)
        ovd, _ = cal.workdays_between_many(d1, np.minimum(t + 1, top))
        tot, _ = cal.workdays_between_many(s, d1)
        ela, _ = cal.workdays_between_many(s, np.minimum(np.minimum(t, d) + 1, top))
        remaining[m] = np.where(t < d, np.maximum(rem, 0), 0)
        overdue[m] = np.where(t > d, np.maximum(ovd, 1), 0)
        total[m] = np.maximum(tot, 0)
        elapsed[m] = np.where(t >= s, np.maximum(ela, 0), 0)

    plan_ids = np.unique(plan)
    th = {int(p): thresholds_of(thresholds.get(int(p))) for p in plan_ids}

    def per_plan(attr: str, dtype: Any) -> Any:
        lookup = {p: getattr(t, attr) for p, t in th.items()}
        return np.fromiter((lookup[int(p)] for p in plan), dtype=dtype, count=n)

    window = per_plan("yellow_window_workdays", np.int64)
    colour_idx, flags, sched = rules.assess_counts(
        has_deadline=has_deadline,
        remaining=remaining,
        overdue=overdue,
        elapsed=elapsed,
        total=total,
        percent=percent,
        missed=missed,
        returns=returns,
        done=np.zeros(n, dtype=np.bool_),
        window=window,
        tolerance=per_plan("lag_tolerance", np.float64),
        yellow_missed=per_plan("yellow_missed_reports", np.int64),
        red_missed=per_plan("red_missed_reports", np.int64),
        red_returns=per_plan("red_returns", np.int64),
    )
    new_colour = COLOUR_NAMES[colour_idx]
    changed = np.nonzero(new_colour != old_colour)[0]
    missed_changed = np.nonzero((missed != old_missed) & (new_colour == old_colour))[0]

    changes: list[ColourChange] = []
    to_update: list[Task] = []
    for i in changed:
        reason = rules.explain(
            int(flags[i]),
            percent=float(percent[i]),
            schedule=None if np.isnan(sched[i]) else float(sched[i]),
            remaining=int(remaining[i]) if has_deadline[i] else None,
            overdue=int(overdue[i]) if has_deadline[i] else None,
            missed=int(missed[i]),
            returns=int(returns[i]),
            window=int(window[i]),
        )[:500]
        changes.append(ColourChange(int(ids[i]), rows[i][12], str(old_colour[i]), str(new_colour[i]), reason))
        to_update.append(
            Task(
                pk=int(ids[i]),
                colour=str(new_colour[i]),
                colour_reason=reason,
                colour_changed_on=today,
                missed_count=int(missed[i]),
            )
        )
    _write_rows([(int(t.pk), t.colour, t.colour_reason, today, t.missed_count) for t in to_update])
    if len(missed_changed):
        _write_missed([(int(missed[i]), int(ids[i])) for i in missed_changed])
    _audit_changes(changes, actor)
    return changes


def _write_rows(rows: list[tuple[int, str, str, dt.date, int]]) -> None:
    """Write new colours by primary key in a few statements (Django's bulk_update builds a CASE per row in
    Python, far too slow for 100k rows): UPDATE ... FROM (VALUES ...) on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    table = connection.ops.quote_name(Task._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for i in range(0, len(rows), 2000):
                chunk = rows[i : i + 2000]
                values = ",".join(["(%s, %s, %s, %s::date, %s)"] * len(chunk))
                cursor.execute(
                    f"UPDATE {table} AS t SET colour = v.colour, colour_reason = v.reason, "
                    f"colour_changed_on = v.changed_on, missed_count = v.missed "
                    f"FROM (VALUES {values}) AS v(id, colour, reason, changed_on, missed) WHERE t.id = v.id",
                    [x for row in chunk for x in row],
                )
        else:
            cursor.executemany(
                f"UPDATE {table} SET colour = %s, colour_reason = %s, colour_changed_on = %s, missed_count = %s "
                "WHERE id = %s",
                [(c, r, d, m, pk) for pk, c, r, d, m in rows],
            )


def _write_missed(rows: list[tuple[int, int]]) -> None:
    table = connection.ops.quote_name(Task._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET missed_count = %s WHERE id = %s", rows)


def _audit_changes(changes: list[ColourChange], actor: User | None) -> None:
    """One audit event per colour change, written in bulk (the subjects are id-only Task stand-ins)."""
    record_many(
        actor=actor,
        action="task.colour_changed",
        events=[
            (Task(pk=c.task_id, title=c.title), {"colour": c.before}, {"colour": c.after}, c.reason)
            for c in changes
        ],
    )


# --- (3) notifications ------------------------------------------------------------------------------------
def _notify(
    today: dt.date,
    missed_rows: list[MissedReport],
    reminders: list[tuple[int, int, int, periods.Period, dt.date]],
    changes: list[ColourChange],
) -> int:
    worse = [c for c in changes if c.after in (Colour.YELLOW, Colour.RED)]
    task_units: dict[int, list[int]] = defaultdict(list)
    worse_ids = [c.task_id for c in worse]
    for i in range(0, len(worse_ids), 900):
        for task_id, unit_id in Assignment.objects.filter(
            task_id__in=worse_ids[i : i + 900], active=True
        ).values_list("task_id", "unit_id"):
            task_units[task_id].append(unit_id)
    unit_ids = (
        {u for us in task_units.values() for u in us}
        | {m.unit_id for m in missed_rows}
        | {r[2] for r in reminders}
    )
    recipients = notifications.unit_recipients(unit_ids)
    if not recipients:
        return 0
    titles = _titles({m.task_id for m in missed_rows} | {r[1] for r in reminders})
    rows: list[Notification] = []
    for c in worse:
        label = "红灯" if c.after == Colour.RED else "黄灯"
        url = reverse("supervision:task_detail", args=[c.task_id])
        for unit_id in task_units.get(c.task_id, []):
            rows += notifications.rows_for(
                recipients.get(unit_id, []),
                kind=NotificationKind.COLOUR,
                key=f"colour:{c.task_id}:{c.after}:{today}",
                title=f"{label}预警:{c.title[:60]}",
                body=c.reason,
                url=url,
                task_id=c.task_id,
                sms=c.after == Colour.RED,
            )
    for m in missed_rows:
        rows += notifications.rows_for(
            recipients.get(m.unit_id, []),
            kind=NotificationKind.MISSED,
            key=f"missed:{m.assignment_id}:{m.period_start}",
            title=f"催办:“{titles.get(m.task_id, '')[:50]}”{m.period_start:%m月%d日}起的周期进展未按期报送",
            body=f"报送截止日期为{m.due_date:%Y年%m月%d日},请尽快补报。",
            url=reverse("supervision:task_detail", args=[m.task_id]),
            task_id=m.task_id,
            sms=True,
        )
    for assignment_id, task_id, unit_id, period, due in reminders:
        rows += notifications.rows_for(
            recipients.get(unit_id, []),
            kind=NotificationKind.REMINDER,
            key=f"remind:{assignment_id}:{period.start}",
            title=f"提醒:“{titles.get(task_id, '')[:50]}”本期进展请于{due:%m月%d日}前报送",
            body=f"填报周期:{period.label()}。",
            url=reverse("supervision:task_detail", args=[task_id]),
            task_id=task_id,
        )
    return notifications.create(rows)


def _titles(task_ids: set[int]) -> dict[int, str]:
    ids = list(task_ids)
    out: dict[int, str] = {}
    for i in range(0, len(ids), 900):
        out.update(Task.objects.filter(pk__in=ids[i : i + 900]).values_list("id", "title"))
    return out


def latest_run() -> SweepRun | None:
    return SweepRun.objects.order_by("-date").first()
