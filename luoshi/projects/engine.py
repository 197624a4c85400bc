"""The project warning engine: plain code, no Django.

Given a date, a project's milestones (planned and actual dates), its open problems and a working-day
calendar, decide the colour and say why:

- red: a milestone not reached by its planned date (planned < today), or an open problem past its due date;
- yellow: a milestone (or open problem) due within the warning window, counted in working days
  (default 15): i.e. due on or before the date `warn_working_days` working days after today;
- green: otherwise, and for a project already in operation (投产);
- none (""): a suspended or cancelled project is not coloured.

Limits between milestones are data (`RuleFacts`): "签约6个月内开工" is months (calendar months, clamped to
the month end: 08-31 + 6 months = 02-28), "N个工作日" working days, "N天" calendar days.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

GREEN, YELLOW, RED, NONE = "green", "yellow", "red", ""
_RANK = {NONE: -1, GREEN: 0, YELLOW: 1, RED: 2}

KIND_ORDER: tuple[str, ...] = ("signed", "started", "registered", "completed", "operating")
KIND_LABELS: dict[str, str] = {
    "signed": "签约", "started": "开工", "registered": "入库", "completed": "竣工", "operating": "投产",
}

IsWorkingDay = Callable[[dt.date], bool]


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months; the day is clamped to the end of a shorter month (2026-08-31 + 6 → 2027-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def add_working_days(day: dt.date, n: int, is_working_day: IsWorkingDay) -> dt.date:
    """The n-th working day after `day` (n=0: `day` itself)."""
    current = day
    left = n
    while left > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def working_days_until(today: dt.date, deadline: dt.date, is_working_day: IsWorkingDay) -> int:
    """Working days after today up to and including the deadline (0 when the deadline is today)."""
    count = 0
    current = today
    while current < deadline:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


@dataclass(frozen=True)
class RuleFacts:
    from_kind: str
    to_kind: str
    limit_value: int
    limit_unit: str  # "months" | "working_days" | "days"
    warn_working_days: int = 15

    def describe(self) -> str:
        unit = {"months": "个月", "working_days": "个工作日", "days": "天"}[self.limit_unit]
        return f"{KIND_LABELS[self.from_kind]}后{self.limit_value}{unit}内{KIND_LABELS[self.to_kind]}"

    def deadline(self, start: dt.date, is_working_day: IsWorkingDay) -> dt.date:
        if self.limit_unit == "months":
            return add_months(start, self.limit_value)
        if self.limit_unit == "working_days":
            return add_working_days(start, self.limit_value, is_working_day)
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


@dataclass(frozen=True)
class Verdict:
    colour: str
    reason: str

    def worse_than(self, other: Verdict) -> bool:
        return _RANK[self.colour] > _RANK[other.colour]


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
            errors.append(f"{KIND_LABELS[kind]}已有实际日期,但{KIND_LABELS[missing]}尚未完成:请先填写{KIND_LABELS[missing]}的实际日期。")
            missing = None
        if previous is not None and day < previous[1]:
            errors.append(
                f"{KIND_LABELS[kind]}实际日期({day.isoformat()})早于{KIND_LABELS[previous[0]]}"
                f"({previous[1].isoformat()}):{KIND_LABELS[kind]}不能早于{KIND_LABELS[previous[0]]}。"
            )
        previous = (kind, day)
    return errors


def planned_from_rules(
    milestones: Mapping[str, MilestoneFacts], rules: Iterable[RuleFacts], is_working_day: IsWorkingDay
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
        out[kind] = (rule.deadline(start, is_working_day), rule)
    return out


def evaluate(
    *,
    today: dt.date,
    active: bool,
    operating: bool,
    milestones: Sequence[MilestoneFacts],
    problems: Sequence[ProblemFacts],
    warn_until: Callable[[str | None], dt.date],
) -> Verdict:
    """The colour of one project on `today`. `warn_until(kind)` is today + the warning window (working
    days) of the rule governing that milestone kind (None: problems and milestones without a rule); the
    caller memoises it per region, so a sweep of thousands of projects stays cheap."""
    if not active:
        return Verdict(NONE, "项目已暂停或终止,不参与预警")
    if operating:
        return Verdict(GREEN, "项目已投产")
    worst = Verdict(GREEN, "各节点按计划推进")
    for m in sorted(milestones, key=lambda m: KIND_ORDER.index(m.kind)):
        if m.actual is not None or m.planned is None:
            continue
        label = KIND_LABELS[m.kind]
        if m.planned < today:
            verdict = Verdict(RED, f"{label}节点已逾期(计划{m.planned.isoformat()},尚未{label})")
        elif m.planned <= warn_until(m.kind):
            verdict = Verdict(YELLOW, f"{label}节点临近时限(计划{m.planned.isoformat()})")
        else:
            continue
        if verdict.worse_than(worst):
            worst = verdict
    for p in sorted(problems, key=lambda p: p.due):
        short = p.description[:30]
        if p.due < today:
            verdict = Verdict(RED, f"问题“{short}”超过解决时限({p.due.isoformat()})仍未解决")
        elif p.due <= warn_until(None):
            verdict = Verdict(YELLOW, f"问题“{short}”临近解决时限({p.due.isoformat()})")
        else:
            continue
        if verdict.worse_than(worst):
            worst = verdict
    return worst
