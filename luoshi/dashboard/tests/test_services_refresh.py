"""The summary refresh: figures equal direct counts, roll up the region tree, and a past period keeps its
numbers (frozen, and the same again when rebuilt from the dated history)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.dashboard.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def _snap(
    key: str, kind: str, start: dt.date, *, region: Any = None, unit: Any = None, bucket: str = ""
) -> Any:
    from luoshi.dashboard.models import FigureSnapshot

    return FigureSnapshot.objects.get(
        key=key, period_kind=kind, period_start=start, region=region, unit=unit, bucket=bucket
    )


def test_on_time_rate_matches_a_direct_count_and_rolls_up(
    refreshed: dict[str, Any], regions: dict[str, Any], county: Any
) -> None:
    from django.db.models import F

    from luoshi.supervision.models import Task

    jm = regions["jingmen"]
    due = Task.objects.filter(region__path__startswith=jm.path, ongoing=False, deadline__lte=TODAY)
    on_time = due.filter(status="signed_off", signed_off_on__lte=F("deadline"))
    s = _snap("supervision.on_time_rate", "month", dt.date(2026, 6, 1), region=jm)
    assert (s.numerator, s.denominator, s.value) == (on_time.count(), due.count(), 40.0) == (2, 5, 40.0)
    assert _snap("supervision.on_time_rate", "month", dt.date(2026, 6, 1), region=county).value == 100.0
    province = _snap("supervision.on_time_rate", "month", dt.date(2026, 6, 1), region=regions["hubei"])
    assert province.denominator == 5  # 荆州市 has none
    fgw = _snap("supervision.on_time_rate", "month", dt.date(2026, 6, 1), unit=refreshed["units"]["jm_fgw"])
    assert (fgw.numerator, fgw.denominator) == (1, 3)
    plan_bucket = _snap(
        "supervision.on_time_rate",
        "month",
        dt.date(2026, 6, 1),
        region=jm,
        bucket=f"plan:{refreshed['tasks'][0].plan_id}",
    )
    assert plan_bucket.bucket_label == "荆门市优化营商环境行动方案" and plan_bucket.denominator == 4


def test_overdue_counts_from_dated_facts(refreshed: dict[str, Any], regions: dict[str, Any]) -> None:
    jm = regions["jingmen"]
    assert _snap("supervision.overdue", "month", dt.date(2026, 6, 1), region=jm).numerator == 2
    may = _snap("supervision.overdue", "month", dt.date(2026, 5, 1), region=jm)
    assert may.numerator == 1 and may.final  # on 5-31 only the 5-15 task was overdue


def test_a_closed_period_keeps_its_numbers(
    refreshed: dict[str, Any], regions: dict[str, Any], monkeypatch: Any
) -> None:
    from luoshi.dashboard import services
    from luoshi.supervision.models import Task

    jm = regions["jingmen"]
    may = dt.date(2026, 5, 1)
    before = _snap("supervision.overdue", "month", may, region=jm).numerator
    late = refreshed["tasks"][4]
    Task.objects.filter(pk=late.pk).update(status="signed_off", signed_off_on=TODAY)
    result = services.refresh(today=TODAY, periods=services.periods_to_refresh(TODAY, {"month": 2}))
    assert "2026-05" not in " ".join(result.periods) and result.skipped == ["2026-05"]
    assert _snap("supervision.overdue", "month", may, region=jm).numerator == before
    assert _snap("supervision.overdue", "month", dt.date(2026, 6, 1), region=jm).numerator == 1
    # rebuilt from the dated history, May still says what it said
    services.refresh(today=TODAY, periods=services.periods_to_refresh(TODAY, {"month": 2}), rebuild=True)
    assert _snap("supervision.overdue", "month", may, region=jm).numerator == before


def test_colours_are_counted_only_while_the_period_is_open(
    refreshed: dict[str, Any], regions: dict[str, Any]
) -> None:
    from luoshi.dashboard.models import FigureSnapshot

    jm = regions["jingmen"]
    assert _snap("supervision.colour", "month", dt.date(2026, 6, 1), region=jm, bucket="red").numerator == 2
    assert not FigureSnapshot.objects.filter(
        key="supervision.colour", period_start=dt.date(2026, 5, 1), period_kind="month"
    ).exists()


def test_every_provider_is_discovered_and_keys_are_unique() -> None:
    from luoshi.dashboard import providers

    keys = [s.key for s in providers.sources()]
    assert "supervision.on_time_rate" in keys and "projects.by_stage" in keys
    assert len(keys) == len(set(keys))
    assert all(k.split(".")[0] in ("supervision", "projects", "requests", "policies") for k in keys)


def test_an_incremental_refresh_recomputes_only_the_figures_written_and_matches_direct_counts(
    refreshed: dict[str, Any], regions: dict[str, Any]
) -> None:
    """The half-hourly job: a request received today (with its audit event) recomputes the request figures of
    the open periods; the supervision, project and policy rows stay as they were (same rows, same stamps).
    The open quarter's and year's request volumes are the sums of their months and equal direct counts."""
    from django.utils import timezone

    from luoshi.audit.services import record
    from luoshi.dashboard import services
    from luoshi.dashboard.models import FigureSnapshot
    from luoshi.requests.events import RequestEvent
    from luoshi.requests.models import Request

    jm = regions["jingmen"]
    open_ = services.periods_to_refresh(TODAY, {"month": 1, "quarter": 1, "year": 1})
    starts = [p.start for p in open_]
    services.refresh(today=TODAY, periods=open_)

    def rows(prefix: str) -> set[tuple[Any, ...]]:
        return set(
            FigureSnapshot.objects.filter(key__startswith=prefix, period_start__in=starts).values_list(
                "pk", "computed_at", "numerator"
            )
        )

    untouched = {p: rows(p) for p in ("supervision.", "projects.", "policies.")}
    assert untouched["supervision."]
    requests_before = rows("requests.")
    day = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(10)))
    req = Request.objects.create(
        number="T-INC-1",
        region=jm,
        enterprise_name="荆门增量测试企业",
        contact_name="张三",
        contact_phone="13800000000",
        channel="hotline",
        category="consult",
        title="增量刷新",
        text="增量刷新测试",
        received_at=day,
        lead_unit=refreshed["units"]["jm_fgw"],
        due_on=TODAY + dt.timedelta(days=7),
    )
    record(actor=None, action=RequestEvent.FILED, subject=req)

    result = services.refresh(today=TODAY, periods=open_, incremental=True)

    assert {p: rows(p) for p in untouched} == untouched
    assert rows("requests.") != requests_before and not (rows("requests.") & requests_before)
    kept = {u.rsplit(":", 1)[-1] for u in result.unchanged}
    assert kept and not any(k.startswith("requests.") for k in kept)
    assert any(k.startswith("supervision.") for k in kept)
    for p in open_:
        direct = Request.objects.filter(
            region__path__startswith=jm.path,
            received_at__gte=timezone.make_aware(dt.datetime.combine(p.start, dt.time())),
            received_at__lt=timezone.make_aware(dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time())),
        )
        assert _snap("requests.by_channel", p.kind, p.start, region=jm).numerator == direct.count() >= 1
        hotline = _snap("requests.by_channel", p.kind, p.start, region=jm, bucket="channel:hotline")
        assert hotline.numerator == direct.filter(channel="hotline").count()
        unit = _snap("requests.by_channel", p.kind, p.start, unit=refreshed["units"]["jm_fgw"])
        assert unit.numerator == direct.filter(lead_unit=refreshed["units"]["jm_fgw"]).count()


def test_report_timeliness_of_a_quarter_is_the_sum_of_its_months_and_a_direct_count(
    ledger: dict[str, Any], regions: dict[str, Any], monkeypatch: Any
) -> None:
    """Each report that was due counts once, on its due day: a report filed late after its month closed is the
    month's missing report, not a second one; so the open quarter (summed from its months, `additive`) equals
    the quarter tallied directly."""
    from django.utils import timezone

    from luoshi.dashboard import services
    from luoshi.dashboard.engine import Period
    from luoshi.supervision import metrics
    from luoshi.supervision.models import MissedReport, ProgressReport

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    task = ledger["tasks"][3]  # due at the year's end, reported monthly
    assignment = task.assignments.get()

    def at(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))

    def report(month: int, due: dt.date, submitted: dt.date, late: bool) -> None:
        ProgressReport.objects.create(
            assignment=assignment, task=task, unit=assignment.unit, period_start=dt.date(2026, month, 1),
            period_end=dt.date(2026, month, 28), narrative="进展", percent=10.0, submitted_at=at(submitted),
            due_date=due, late=late,
        )

    def missed(month: int, due: dt.date, resolved: dt.date | None) -> None:
        MissedReport.objects.create(
            assignment=assignment, task=task, unit=assignment.unit, period_start=dt.date(2026, month, 1),
            period_end=dt.date(2026, month, 28), due_date=due, detected_on=due + dt.timedelta(days=1),
            resolved_at=at(resolved) if resolved else None,
        )

    report(4, dt.date(2026, 4, 10), dt.date(2026, 4, 9), late=False)  # on time
    missed(5, dt.date(2026, 5, 10), dt.date(2026, 6, 3))  # missing at May's end, filed late in June
    report(5, dt.date(2026, 5, 10), dt.date(2026, 6, 3), late=True)
    missed(6, dt.date(2026, 6, 10), None)  # still missing
    services.refresh(today=TODAY, periods=services.periods_to_refresh(TODAY, {"month": 3, "quarter": 1}))

    unit = assignment.unit
    months = [
        _snap("supervision.report_timeliness", "month", dt.date(2026, m, 1), unit=unit) for m in (4, 5, 6)
    ]
    assert [(s.numerator, s.denominator) for s in months] == [(1, 1), (0, 1), (0, 1)]
    quarter = _snap("supervision.report_timeliness", "quarter", dt.date(2026, 4, 1), unit=unit)
    direct = {
        row.unit_id: (row.tally.numerator, row.tally.denominator)
        for row in metrics._timeliness_tally(Period("quarter", dt.date(2026, 4, 1), TODAY))
        if row.unit_id
    }
    assert (quarter.numerator, quarter.denominator) == direct[unit.pk] == (1, 3)
