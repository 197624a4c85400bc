"""The scoreboard's trend: report timeliness per month from one grouped query over both report tables (by due
date), the colours from the sweep runs in one more; the figures are those the per-month queries gave."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Q

from luoshi.supervision import periods, selectors, services
from luoshi.supervision.models import Assignment, MissedReport, ProgressReport, SweepRun, Task

pytestmark = pytest.mark.django_db


def _expected(last: periods.Period, months: int) -> list[dict[str, Any]]:
    """The trend computed the plain way: one query per month and table, the month's last sweep run."""
    seq = []
    p = last
    for _ in range(months):
        seq.append(p)
        p = periods.previous_period("monthly", p)
    out = []
    for p in reversed(seq):
        month = Q(due_date__gte=p.start, due_date__lte=p.end)
        total = ProgressReport.objects.filter(month).count()
        on_time = ProgressReport.objects.filter(month, late=False).count()
        missed = MissedReport.objects.filter(month, resolved_at__isnull=True).count()
        run = SweepRun.objects.filter(date__lte=p.end).order_by("-date").first()
        counts = run.counts if run else {}
        out.append(
            {
                "period": f"{p.start:%Y-%m}",
                "timeliness": round(100.0 * on_time / (total + missed), 1) if total + missed else None,
                "red": counts.get("red", 0),
                "yellow": counts.get("yellow", 0),
                "green": counts.get("green", 0),
            }
        )
    return out


def test_trend_matches_the_per_month_figures_in_few_queries(
    tasks: list[Task], users: dict[str, Any], django_assert_num_queries: Any
) -> None:
    a = Assignment.objects.filter(task=tasks[0], is_lead=True).first()
    assert a is not None
    services.report_file(
        assignment=a,
        user=users["staff"],
        period_start=dt.date(2026, 2, 1),
        narrative="按计划推进",
        percent=10,
        today=dt.date(2026, 3, 2),
    )
    for day in (dt.date(2026, 3, 10), dt.date(2026, 5, 12), dt.date(2026, 6, 2)):
        services.sweep(day)
    assert MissedReport.objects.exists() and ProgressReport.objects.exists()
    last = periods.period_containing("monthly", dt.date(2026, 6, 15))
    for user in (users["admin"], users["leader"]):
        got = selectors.trend(user, last, months=6)
        assert got == _expected(last, 6)
    assert [row["period"] for row in got] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert got[0]["red"] == 0 and got[2]["red"] + got[2]["yellow"] + got[2]["green"] > 0  # April carries March on
    assert got[3] == {**got[2], "period": "2026-04", "timeliness": got[3]["timeliness"]}
    selectors.trend(users["admin"], last, months=6)
    # the scope (region ids, units) 3, the report figures 1, the sweep runs 2 (none in January: the run before)
    with django_assert_num_queries(6):
        selectors.trend(users["admin"], last, months=6)
