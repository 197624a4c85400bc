"""The figures and sentences of the dispatch report (调度通报), as plain code (no Django) so property tests can
run them over generated ledgers.

Rules:

- "截至" is the day the report is made, or the period's end when the period is over; never a future date.
- Every task of the report is in exactly one of four groups, so 已销号 + 推进中 + 待审核 + 逾期 = 共N项:
  已销号 (signed off by that day), 待审核 (completion requested, not yet decided), 逾期 (open, not 长期坚持, its
  deadline before that day), 推进中 (every other open task: 未启动, 推进中, 退回, 长期坚持).
- "推进较好的单位" names only units with work due in the period (a task due by its end, or a report due in it)
  and a clean record: nothing overdue, no report missed or late, nothing returned. "推进较慢" names units with
  something overdue or a report missed. The two lists never share a unit.
- A sentence never contradicts a listed fact: "均按期报送" only when no report of the period was missed or late;
  "本期无红灯任务" only when the red list is empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SIGNED_OFF, REQUESTED, OVERDUE, IN_PROGRESS = "signed_off", "requested", "overdue", "in_progress"
GROUP_LABELS = {SIGNED_OFF: "已销号", IN_PROGRESS: "推进中", REQUESTED: "待审核", OVERDUE: "逾期"}
OPEN = ("not_started", "in_progress", "returned")


def as_of(period_end: dt.date, today: dt.date) -> dt.date:
    """The "截至" date: today while the period runs, its last day once it is over."""
    return min(period_end, today)


@dataclass(frozen=True)
class TaskFact:
    status: str  # a TaskStatus value as of the report's day
    deadline: dt.date | None
    ongoing: bool
    colour: str = ""


def group_of(task: TaskFact, day: dt.date) -> str:
    if task.status == "signed_off":
        return SIGNED_OFF
    if task.status == "sign_off_requested":
        return REQUESTED
    if task.status in OPEN and not task.ongoing and task.deadline is not None and task.deadline < day:
        return OVERDUE
    return IN_PROGRESS


@dataclass(frozen=True)
class Totals:
    total: int
    signed_off: int
    in_progress: int
    requested: int
    overdue: int
    green: int
    yellow: int
    red: int

    def sentence(self, day: dt.date) -> str:
        return (
            f"截至{day.year}年{day.month}月{day.day}日,纳入调度的任务共{self.total}项,其中已销号{self.signed_off}项、"
            f"推进中{self.in_progress}项、申请销号待审核{self.requested}项、逾期未完成{self.overdue}项。"
            f"预警情况:绿灯{self.green}项、黄灯{self.yellow}项、红灯{self.red}项。"
        )


def totals(tasks: Iterable[TaskFact], day: dt.date) -> Totals:
    counts = dict.fromkeys((SIGNED_OFF, IN_PROGRESS, REQUESTED, OVERDUE), 0)
    colours = {"green": 0, "yellow": 0, "red": 0}
    n = 0
    for t in tasks:
        n += 1
        counts[group_of(t, day)] += 1
        if t.colour in colours:
            colours[t.colour] += 1
    return Totals(
        total=n,
        signed_off=counts[SIGNED_OFF],
        in_progress=counts[IN_PROGRESS],
        requested=counts[REQUESTED],
        overdue=counts[OVERDUE],
        **colours,
    )


@dataclass(frozen=True)
class UnitFact:
    name: str
    due: int  # tasks due by the period's end
    overdue: int
    reports_expected: int
    reports_on_time: int
    missed: int
    returns: int

    @property
    def late(self) -> int:
        return max(0, self.reports_expected - self.reports_on_time - self.missed)

    @property
    def has_work_due(self) -> bool:
        return self.due > 0 or self.reports_expected > 0


def good_units(units: Sequence[UnitFact]) -> list[str]:
    """推进较好: work due in the period, and nothing overdue, missed, late or returned."""
    return [
        u.name
        for u in units
        if u.has_work_due and u.overdue == 0 and u.missed == 0 and u.late == 0 and u.returns == 0
    ]


def slow_units(units: Sequence[UnitFact]) -> list[str]:
    """推进较慢: something overdue or a report missed."""
    return [u.name for u in units if u.overdue > 0 or u.missed > 0]


def reporting_sentence(units: Sequence[UnitFact]) -> str:
    """The 通报 sentence on reporting, true to the unit figures."""
    missed = [(u.name, u.missed) for u in units if u.missed]
    late = sum(u.late for u in units)
    expected = sum(u.reports_expected for u in units)
    if missed:
        missed.sort(key=lambda x: (-x[1], x[0]))
        text = "以下单位本期有进展未按期报送,予以通报:" + "、".join(f"{n}({k}次)" for n, k in missed) + "。"
        if late:
            text += f"另有{late}次进展逾期后补报。"
        return text
    if late:
        return f"本期进展均已报送,其中{late}次为逾期补报,请相关单位按时报送。"
    if expected == 0:
        return "本期无应报送的进展。"
    return "本期各单位均按期报送进展。"
