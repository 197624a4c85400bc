"""The project warning engine: plain code, no Django.

The colour decision is the supervision engine's (`luoshi.calendar.deadlines.assess_counts`, the same rules
as for tasks), applied to each pending item of a project — every milestone not yet reached that has a
planned date, and every open problem with its due date — and the project takes the worst colour:

- red: an item is overdue (today is after its planned / due date);
- yellow: an item falls due within its warning window (working days in (today, date], default 15; the
  window of a milestone is the one of the time-limit rule that sets its date) and lags 序时进度 — a
  milestone or problem is all-or-nothing, so once its clock has started (the earlier node's date, or the
  day the problem was raised) "not reached yet" lags;
- green: everything else, and a project already in operation (投产);
- none (""): suspended or cancelled projects are not coloured.

The reason names the item, e.g. "开工节点已超过计划日期(2026-03-01)仍未开工". It carries dates, not
counters, so it only changes when the facts do (the daily sweep stays quiet).

Time limits between milestones are data (`RuleFacts`): "签约6个月内开工" is calendar months (clamped to
the month end: 08-31 + 6 months = 02-28), "N个工作日" working days on the region's calendar, "N天" days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from luoshi.calendar import deadlines
from luoshi.calendar.deadlines import add_months
from luoshi.calendar.engine import LAST_DATE, WorkdayCalendar, day_number

GREEN, YELLOW, RED, NONE = "green", "yellow", "red", ""
DEFAULT_WINDOW = 15

KIND_ORDER: tuple[str, ...] = ("signed", "started", "registered", "completed", "operating")
KIND_LABELS: dict[str, str] = {
    "signed": "签约",
    "started": "开工",
    "registered": "入库",
    "completed": "竣工",
    "operating": "投产",
}
_LAST_USABLE = day_number(LAST_DATE) - 1  # workdays_between_many needs deadline + 1 in range


@dataclass(frozen=True)
class RuleFacts:
    from_kind: str
    to_kind: str
    limit_value: int
    limit_unit: str  # "months" | "working_days" | "days"
    warn_working_days: int = DEFAULT_WINDOW

    def describe(self) -> str:
        unit = {"months": "个月", "working_days": "个工作日", "days": "天"}[self.limit_unit]
        return f"{KIND_LABELS[self.from_kind]}后{self.limit_value}{unit}内{KIND_LABELS[self.to_kind]}"

    def deadline(self, start: dt.date, calendar: WorkdayCalendar) -> dt.date:
        if self.limit_unit == "months":
            return add_months(start, self.limit_value)
        if self.limit_unit == "working_days":
            return calendar.add_workdays(start, self.limit_value).date
        return start + dt.timedelta(days=self.limit_value)


@dataclass(frozen=True)
class MilestoneFacts:
    kind: str
    planned: dt.date | None
    actual: dt.date | None


@dataclass(frozen=True)
class ProblemFacts:
    description: str
    due: dt.date
    raised: dt.date


@dataclass(frozen=True)
class ProjectFacts:
    active: bool
    operating: bool
    created: dt.date
    milestones: Sequence[MilestoneFacts]
    problems: Sequence[ProblemFacts] = ()
    windows: Mapping[str, int] = field(default_factory=dict)  # milestone kind -> warning window


@dataclass(frozen=True)
class Verdict:
    colour: str
    reason: str


def order_errors(dates: Mapping[str, dt.date | None]) -> list[str]:
    """Why a set of actual dates breaks the order 签约 → 开工 → 入库 → 竣工 → 投产 (empty when fine).

    A later node may not be reached without every earlier one, nor on an earlier date."""
    errors: list[str] = []
    previous: tuple[str, dt.date] | None = None
    missing: str | None = None
    for kind in KIND_ORDER:
        day = dates.get(kind)
        if day is None:
            missing = missing or kind
            continue
        if missing is not None:
            errors.append(
                f"{KIND_LABELS[kind]}已有实际日期,但{KIND_LABELS[missing]}尚未完成:"
                f"请先填写{KIND_LABELS[missing]}的实际日期。"
            )
            missing = None
        if previous is not None and day < previous[1]:
            errors.append(
                f"{KIND_LABELS[kind]}实际日期({day.isoformat()})早于{KIND_LABELS[previous[0]]}"
                f"({previous[1].isoformat()}):{KIND_LABELS[kind]}不能早于{KIND_LABELS[previous[0]]}。"
            )
        previous = (kind, day)
    return errors


def planned_from_rules(
    milestones: Mapping[str, MilestoneFacts], rules: Iterable[RuleFacts], calendar: WorkdayCalendar
) -> dict[str, tuple[dt.date, RuleFacts]]:
    """Planned dates implied by the rules: to_kind's deadline counts from from_kind's actual date, or from
    its planned date while it is not reached yet. Rules are applied in milestone order so chains work."""
    out: dict[str, tuple[dt.date, RuleFacts]] = {}
    by_to = {r.to_kind: r for r in rules}
    for kind in KIND_ORDER:
        rule = by_to.get(kind)
        if rule is None:
            continue
        start_facts = milestones.get(rule.from_kind)
        start = None
        if start_facts is not None:
            start = start_facts.actual or start_facts.planned
        if rule.from_kind in out and (start_facts is None or start_facts.actual is None):
            start = out[rule.from_kind][0]
        if start is None:
            continue
        deadline = rule.deadline(start, calendar)
        if deadline <= LAST_DATE:
            out[kind] = (deadline, rule)
    return out


@dataclass
class _Items:
    project: list[int] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    deadline: list[int] = field(default_factory=list)
    window: list[int] = field(default_factory=list)
    red: list[str] = field(default_factory=list)
    yellow: list[str] = field(default_factory=list)

    def add(
        self, project: int, start: dt.date, deadline: dt.date, window: int, red: str, yellow: str
    ) -> None:
        self.project.append(project)
        self.deadline.append(min(day_number(deadline), _LAST_USABLE))
        self.start.append(min(day_number(max(start, dt.date(2004, 1, 1))), self.deadline[-1]))
        self.window.append(window)
        self.red.append(red)
        self.yellow.append(yellow)


def _collect(projects: Sequence[ProjectFacts]) -> _Items:
    items = _Items()
    for index, p in enumerate(projects):
        if not p.active or p.operating:
            continue
        ordered = sorted(p.milestones, key=lambda m: KIND_ORDER.index(m.kind))
        clock = p.created
        for m in ordered:
            if m.actual is not None:
                clock = m.actual
                continue
            if m.planned is None:
                continue
            label = KIND_LABELS[m.kind]
            window = p.windows.get(m.kind, DEFAULT_WINDOW)
            items.add(
                index,
                clock,
                m.planned,
                window,
                f"{label}节点已超过计划日期({m.planned.isoformat()})仍未{label}",
                f"{label}节点临近计划日期({m.planned.isoformat()},预警期{window}个工作日)",
            )
            clock = m.planned
        for pr in sorted(p.problems, key=lambda pr: pr.due):
            short = pr.description[:30]
            items.add(
                index,
                pr.raised,
                pr.due,
                p.windows.get("", DEFAULT_WINDOW),
                f"问题“{short}”已超过解决时限({pr.due.isoformat()})仍未解决",
                f"问题“{short}”临近解决时限({pr.due.isoformat()})",
            )
    return items


def assess_projects(
    today: dt.date, projects: Sequence[ProjectFacts], calendar: WorkdayCalendar
) -> list[Verdict]:
    """The colour of each project on `today` (all on one calendar: group projects by region first)."""
    out = [
        Verdict(NONE, "项目已暂停或终止,不参与预警")
        if not p.active
        else Verdict(GREEN, "项目已投产")
        if p.operating
        else Verdict(GREEN, "各节点按计划推进")
        for p in projects
    ]
    items = _collect(projects)
    if not items.project:
        return out
    t = day_number(today)
    d = np.asarray(items.deadline, dtype=np.int64)
    s = np.asarray(items.start, dtype=np.int64)
    n = d.size
    w = deadlines.windows(today=t, start=s, deadline=d, calendar=calendar)
    zeros = np.zeros(n, dtype=np.int64)
    never = np.full(n, np.iinfo(np.int32).max, dtype=np.int64)
    colour, _flags, _sched = deadlines.assess_counts(
        has_deadline=np.ones(n, dtype=np.bool_),
        remaining=w.remaining,
        overdue=w.overdue,
        share=w.share,
        percent=np.zeros(n),
        missed=zeros,
        returns=zeros,
        done=np.zeros(n, dtype=np.bool_),
        window=np.asarray(items.window, dtype=np.int64),
        tolerance=np.zeros(n),
        yellow_missed=never,
        red_missed=never,
        red_returns=never,
    )
    best: dict[int, int] = {}
    for i, (project, c) in enumerate(zip(items.project, colour.tolist(), strict=True)):
        if c > 0 and (project not in best or c > colour[best[project]]):
            best[project] = i
    for project, i in best.items():
        c = int(colour[i])
        out[project] = Verdict(RED, items.red[i]) if c == 2 else Verdict(YELLOW, items.yellow[i])
    return out
