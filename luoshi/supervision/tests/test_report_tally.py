"""The scoreboard's report figures come from ReportTally, kept by database triggers on both report tables
(migration 0014, ADR 0125): whatever writes the reports (ORM, bulk insert, raw UPDATE, delete, the sweep's missed
insert, a resolution), the tally equals the live grouped reads, and the page sums a few hundred rows."""

from __future__ import annotations

import datetime as dt
import importlib
import random
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.supervision import periods, selectors
from luoshi.supervision.models import Assignment, MissedReport, ProgressReport, ReportTally, Task

pytestmark = pytest.mark.django_db
sweep_module = importlib.import_module("luoshi.supervision.services.sweep")  # the module, not the function

MONTHS = [periods.period_containing("monthly", dt.date(2026, m, 1)) for m in range(1, 8)]


def _tally(period: periods.Period) -> dict[int, tuple[int, int, int]]:
    return {u: (f, o, m) for u, f, o, m in selectors.report_figures(period) if (f, o, m) != (0, 0, 0)}


def _live(period: periods.Period) -> dict[int, tuple[int, int, int]]:
    return {
        u: (f, o, m) for u, f, o, m in selectors._report_figures_live(period, None) if (f, o, m) != (0, 0, 0)
    }


def _assert_equal() -> None:
    for p in MONTHS:
        assert _tally(p) == _live(p), p


@pytest.fixture
def ledger(many: dict[str, Any], units: dict[str, Any]) -> list[Assignment]:
    """The 165 assignments of `many` with a generated history: reports and missed reports over seven months,
    late at random, some without a due date."""
    rng = random.Random(125)
    rows = list(Assignment.objects.select_related("task").order_by("pk"))
    reports, missed = [], []
    for a in rows:
        for p in MONTHS[:6]:
            due = p.end + dt.timedelta(days=rng.randint(1, 6))
            roll = rng.random()
            if roll < 0.6:
                reports.append(
                    ProgressReport(
                        assignment=a, task=a.task, unit=a.unit, period_start=p.start, period_end=p.end,
                        narrative="推进", percent=50, late=rng.random() < 0.3,
                        due_date=None if roll < 0.05 else due,
                    )
                )
            elif roll < 0.9:
                missed.append(
                    MissedReport(
                        assignment=a, task=a.task, unit=a.unit, period_start=p.start, period_end=p.end,
                        due_date=due, detected_on=due + dt.timedelta(days=1),
                    )
                )
    ProgressReport.objects.exclude(period_start__in=[p.start for p in MONTHS[:6]]).delete()
    ProgressReport.objects.bulk_create(reports, ignore_conflicts=True)
    MissedReport.objects.bulk_create(missed)
    return rows


def test_tally_equals_the_live_figures_after_every_kind_of_write(ledger: list[Assignment], units: Any) -> None:
    _assert_equal()
    assert ReportTally.objects.exists()
    # raw updates of what the figures read: lateness, the due date (moving a report to another month), the unit
    ProgressReport.objects.filter(pk__in=list(ProgressReport.objects.values_list("pk", flat=True)[::4])).update(
        late=True
    )
    _assert_equal()
    ProgressReport.objects.filter(period_start=MONTHS[1].start).update(due_date=dt.date(2026, 4, 3))
    _assert_equal()
    ProgressReport.objects.filter(period_start=MONTHS[2].start, due_date__isnull=True).update(
        due_date=dt.date(2026, 3, 31)
    )
    ProgressReport.objects.filter(period_start=MONTHS[3].start).update(unit=units["jz_fgw"])
    _assert_equal()
    # what does not move a figure (a new version's text) leaves the tally as it is
    before = list(ReportTally.objects.order_by("pk").values_list("pk", "filed", "on_time", "missed"))
    ProgressReport.objects.update(narrative="第二版", percent=70, version=2)
    assert list(ReportTally.objects.order_by("pk").values_list("pk", "filed", "on_time", "missed")) == before
    # missed reports resolved, reopened, moved, deleted
    some = list(MissedReport.objects.values_list("pk", flat=True)[::3])
    MissedReport.objects.filter(pk__in=some).update(resolved_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    _assert_equal()
    MissedReport.objects.filter(pk__in=some[::2]).update(resolved_at=None)
    MissedReport.objects.filter(period_start=MONTHS[0].start).update(due_date=dt.date(2026, 2, 27))
    _assert_equal()
    MissedReport.objects.filter(pk__in=some[1::2]).delete()
    ProgressReport.objects.filter(period_start=MONTHS[4].start).delete()
    _assert_equal()
    Task.objects.filter(pk__in=[a.task_id for a in ledger[:10]]).delete()  # cascades to both report tables
    _assert_equal()


def test_report_write_path_and_sweep_keep_the_tally(tasks: list[Task], users: dict[str, Any]) -> None:
    """A report posted through the service (resolving the missed report the sweep recorded) and the sweep's own
    set-wise missed insert both go through the triggers."""
    from luoshi.supervision.services import sweep
    from luoshi.supervision.services.reports import report_file

    sweep(dt.date(2026, 6, 2))
    assert MissedReport.objects.exists()
    _assert_equal()
    missed = MissedReport.objects.filter(unit=users["staff"].unit, resolved_at__isnull=True).first()
    assert missed is not None
    report_file(
        assignment=missed.assignment, user=users["staff"], period_start=missed.period_start, narrative="补报",
        percent=30, today=dt.date(2026, 6, 3),
    )
    missed.refresh_from_db()
    assert missed.resolved_at is not None
    _assert_equal()


def test_scoreboard_and_trend_read_the_tally_not_the_reports(ledger: list[Assignment], users: Any) -> None:
    june = MONTHS[5]
    selectors.scoreboard(users["admin"], june)  # the task figures' snapshot is taken
    with CaptureQueriesContext(connection) as queries:
        scores = selectors.scoreboard(users["admin"], june)
        trend = selectors.trend(users["admin"], june)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert ProgressReport._meta.db_table not in sql and MissedReport._meta.db_table not in sql
    assert len(queries.captured_queries) <= 12
    live = _live(june)
    for s in scores:
        f, o, m = live.get(s.unit_id, (0, 0, 0))
        assert (s.reports_expected, s.reports_on_time) == (f + m, o)
    month = {row["period"]: row for row in trend}
    for p in MONTHS[:6]:
        totals = [sum(v) for v in zip(*_live(p).values(), strict=True)] or [0, 0, 0]
        expected = totals[0] + totals[2]
        want = round(100.0 * totals[1] / expected, 1) if expected else None
        assert month[f"{p.start:%Y-%m}"]["timeliness"] == want


def _held() -> bool:
    """Whether the sweep's hold on the missed reports' INSERT trigger is on, as this connection sees it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting(%s, true)", [sweep_module.TALLY_HOLD_SETTING])
            return bool(cursor.fetchone()[0] == "on")
        cursor.execute(f"SELECT count(*) FROM {sweep_module.TALLY_HOLD_TABLE}")
        return bool(cursor.fetchone()[0])


def test_sweep_counts_its_own_missed_reports_exactly(tasks: list[Task], users: dict[str, Any]) -> None:
    """ADR 0141: while the sweep inserts missed reports it holds their INSERT trigger and adds the rows its
    INSERTs returned itself. After a first sweep, a re-run, a later day (periods already recorded are skipped by
    the unique index, not counted twice) the tally equals the live reads, and the hold is never left on."""
    from luoshi.supervision.services import sweep

    sweep(dt.date(2026, 6, 2))
    first = MissedReport.objects.count()
    assert first and not _held()
    _assert_equal()
    sweep(dt.date(2026, 6, 2))
    sweep(dt.date(2026, 7, 6))
    assert MissedReport.objects.count() > first and not _held()
    _assert_equal()
    # any other insert of a missed report still goes through the trigger
    a = Assignment.objects.select_related("task").filter(active=True).first()
    assert a is not None
    MissedReport.objects.create(
        assignment=a, task=a.task, unit=a.unit, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 1, 31),
        due_date=dt.date(2026, 2, 5), detected_on=dt.date(2026, 2, 6),
    )
    _assert_equal()


def test_a_failed_sweep_leaves_the_tally_and_the_hold_as_they_were(
    tasks: list[Task], users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import transaction

    from luoshi.supervision.services import sweep

    before = list(ReportTally.objects.order_by("pk").values_list("pk", "filed", "on_time", "missed"))

    def fail(rows: Any) -> None:
        assert rows and _held()  # inside the hold, after the INSERTs
        raise RuntimeError("boom")

    monkeypatch.setattr(sweep_module, "_tally_missed", fail)
    with pytest.raises(RuntimeError), transaction.atomic():
        sweep(dt.date(2026, 6, 2))
    assert not _held() and not MissedReport.objects.exists()
    assert list(ReportTally.objects.order_by("pk").values_list("pk", "filed", "on_time", "missed")) == before
    _assert_equal()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_truncate_rebuilds_the_tally(ledger: list[Assignment]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {MissedReport._meta.db_table}")
    assert not MissedReport.objects.exists() and ProgressReport.objects.exists()
    _assert_equal()
