"""Property tests over generated ledgers: the dispatch report's totals add up and no sentence contradicts a fact."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.supervision import dispatch

STATUSES = ["not_started", "in_progress", "sign_off_requested", "signed_off", "returned"]
DAY = dt.date(2026, 6, 30)

task_facts = st.builds(
    dispatch.TaskFact,
    status=st.sampled_from(STATUSES),
    deadline=st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
    ongoing=st.booleans(),
    colour=st.sampled_from(["", "green", "yellow", "red"]),
)


@st.composite
def unit_facts(draw: st.DrawFn) -> dispatch.UnitFact:
    expected = draw(st.integers(0, 12))
    missed = draw(st.integers(0, expected))
    on_time = draw(st.integers(0, expected - missed))
    due = draw(st.integers(0, 5))
    return dispatch.UnitFact(
        name=draw(st.text("甲乙丙丁戊己庚辛", min_size=1, max_size=4)),
        due=due,
        overdue=draw(st.integers(0, due)),
        reports_expected=expected,
        reports_on_time=on_time,
        missed=missed,
        returns=draw(st.integers(0, 2)),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(task_facts, max_size=60), st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
def test_totals_always_sum_and_the_sentence_states_them(tasks: list[dispatch.TaskFact], day: dt.date) -> None:
    t = dispatch.totals(tasks, day)
    assert t.signed_off + t.in_progress + t.requested + t.overdue == t.total == len(tasks)
    assert t.green + t.yellow + t.red <= t.total
    text = t.sentence(day)
    assert (
        f"共{t.total}项" in text and f"已销号{t.signed_off}项" in text and f"逾期未完成{t.overdue}项" in text
    )
    assert f"{day.year}年{day.month}月{day.day}日" in text
    # an ongoing task is never overdue; a signed-off one is never counted as anything else
    assert t.overdue == sum(
        1
        for x in tasks
        if x.status in dispatch.OPEN and not x.ongoing and x.deadline is not None and x.deadline < day
    )


@settings(max_examples=100, deadline=None)
@given(
    st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
)
def test_as_of_is_never_in_the_future(period_end: dt.date, today: dt.date) -> None:
    day = dispatch.as_of(period_end, today)
    assert day <= today and day <= period_end


@settings(max_examples=300, deadline=None)
@given(st.lists(unit_facts(), max_size=20))
def test_unit_sentences_never_contradict_the_facts(units: list[dispatch.UnitFact]) -> None:
    good, slow = dispatch.good_units(units), dispatch.slow_units(units)
    by_name: dict[str, list[dispatch.UnitFact]] = {}
    for u in units:
        by_name.setdefault(u.name, []).append(u)
    for name in good:
        assert any(u.has_work_due and not u.overdue and not u.missed and not u.late for u in by_name[name])
    for u in units:
        if u.name in good and u.name in slow:
            # only possible for two different units sharing a name
            assert len(by_name[u.name]) > 1
        if not u.has_work_due:
            assert u.name not in good or len(by_name[u.name]) > 1
    sentence = dispatch.reporting_sentence(units)
    missed = sum(u.missed for u in units)
    late = sum(u.late for u in units)
    if "均按期报送" in sentence:
        assert missed == 0 and late == 0 and sum(u.reports_expected for u in units) > 0
    if missed:
        assert "未按期报送" in sentence
        for u in units:
            if u.missed:
                assert u.name in sentence
    if late:
        assert f"{late}次" in sentence
