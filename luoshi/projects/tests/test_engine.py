"""The warning engine alone: months arithmetic, milestone order, colour boundaries in working days."""

from __future__ import annotations

import datetime as dt

import pytest

from luoshi.calendar.engine import default_calendar
from luoshi.projects import engine
from luoshi.projects.engine import MilestoneFacts, ProblemFacts, ProjectFacts, RuleFacts

D = dt.date
CAL = default_calendar()


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 10), 6, D(2026, 7, 10)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2026, 11, 30), 2, D(2027, 1, 30)),
        (D(2026, 12, 31), 2, D(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(start: dt.date, months: int, expected: dt.date) -> None:
    assert engine.add_months(start, months) == expected


def test_order_errors_names_the_broken_order() -> None:
    ok = {"signed": D(2026, 1, 1), "started": D(2026, 3, 1), "registered": None}
    assert engine.order_errors(ok) == []
    early = engine.order_errors({"signed": D(2026, 3, 1), "started": D(2026, 2, 1)})
    assert early and "开工不能早于签约" in early[0]
    gap = engine.order_errors({"signed": D(2026, 1, 1), "started": None, "registered": D(2026, 4, 1)})
    assert gap and "请先填写开工的实际日期" in gap[0]
    assert engine.order_errors({"signed": D(2026, 1, 1), "started": D(2026, 1, 1)}) == []  # same day is fine


def test_rules_chain_from_actual_or_planned() -> None:
    rules = [RuleFacts("signed", "started", 6, "months"), RuleFacts("started", "registered", 2, "months")]
    facts = {"signed": MilestoneFacts("signed", D(2026, 1, 10), None)}
    planned = engine.planned_from_rules(facts, rules, CAL)
    assert planned["started"][0] == D(2026, 7, 10)
    assert planned["registered"][0] == D(2026, 9, 10)
    facts = {
        "signed": MilestoneFacts("signed", D(2026, 1, 10), D(2026, 2, 1)),
        "started": MilestoneFacts("started", None, D(2026, 5, 20)),
    }
    planned = engine.planned_from_rules(facts, rules, CAL)
    assert planned["started"][0] == D(2026, 8, 1)
    assert planned["registered"][0] == D(2026, 7, 20)


def test_working_day_rule_skips_national_day() -> None:
    # 2026-09-30 + 3 working days: 10-01..10-07 are holidays in 2026 (10-10 is a make-up Saturday).
    rule = RuleFacts("signed", "started", 3, "working_days")
    assert rule.deadline(D(2026, 9, 30), CAL) == D(2026, 10, 10)


START = D(2026, 1, 5)


def _one(today: dt.date, planned: dt.date, *, window: int = 15, start: dt.date = START) -> engine.Verdict:
    facts = ProjectFacts(
        active=True,
        operating=False,
        created=start,
        milestones=[MilestoneFacts("signed", start, start), MilestoneFacts("started", planned, None)],
        windows={"started": window},
    )
    return engine.assess_projects(today, [facts], CAL)[0]


def test_colour_boundaries_on_working_days() -> None:
    planned = D(2026, 7, 10)  # a Friday
    assert _one(D(2026, 7, 11), planned).colour == "red"  # the day after (a Saturday) is overdue
    assert _one(planned, planned).colour == "yellow"  # due today: not yet overdue
    # (2026-06-18, 07-10] holds 15 working days (06-19 is 端午, a holiday): from 06-18 on it is yellow
    assert _one(D(2026, 6, 18), planned).colour == "yellow"
    assert _one(D(2026, 6, 17), planned).colour == "green"
    assert _one(D(2026, 6, 18), planned, window=14).colour == "green"


def test_window_across_national_day_counts_working_days_only() -> None:
    planned = D(2026, 10, 16)
    # 2026 国庆 10-01..10-07 off, 10-10 (Saturday) a make-up working day: (09-30, 10-16] holds 8 working
    # days (10-08, 10-09, 10-10, 10-12..10-16) although it spans 16 calendar days.
    assert _one(D(2026, 9, 30), planned, window=8).colour == "yellow"
    assert _one(D(2026, 9, 29), planned, window=8).colour == "green"
    assert _one(D(2026, 10, 9), planned, window=5).colour == "green"
    assert _one(D(2026, 10, 10), planned, window=5).colour == "yellow"


def test_worst_item_wins_and_reason_names_it() -> None:
    today = D(2026, 6, 1)
    facts = ProjectFacts(
        active=True,
        operating=False,
        created=D(2026, 1, 1),
        milestones=[
            MilestoneFacts("signed", D(2026, 1, 1), D(2026, 1, 1)),
            MilestoneFacts("started", D(2026, 7, 1), None),
        ],
        problems=[ProblemFacts("用地指标未落实", D(2026, 5, 20), D(2026, 5, 1))],
    )
    verdict = engine.assess_projects(today, [facts], CAL)[0]
    assert verdict.colour == "red"
    assert "用地指标未落实" in verdict.reason and "2026-05-20" in verdict.reason


def test_inactive_and_operating_projects() -> None:
    base = {"created": D(2026, 1, 1), "milestones": [MilestoneFacts("started", D(2026, 1, 2), None)]}
    suspended = ProjectFacts(active=False, operating=False, **base)  # type: ignore[arg-type]
    operating = ProjectFacts(active=True, operating=True, **base)  # type: ignore[arg-type]
    out = engine.assess_projects(D(2026, 6, 1), [suspended, operating], CAL)
    assert [v.colour for v in out] == ["", "green"]
