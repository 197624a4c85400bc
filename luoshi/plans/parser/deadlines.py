"""Deadline phrases → dates.

6月底前 → that month's last day; 年底前/年内 → 12-31 of the plan's year; 到2025年 / 确保2024年… → that
year's 12-31; 一季度 → 03-31; "十四五"期间 → 2025-12-31; 长期坚持/持续推进/全年推进/贯穿全年 → ongoing.
Several phased dates keep every phase; the last one is the deadline.

Readings the gold README does not spell out (chosen so that a task is never due earlier than the text allows):

- Years relative to the plan's year: 今年/本年/当年 → the plan year; 明年/次年/下一年/来年/翌年 → plan year + 1;
  后年 → plan year + 2. They combine with every other phrase (明年6月底前 → 06-30 of plan year + 1).
- 年中 → 06-30; 年初 → 03-31 (the latest day that still reads as "early in the year", the end of the first
  quarter); both of the plan's year unless a year is written.
- A recurring time limit (每年12月底前, 每季度末, 每月10日前, 按季度) is a working rhythm, not a deadline: the dates it
  names are dropped and a time-limit field that holds nothing else is ongoing (no date), like 长期坚持.
- A start (2025年起, 自6月起, 从2025年开始) is not a deadline: its date is dropped; a field that only holds a start
  is ongoing.
- N年内 / 用N年时间 counts years from the plan's year: 3年内 in a 2025 plan → 2027-12-31. In body text only
  用N年时间, or N年内 followed by a commitment (3年内实现…), counts (注册3年内的企业 is a rule's window).
- In body text a year or a month is a deadline when a commitment follows it (2025年完成, 2024—2025年完成改造,
  2026年前建成, 6月完成), not when an activity does (6月召开推进会). Months joined by 、/和/至 (分两批于6月、12月
  完成) are phases of the same commitment and share the year written before the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .numbers import cn_to_int
from .rules import Rule, ex

_CN = "一二三四五六七八九十两〇零"
_MONTH = rf"(\d{{1,2}}|[{_CN}]{{1,3}})"
# A year written out or relative to the plan's year (group 1: digits, group 2: relative word).
_REL_YEARS = {
    "今年": 0,
    "本年": 0,
    "当年": 0,
    "明年": 1,
    "次年": 1,
    "下一年": 1,
    "来年": 1,
    "翌年": 1,
    "后年": 2,
}
_REL = r"(?<![今以此之然])后年|今年|本年|当年|明年|次年|下一年|来年|翌年"
_YEAR = rf"(?:(\d{{4}})\s*年|({_REL}))"
# Words that make a date recur (每年12月底前, 每季度末, 按月): the date is a rhythm, not a deadline.
_RECURRING = re.compile(
    r"(?:每|逐|按)个?(?:半年|年度?|季度?|月度?|周|旬|[两双]个?月)"
    r"(?:[于在的]|[\d一二三四五六七八九十]+\s*(?:月份?|日|号)|[底末前中上下旬、和及至\-—\s])*$"
)
_START = re.compile(r"\s*(?:份)?\s*(?:起|开始|以来)")
_YEARS_WITHIN = re.compile(
    r"(?:用|花)?\s*(\d{1,2}|[一二三四五六七八九十两]{1,2})\s*(?:个)?\s*年(?:左右)?\s*(内|时间)"
)
ONGOING = re.compile(
    r"长期坚持|长期推进|长期执行|持续推进|持续开展|持续实施|全年推进|贯穿全年|常态化推进|常态化开展|"
    r"与国家安排同步|与国家同步|按国家安排|按上级要求|长期|持续|常态化|每年|每季度|每月|定期|"
    r"每半年|每季|每周|每旬|按月|按季|按年|逐月|逐季|逐年|[年月日号]\s*(?:起|开始)"
)
_FIVE_YEAR = re.compile(r"[“\"']?十([一二三四五六七八九])五[”\"']?(?:期间|时期|期末|末|规划期)")
_QUARTER = re.compile(rf"(?:{_YEAR}\s*)?(?:第)?([一二三四1-4])\s*季度(?:末|底)?")
_HALF = re.compile(rf"(?:{_YEAR}\s*)?(上|下)半年")
_YEAR_MONTH = re.compile(
    rf"(?:{_YEAR}\s*)?{_MONTH}\s*月(?:份)?\s*(\d{{1,2}}\s*[日号]|底|末|中旬|上旬|下旬|中|初)?"
)
# 年中 / 年初 only where they read as a time (年中前, 年初完成, a field holding just 年初), never 年中国 / 今年初步.
_MID_EARLY = re.compile(
    rf"(?:{_YEAR}\s*年?|年)度?\s*(中|初)(?=\s*(?:前|之前|以前|完成|实现|上线|建成|$|[,，。;；、)）\]】〕]))"
)
_ISO = re.compile(r"(\d{4})[-./](\d{1,2})(?:[-./](\d{1,2}))?")
_YEAR_END = re.compile(rf"(?:{_YEAR}|年)度?\s*(?:底|末|年底|年末|内)")
_YEAR_ONLY_LEAD = re.compile(
    rf"(?:到|至|确保|力争|争取|截至|截止|(?<![高低大小多少等优早晚])于|在|实现|计划|预计|完成于)\s*{_YEAR}(?!\s*\d|\s*[一二三四五六七八九十]+\s*月|度)"
)
_JOIN = re.compile(r"\s*(?:[、和及与至到~\-—–]|—)\s*")
_COMMIT_AFTER = re.compile(r"\s*(?:前|之前|以前|完成|建成|实现|达到|全面|基本|力争|确保)")
_YEAR_COMMIT = re.compile(
    r"(\d{4})\s*年(?=\s*(?:前|之前|以前|完成|建成|全面完成|基本完成|全面建成|基本建成|实现|基本实现|全面实现))"
)
# A year that opens a sentence, with no month after it ("2023年,计划推进183个项目", "2023年政府专项债储备额度45亿元
# 以上"): the sentence's commitments are due by that year's end, when a figure or a commitment word follows.
_YEAR_OPENS = re.compile(
    r"(?:^|(?<=[。;!?]))\s*(\d{4})\s*年(?!\s*(?:\d|[一二三四五六七八九十]+\s*月|度|第|[一二三四1-4]\s*季|[上下]半年|以来|起))"
    r"(?=[^。;]*?(?:\d|力争|确保|实现|完成|达到|争取|计划))"
)
_POLICY_PERIOD = re.compile(r"(?:延续|延长|有效期|执行期|实施期|执行至|延续至|实施至|有效至|截止日期)")


@dataclass
class Deadline:
    date: date | None = None
    phrase: str | None = None
    ongoing: bool = False
    phases: list[dict] = field(default_factory=list)  # type: ignore[type-arg]
    rule: str = ""  # the rule that read it ("date:N月(底前)", "ongoing")
    span: tuple[int, int] | None = None  # of the phrase, in the text it was read from
    source: str = ""  # "field" (a time-limit field or label) or "body" (the measure's text)


def _month_end(y: int, m: int) -> date | None:
    if not (1 <= m <= 12) or not (1900 < y < 2200):
        return None
    nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def _num(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    return cn_to_int(s)


def _year_of(m: re.Match[str], i: int, year: int | None) -> int | None:
    """The year named by groups i (digits) and i + 1 (a word relative to the plan's year) of `m`."""
    if m.group(i):
        return int(m.group(i))
    rel = m.group(i + 1)
    if rel:
        return year + _REL_YEARS[rel] if year else None
    return year


class _Reading:
    """The dates found so far in one text, and which characters they cover (a longer phrase, read first,
    hides the shorter phrases inside it)."""

    def __init__(self, text: str, year: int | None, strict: bool) -> None:
        self.text, self.year, self.strict = text, year, strict
        self.taken = [False] * (len(text) + 1)
        self.found: list[tuple[int, int, date, str]] = []

    def add(self, a: int, b: int, d: date | None, rule: str) -> None:
        text = self.text
        if d is None or any(self.taken[a:b]):
            return
        for i in range(a, b):
            self.taken[i] = True  # a dropped phrase still hides the shorter phrases inside it
        if self.strict and _POLICY_PERIOD.search(text[max(0, a - 8) : a]):
            return
        if _RECURRING.search(text[max(0, a - 30) : a]) or _START.match(text, b):
            return
        self.found.append((a, b, d, rule))

    def hide(self, a: int, b: int) -> None:
        for i in range(a, b):
            self.taken[i] = True


def _read_iso(r: _Reading, rule: Rule) -> None:
    for m in rule.finditer(r.text):
        y, mo = int(m.group(1)), int(m.group(2))
        if r.strict and not re.match(r"\s*(前|之前|以前)", r.text[m.end() :]):
            continue
        dd = int(m.group(3)) if m.group(3) else None
        d = _month_end(y, mo)
        if d and dd and 1 <= dd <= d.day:
            d = date(y, mo, dd)
        r.add(m.start(), m.end(), d, rule.name)


def _read_five_year(r: _Reading, rule: Rule) -> None:
    for m in rule.finditer(r.text):
        k = _num(m.group(1)) or 0
        r.add(m.start(), m.end(), date(2025 + (k - 4) * 5, 12, 31), rule.name)  # 十四五 = 2021-2025 ...


def _read_quarter(r: _Reading, rule: Rule) -> None:
    for m in rule.finditer(r.text):
        y, q = _year_of(m, 1, r.year), _num(m.group(3))
        if y and q and 1 <= q <= 4:
            r.add(m.start(), m.end(), _month_end(y, q * 3), rule.name)


def _read_half(r: _Reading, rule: Rule) -> None:
    for m in rule.finditer(r.text):
        y = _year_of(m, 1, r.year)
        if y:
            r.add(m.start(), m.end(), _month_end(y, 6 if m.group(3) == "上" else 12), rule.name)


def _month_accepted(r: _Reading, months: list[re.Match[str]], joined: list[bool]) -> list[bool]:
    """Which month phrases read as deadlines: in body text only a commitment (6月底前, 6月完成) or a month
    joined to an accepted one ("6月、12月完成"); in a time-limit field every month."""
    accepted = [False] * len(months)
    for k in range(len(months) - 1, -1, -1):
        m = months[k]
        after = r.text[m.end() : m.end() + 4]
        suffix = m.group(4) or ""
        committed = re.match(r"\s*(前|之前|以前|完成|实现|上线|建成)", after) or suffix in ("底", "末")
        # a bare "6月实现" (no year, no 底) is not enough: "6月实现了…" tells what happened
        bare = not m.group(1) and not m.group(2) and not suffix
        bare_ok = re.match(r"\s*(前|之前|以前|完成|建成|上线)", after)
        accepted[k] = (
            not r.strict or (joined[k] and accepted[k + 1]) or bool(committed and (not bare or bare_ok))
        )
    return accepted


def _month_day(y: int, mo: int, suffix: str) -> date | None:
    d = _month_end(y, mo)
    if d and suffix[-1:] in ("日", "号"):
        dd = int(re.sub(r"\D", "", suffix))
        if 1 <= dd <= d.day:
            d = date(y, mo, dd)
    elif d and suffix in ("中旬", "中"):
        d = date(y, mo, 20)
    elif d and suffix in ("上旬", "初"):
        d = date(y, mo, 10)
    return d


def _read_months(r: _Reading, rule: Rule) -> None:
    """ "于6月、12月完成", "2025年3月、6月底前": months joined by 、/和/至 share the year before them and are
    phases of the commitment that the last one reads as."""
    text = r.text
    months = list(rule.finditer(text))
    joined = [
        k + 1 < len(months) and _JOIN.fullmatch(text, m.end(), months[k + 1].start()) is not None
        for k, m in enumerate(months)
    ]
    years: list[int | None] = []
    for k, m in enumerate(months):
        y = _year_of(m, 1, r.year)
        if k and joined[k - 1] and not m.group(1) and not m.group(2):
            y = years[-1]
        years.append(y)
    for k, (m, ok) in enumerate(zip(months, _month_accepted(r, months, joined), strict=True)):
        y, mo = years[k], _num(m.group(3))
        if ok and y and mo:
            r.add(m.start(), m.end(), _month_day(y, mo, m.group(4) or ""), rule.name)


def _read_years_within(r: _Reading, rule: Rule) -> None:
    for m in rule.finditer(r.text):
        n = _num(m.group(1))
        committed = m.group(2) == "时间" or _COMMIT_AFTER.match(r.text, m.end())
        if r.year and n and 1 <= n <= 20 and (not r.strict or committed):
            r.add(m.start(), m.end(), date(r.year + n - 1, 12, 31), rule.name)
        elif m.group(2) == "内":  # a rule's window (注册3年内): hide the 年内 inside it
            r.hide(m.start(), m.end())


def _read_mid_early(r: _Reading, rule: Rule) -> None:
    for m in rule.finditer(r.text):
        if m.group(0).startswith("年") and m.start() > 0 and r.text[m.start() - 1] in "全每当同":
            continue
        y = _year_of(m, 1, r.year)
        if y:
            r.add(m.start(), m.end(), date(y, 6, 30) if m.group(3) == "中" else date(y, 3, 31), rule.name)


def _read_year_end(r: _Reading, rule: Rule) -> None:
    for m in rule.finditer(r.text):
        y = _year_of(m, 1, r.year)
        if m.group(0).startswith("年") and m.start() > 0 and r.text[m.start() - 1] in "全每当":
            continue
        if y:
            r.add(m.start(), m.end(), date(y, 12, 31), rule.name)


def _read_year_lead(r: _Reading, rule: Rule) -> None:
    for m in rule.finditer(r.text):
        if m.group(2) in ("当年", "本年"):
            continue  # 在当年… reads as "in the same year" of something else, not a commitment
        y = _year_of(m, 1, r.year)
        if y:
            r.add(m.start(1) if m.group(1) else m.start(2), m.end(), date(y, 12, 31), rule.name)


def _read_year_commit(r: _Reading, rule: Rule) -> None:
    for m in rule.finditer(r.text):  # "2024—2025年完成改造", "2026年前建成"
        r.add(m.start(), m.start() + len(m.group(1)) + 1, date(int(m.group(1)), 12, 31), rule.name)


def _read_year_opens(r: _Reading, rule: Rule) -> None:
    for m in rule.pattern.finditer(r.text):
        r.add(m.start(1), m.end(), date(int(m.group(1)), 12, 31), rule.name)


def _read_field_year(r: _Reading, rule: Rule) -> None:
    for m in rule.finditer(r.text):
        r.add(m.start(), m.end(), date(int(m.group(1)), 12, 31), rule.name)


def _read_field_relative(r: _Reading, rule: Rule) -> None:
    for m in rule.finditer(r.text):
        if r.year:
            r.add(m.start(), m.end(), date(r.year + _REL_YEARS[m.group(0)], 12, 31), rule.name)


# The date rules, in the order they claim text (a phrase read by an earlier rule hides the phrases inside it).
# Examples: (text, plan year 2025) -> the date `parse_deadline(None, text, 2025)` reads from body text, or, for
# the rules marked `field`, `parse_deadline(text, "", 2025)` from a time-limit field.
DATE_RULES: list[Rule] = [
    Rule("date:YYYY-MM-DD", _ISO, _read_iso, (ex("2025-09-30前完成", "2025-09-30"),)),
    Rule("date:十四五", _FIVE_YEAR, _read_five_year, (ex("“十四五”期末实现全覆盖", "2025-12-31"),)),
    Rule(
        "date:季度", _QUARTER, _read_quarter, (ex("2025年第三季度完成", "2025-09-30"),), data={"field": True}
    ),
    Rule("date:上/下半年", _HALF, _read_half, (ex("上半年", "2025-06-30"),), data={"field": True}),
    Rule(
        "date:N月(底前)",
        _YEAR_MONTH,
        _read_months,
        (
            ex("6月底前完成", "2025-06-30"),
            ex("分两批于6月、12月完成", "2025-12-31"),
            ex("明年3月底前", "2026-03-31"),
        ),
    ),
    Rule("date:N年内", _YEARS_WITHIN, _read_years_within, (ex("力争用3年时间建成", "2027-12-31"),)),
    Rule("date:年中/年初", _MID_EARLY, _read_mid_early, (ex("年中前完成", "2025-06-30"),)),
    Rule("date:年底(前)", _YEAR_END, _read_year_end, (ex("年底前完成", "2025-12-31"),)),
    Rule("date:到YYYY年", _YEAR_ONLY_LEAD, _read_year_lead, (ex("到2027年,建成示范区", "2027-12-31"),)),
    Rule(
        "date:YYYY年完成",
        _YEAR_COMMIT,
        _read_year_commit,
        (ex("2024—2025年完成改造", "2025-12-31"), ex("2019年实现90%事项网上办", "2019-12-31")),
    ),
    Rule(
        "date:YYYY年, (sentence start)",
        _YEAR_OPENS,
        _read_year_opens,
        (
            ex("2023年,计划推进全区183个新建、续建项目", "2023-12-31"),
            ex("做大基金规模。2023年政府专项债储备额度45亿元以上", "2023-12-31"),
        ),
    ),
    Rule(
        "date:YYYY年 (field)",
        re.compile(r"(\d{4})\s*年(?!\s*\d)"),
        _read_field_year,
        (ex("2026年", "2026-12-31"),),
        data={"field": True, "field_only": True},
    ),
    Rule(
        "date:今年/明年 (field)",
        re.compile(_REL),
        _read_field_relative,
        (ex("明年", "2026-12-31"),),
        data={"field": True, "field_only": True},
    ),
]


_MAY_HOLD_DATE = re.compile(r"[年月季五]|\d{4}[-./]")


def find_dates(text: str, year: int | None, *, strict: bool) -> list[tuple[int, int, date]]:
    """All date phrases in `text` as (start, end, date). `strict` (body text): only phrases that read as a
    commitment (…前, …底, 到/确保 YYYY年); loose (a time-limit field): any date phrase."""
    return [(a, b, d) for a, b, d, _ in find_dates_named(text, year, strict=strict)]


def find_dates_named(text: str, year: int | None, *, strict: bool) -> list[tuple[int, int, date, str]]:
    """`find_dates` with the name of the rule that read each date."""
    if not _MAY_HOLD_DATE.search(text):
        return []  # every rule needs 年, 月, 季, 五 (十四五) or a YYYY-MM date: most texts hold none
    r = _Reading(text, year, strict)
    for rule in DATE_RULES:
        if (strict and rule.data.get("field_only")) or not rule.may_match(text):
            continue
        assert rule.read is not None
        rule.read(r, rule)
    r.found.sort()
    return r.found


def parse_deadline(field_text: str | None, body: str, year: int | None) -> Deadline:
    """The deadline of a measure: from its time-limit field when it has one, else from its body."""
    dl = Deadline()
    if field_text and field_text.strip():
        dates = find_dates_named(field_text, year, strict=False)
        if not dates and ONGOING.search(field_text):
            dl.ongoing, dl.phrase, dl.rule, dl.source = True, field_text.strip(), "ongoing", "field"
            return dl
        if dates:
            dl.source = "field"
            return _pick(dl, field_text, dates)
    dates = find_dates_named(body, year, strict=True)
    if dates:
        dl.source = "body"
        return _pick(dl, body, dates)
    return dl


def _pick(dl: Deadline, text: str, dates: list[tuple[int, int, date, str]]) -> Deadline:
    dl.phases = [{"date": d, "phrase": text[a:b]} for a, b, d, _ in dates]
    a, b, d, rule = max(dates, key=lambda t: (t[2], t[0]))
    dl.date, dl.phrase, dl.rule, dl.span = d, text[a:b], rule, (a, b)
    if len(dates) == 1:
        dl.phases = []
    return dl
