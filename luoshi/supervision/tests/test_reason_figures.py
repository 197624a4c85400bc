"""Colour reasons rendered from stored figures (ADR 0095): the same texts as before, current on every day they
are shown, with no sweep rewriting a row because a day passed; migration 0011 keeps the existing reasons."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from typing import Any

import pytest
import time_machine
from django.test import Client

from luoshi.calendar import deadlines
from luoshi.calendar.deadlines import Reason
from luoshi.supervision import reasons, services
from luoshi.supervision.models import Task
from luoshi.supervision.services.common import assess_task

pytestmark = pytest.mark.django_db

migration = importlib.import_module("luoshi.supervision.migrations.0011_task_colour_figures")

ROW_COLUMNS = [f.attname for f in Task._meta.concrete_fields]


def _row(pk: int) -> dict[str, Any]:
    return Task.objects.filter(pk=pk).values(*ROW_COLUMNS).get()


def _beijing_noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 4, tzinfo=dt.UTC)


def test_render_is_explain_for_every_combination_of_figures() -> None:
    for flags, remaining, overdue, missed, returns, window in itertools.product(
        [0, 1, 2, 3, 4, 8, 16, 24, 32, 64, 128, 1 | 2 | 4, 8 | 128],
        [None, 0, 7],
        [None, 1, 298],
        [0, 4],
        [0, 2],
        [15, 10],
    ):
        schedule = None if remaining is None else 62.5
        f = reasons.Figures(flags, 20.0, schedule, remaining, overdue, missed, returns, window)
        assert reasons.render(f) == deadlines.explain(
            flags,
            percent=20.0,
            schedule=schedule,
            remaining=remaining,
            overdue=overdue,
            missed=missed,
            returns=returns,
            window=window,
        )
    provisional = reasons.Figures(1, 0.0, 100.0, 0, 3, 0, 0, 15, provisional=True)
    assert reasons.render(provisional) == "已超过完成时限3个工作日仍未销号" + reasons.PROVISIONAL_NOTE


def test_reasons_from_figures_match_the_texts_the_rules_give(
    tasks: list[Task], make_plan: Any, users: dict[str, Any]
) -> None:
    """On each sweep's day, every task's reason rendered from its stored figures is the text the colour rules
    give for that task and day (the text the sweep used to store): near and lagging, missed reports, overdue,
    ongoing, unassigned."""
    plan = make_plan(
        [{"text": "完善重大项目审批绿色通道。", "deadline": dt.date(2026, 12, 31), "lead": [], "co": []}]
    )
    tasks = [*tasks, *services.tasks_sync_from_plan(plan=plan, actor=users["admin"], today=dt.date(2026, 1, 5))]
    seen: set[int] = set()
    for day in (dt.date(2026, 3, 2), dt.date(2026, 12, 14), dt.date(2027, 1, 5), dt.date(2027, 3, 9)):
        services.sweep(day)
        for t in Task.objects.filter(pk__in=[t.pk for t in tasks]):
            text = t.reason_on(day)
            assert text == assess_task(t, day).reason[:500], (day, t.title)
            seen.add(t.colour_flags)
    # the situations above were all met
    assert {Reason.ONGOING, Reason.UNASSIGNED} <= seen
    assert any(f & Reason.OVERDUE and f & Reason.MISSED_RED for f in seen)


def test_the_next_days_reason_is_one_working_day_later_without_the_sweep_rewriting_the_row(
    tasks: list[Task], users: dict[str, Any]
) -> None:
    services.sweep(dt.date(2027, 1, 12))  # Tuesday: December's report was due 2027-01-06 and is missed
    task = Task.objects.get(pk=tasks[0].pk)
    before = _row(task.pk)
    assert task.colour == "red" and task.colour_flags & Reason.OVERDUE
    assert task.reason_on(dt.date(2027, 1, 12)).startswith("已超过完成时限7个工作日仍未销号")

    # without any sweep, the page the next day says 8
    with time_machine.travel(_beijing_noon(dt.date(2027, 1, 13)), tick=False):
        assert Task.objects.get(pk=task.pk).colour_reason.startswith("已超过完成时限8个工作日仍未销号")
        client = Client()
        client.force_login(users["admin"])
        page = client.get(f"/supervision/tasks/{task.pk}/").content.decode()
        assert "已超过完成时限8个工作日仍未销号" in page

    # the next day's sweep leaves the row as it was, and the reason says one more working day
    result = services.sweep(dt.date(2027, 1, 13))
    assert result.phases["refreshed"] == 0 and result.changed == 0
    assert _row(task.pk) == before
    assert Task.objects.get(pk=task.pk).reason_on(dt.date(2027, 1, 13)).startswith(
        "已超过完成时限8个工作日仍未销号"
    )
    # a weekend adds no working day: Saturday still says what Friday said
    friday = Task.objects.get(pk=task.pk).reason_on(dt.date(2027, 1, 15))
    assert friday == Task.objects.get(pk=task.pk).reason_on(dt.date(2027, 1, 16))
    assert friday.startswith("已超过完成时限10个工作日")


def test_a_same_day_rerun_writes_nothing_and_a_new_missed_report_rewrites_only_the_figures(
    tasks: list[Task],
) -> None:
    services.sweep(dt.date(2027, 1, 5))
    task = Task.objects.get(pk=tasks[0].pk)
    again = services.sweep(dt.date(2027, 1, 5))
    assert again.changed == 0 and again.phases["refreshed"] == 0
    services.sweep(dt.date(2027, 1, 12))  # December's report missed: the count moves, the colour does not
    later = Task.objects.get(pk=task.pk)
    assert later.colour == task.colour and later.missed_count == task.missed_count + 1
    assert later.colour_judged_on == dt.date(2027, 1, 12)
    assert f"{later.missed_count}次未按期报送进展" in later.reason_on(dt.date(2027, 1, 12))


def test_the_notice_page_shows_the_current_figures_beside_the_issued_ones(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    services.sweep(dt.date(2027, 1, 5))
    with time_machine.travel(_beijing_noon(dt.date(2027, 1, 5)), tick=False):
        notice = services.notice_issue(
            user=users["admin"],
            unit=units["jm_fgw"],
            tasks=[Task.objects.get(pk=tasks[0].pk)],
            reply_deadline=dt.date(2027, 1, 12),
            today=dt.date(2027, 1, 5),
        )
    assert "已超过完成时限2个工作日" in notice.items[0]["reason"]  # as issued
    with time_machine.travel(_beijing_noon(dt.date(2027, 1, 12)), tick=False):
        client = Client()
        client.force_login(users["admin"])
        page = client.get(f"/supervision/notices/{notice.pk}/").content.decode()
    assert "已超过完成时限2个工作日" in page  # what was issued
    assert "已超过完成时限7个工作日" in page  # and the current figures beside it
    assert "当前预警(截至2027-01-12)" in page


@pytest.mark.parametrize(
    ("flags", "colour", "remaining", "overdue", "missed", "returns", "window"),
    [
        (Reason.OVERDUE | Reason.MISSED_RED, "red", 0, 298, 4, 0, 15),
        (Reason.MISSED_RED, "red", 40, 0, 4, 0, 15),
        (Reason.RETURNED_RED | Reason.OVERDUE, "red", 0, 3, 0, 2, 15),
        (Reason.NEAR_AND_LAGGING, "yellow", 7, 0, 0, 0, 10),
        (Reason.NEAR_AND_LAGGING | Reason.MISSED_YELLOW, "yellow", 7, 0, 1, 0, 20),
        (Reason.UNASSIGNED, "yellow", 30, 0, 0, 0, 15),
        (Reason.MISSED_YELLOW | Reason.UNASSIGNED, "yellow", 30, 0, 1, 0, 15),
        (Reason.ONGOING, "green", None, None, 0, 0, 15),
        (Reason.DONE, "green", None, None, 0, 0, 15),
        (0, "green", 30, 0, 0, 0, 15),
    ],
)
def test_migration_keeps_existing_reasons(
    flags: int, colour: str, remaining: int | None, overdue: int | None, missed: int, returns: int, window: int
) -> None:
    """The data migration reads the stored text back into figures; rendered with the same day's working days
    and percentages they give the stored text again."""
    schedule = None if remaining is None else 75.0
    old = deadlines.explain(
        int(flags),
        percent=30.0,
        schedule=schedule,
        remaining=remaining,
        overdue=overdue,
        missed=missed,
        returns=returns,
        window=window,
    )
    changed_on = dt.date(2026, 11, 2)
    [(pk, new_flags, limit, judged_on)] = migration.convert_rows(
        [(7, 3, colour, old, changed_on)], {3: window}, dt.date(2026, 12, 3)
    )
    assert (pk, judged_on) == (7, changed_on)
    assert new_flags == int(flags) and limit == window
    again = reasons.render(reasons.Figures(new_flags, 30.0, schedule, remaining, overdue, missed, returns, limit))
    assert again == old


def test_migration_leaves_unjudged_rows_unjudged_and_defaults_the_window() -> None:
    today = dt.date(2026, 12, 3)
    rows = [(1, 9, "", "", None), (2, 9, "green", "按序时推进:完成进度10%,序时进度8%", None)]
    assert migration.convert_rows(rows, {}, today) == [(2, 0, 15, today)]
    assert migration.convert_rows(rows[1:], {9: 20}, today) == [(2, 0, 20, today)]


def test_one_digest_per_unit_and_kind_per_sweep(make_plan: Any, users: dict[str, Any], units: dict[str, Any]) -> None:
    """Twelve tasks of one unit turning red on the same day give that unit's staff one 预警 message (naming them
    all), one 催办 for all their missed reports — not one per task; a re-run for the date adds none."""
    from luoshi.notifications.models import Notification

    plan = make_plan(
        [
            {"text": f"第{i}项任务按期完成。", "deadline": dt.date(2026, 3, 31), "lead": ["jm_fgw"], "co": []}
            for i in range(12)
        ]
    )
    services.tasks_sync_from_plan(plan=plan, actor=users["admin"], today=dt.date(2026, 1, 5))
    result = services.sweep(dt.date(2026, 4, 7))
    staff = users["staff"]
    assert staff.unit_id == units["jm_fgw"].pk
    mine = Notification.objects.filter(user=staff, channel="in_app")
    assert Task.objects.filter(plan=plan, colour="red").count() == 12
    kinds = list(mine.values_list("kind", flat=True))
    assert sorted(kinds) == ["colour", "missed"]  # one of each kind, for twelve tasks
    colour = mine.get(kind="colour")
    assert colour.title == "预警:贵单位承担的任务12项转为红灯"
    assert all(f"第{i}项任务按期完成" in colour.body for i in range(12))
    assert "已超过完成时限" in colour.body and colour.url.endswith(f"?unit={units['jm_fgw'].pk}")
    missed = mine.get(kind="missed")
    assert missed.title.startswith("催办:贵单位有") and missed.title.endswith("期任务进展未按期报送")
    # every notification of the run is a digest: at most one per person, kind and channel
    per = Notification.objects.values_list("user_id", "kind", "channel")
    assert len(set(per)) == len(list(per)) == result.notifications
    again = services.sweep(dt.date(2026, 4, 7))
    assert again.notifications == 0 and Notification.objects.count() == result.notifications
