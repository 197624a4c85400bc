"""Enterprise size (大型/中型/小型/微型) from the 中小企业划型标准规定 (工信部联企业〔2011〕300号), as a dated
parameter: a revised standard is added beside it with its own effective date and the old one keeps answering for
earlier dates. No Django.

Reading of the standard (and of 国家统计局《统计上大中小微型企业划分办法(2017)》, which maps it onto
GB/T 4754-2017): a firm is 大型 when it reaches every 大型 lower bound of its industry group, otherwise 中型 when it
reaches every 中型 lower bound, otherwise 小型 when it reaches every 小型 lower bound, otherwise 微型 (a firm that misses
one bound drops one tier). Bounds are inclusive (及以上). Employees in persons (人), revenue and total assets in
万元. 金融业 (J) has its own standard (银发〔2015〕309号) and 国际组织 (T) none: both are 不适用.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from luoshi.policies.engine.params import Parameter

SHANGHAI = ZoneInfo("Asia/Shanghai")

EMPLOYEES, REVENUE, ASSETS = "employees", "revenue", "assets"
INDICATOR_LABELS = {EMPLOYEES: "从业人员", REVENUE: "营业收入", ASSETS: "资产总额"}
TIERS = ("大型", "中型", "小型", "微型")


@dataclass(frozen=True, slots=True)
class SizeGroup:
    """One industry group of the standard: which codes it covers and, per indicator, the 大/中/小 lower bounds."""

    name: str
    prefixes: tuple[str, ...]
    bounds: tuple[tuple[str, float, float, float], ...]  # (indicator, large_min, medium_min, small_min)
    clause: str


@dataclass(frozen=True, slots=True)
class SizeStandard:
    title: str
    groups: tuple[SizeGroup, ...]
    other: SizeGroup  # 其他未列明行业
    not_applicable: dict[str, str]  # section prefix → reason


def _g(name: str, prefixes: tuple[str, ...], clause: str, *bounds: tuple[str, float, float, float]) -> SizeGroup:
    return SizeGroup(name, prefixes, tuple(bounds), clause)


STANDARD_2011 = SizeStandard(
    title="工信部联企业〔2011〕300号《中小企业划型标准规定》",
    groups=(
        _g("农、林、牧、渔业", ("A",), "第四条(一)", (REVENUE, 20000, 500, 50)),
        _g("工业", ("B", "C", "D"), "第四条(二)", (EMPLOYEES, 1000, 300, 20), (REVENUE, 40000, 2000, 300)),
        _g("建筑业", ("E",), "第四条(三)", (REVENUE, 80000, 6000, 300), (ASSETS, 80000, 5000, 300)),
        _g("批发业", ("F51",), "第四条(四)", (EMPLOYEES, 200, 20, 5), (REVENUE, 40000, 5000, 1000)),
        _g("零售业", ("F52",), "第四条(五)", (EMPLOYEES, 300, 50, 10), (REVENUE, 20000, 500, 100)),
        _g("交通运输业", ("G53", "G54", "G55", "G56", "G57", "G58"), "第四条(六)",
           (EMPLOYEES, 1000, 300, 20), (REVENUE, 30000, 3000, 200)),
        _g("仓储业", ("G59",), "第四条(七)", (EMPLOYEES, 200, 100, 20), (REVENUE, 30000, 1000, 100)),
        _g("邮政业", ("G60",), "第四条(八)", (EMPLOYEES, 1000, 300, 20), (REVENUE, 30000, 2000, 100)),
        _g("住宿业", ("H61",), "第四条(九)", (EMPLOYEES, 300, 100, 10), (REVENUE, 10000, 2000, 100)),
        _g("餐饮业", ("H62",), "第四条(十)", (EMPLOYEES, 300, 100, 10), (REVENUE, 10000, 2000, 100)),
        _g("信息传输业", ("I63", "I64"), "第四条(十一)", (EMPLOYEES, 2000, 100, 10), (REVENUE, 100000, 1000, 100)),
        _g("软件和信息技术服务业", ("I65",), "第四条(十二)", (EMPLOYEES, 300, 100, 10), (REVENUE, 10000, 1000, 50)),
        _g("房地产开发经营", ("K701",), "第四条(十三)", (REVENUE, 200000, 1000, 100), (ASSETS, 10000, 5000, 2000)),
        _g("物业管理", ("K702",), "第四条(十四)", (EMPLOYEES, 1000, 300, 100), (REVENUE, 5000, 1000, 500)),
        _g("租赁和商务服务业", ("L",), "第四条(十五)", (EMPLOYEES, 300, 100, 10), (ASSETS, 120000, 8000, 100)),
    ),
    other=_g("其他未列明行业", (), "第四条(十六)", (EMPLOYEES, 300, 100, 10)),
    not_applicable={"J": "金融业适用《金融业企业划型标准规定》(银发〔2015〕309号)", "T": "国际组织不适用本标准"},
)

SIZE_STANDARD = Parameter(
    "enterprise.size_standard", "企业规模划型标准", values=((dt.date(2011, 6, 18), STANDARD_2011),),
    reference="工信部联企业〔2011〕300号",
)

# GB/T 4754-2017: division (大类, two digits) → section (门类) letter.
_SECTION_OF_DIVISION = {}
for _letter, (_lo, _hi) in {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
    "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}.items():
    for _d in range(_lo, _hi + 1):
        _SECTION_OF_DIVISION[f"{_d:02d}"] = _letter


class IndustryCodeError(ValueError):
    pass


def normalise_industry(code: str) -> str:
    """``c3911`` / ``3911`` / ``C 39`` → ``C3911`` / ``C3911`` / ``C39`` (GB/T 4754-2017, section letter first)."""
    raw = "".join(code.split()).upper()
    if not raw:
        raise IndustryCodeError("行业代码为空")
    if raw[0].isdigit():
        section = _SECTION_OF_DIVISION.get(raw[:2])
        if section is None or not raw.isdigit() or len(raw) not in (2, 3, 4):
            raise IndustryCodeError(f"行业代码「{code}」不是 GB/T 4754-2017 的代码")
        return section + raw
    letter, digits = raw[0], raw[1:]
    if letter not in _SECTION_OF_DIVISION.values() or (digits and (not digits.isdigit() or len(digits) > 4)):
        raise IndustryCodeError(f"行业代码「{code}」不是 GB/T 4754-2017 的代码")
    if len(digits) == 1:
        raise IndustryCodeError(f"行业代码「{code}」不完整:门类字母后应为两位大类代码")
    if digits and _SECTION_OF_DIVISION.get(digits[:2]) != letter:
        raise IndustryCodeError(f"行业代码「{code}」的门类字母与大类不符")
    return raw


@dataclass(frozen=True, slots=True)
class SizeResult:
    size: str | None  # 大型 / 中型 / 小型 / 微型, or None (待核实 / 不适用)
    group: str
    reason: str  # for None: which field is missing, or why the standard does not apply; else the bounds reached
    missing: tuple[str, ...] = ()
    standard: str = ""

    @property
    def label(self) -> str:
        return self.size or ("待核实" if self.missing or not self.group else "不适用")


def group_for(industry: str, standard: SizeStandard = STANDARD_2011) -> SizeGroup | str:
    """The group of an industry code, or a Chinese reason (code too coarse, or standard not applicable)."""
    code = normalise_industry(industry)
    for prefix, reason in standard.not_applicable.items():
        if code.startswith(prefix):
            return reason
    matches = [g for g in standard.groups if any(code.startswith(p) for p in g.prefixes)]
    if len(matches) == 1:
        return matches[0]
    finer = sorted({g.name for g in standard.groups for p in g.prefixes if p.startswith(code) and p != code})
    if finer:
        return f"行业代码「{code}」不够细:其下既有{'、'.join(finer)}也可能有其他行业,请填写到大类或中类"
    return standard.other


def classify(
    industry: str | None,
    employees: float | None,
    revenue: float | None,
    assets: float | None = None,
    *,
    on: dt.date | None = None,
) -> SizeResult:
    standard: SizeStandard = SIZE_STANDARD.value_at(on or dt.datetime.now(tz=SHANGHAI).date())
    if not industry:
        return SizeResult(None, "", "缺少所属行业,无法划型", ("industry",), standard.title)
    found = group_for(industry, standard)
    if isinstance(found, str):
        missing: tuple[str, ...] = ("industry",) if "不够细" in found else ()
        return SizeResult(None, "" if missing else "不适用", found, missing, standard.title)
    values = {EMPLOYEES: employees, REVENUE: revenue, ASSETS: assets}
    missing = tuple(ind for ind, *_ in found.bounds if values[ind] is None or math.isnan(float(values[ind] or 0)))
    if missing:
        names = "、".join(INDICATOR_LABELS[m] for m in missing)
        return SizeResult(None, found.name, f"{found.name}划型需要{names}", missing, standard.title)
    for tier in range(3):
        if all(float(values[ind] or 0) >= b[tier] for ind, *b in found.bounds):
            return SizeResult(TIERS[tier], found.name, _reason(found, tier), (), standard.title)
    return SizeResult("微型", found.name, _reason(found, 3), (), standard.title)


def _reason(group: SizeGroup, tier: int) -> str:
    if tier == 3:
        parts = [f"{INDICATOR_LABELS[ind]}{_fmt(b[2])}{_unit(ind)}以下" for ind, *b in group.bounds]
        return f"{group.name}:" + "或".join(parts) + f"为微型({group.clause})"
    parts = [f"{INDICATOR_LABELS[ind]}{_fmt(b[tier])}{_unit(ind)}及以上" for ind, *b in group.bounds]
    return f"{group.name}:" + "且".join(parts) + f"为{TIERS[tier]}({group.clause})"


def _unit(indicator: str) -> str:
    return "人" if indicator == EMPLOYEES else "万元"


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def classify_many(
    industry_categories: list[str], industry_ids: npt.NDArray[np.int32], employees: npt.NDArray[np.float64],
    revenue: npt.NDArray[np.float64], assets: npt.NDArray[np.float64], on: dt.date,
) -> npt.NDArray[np.int32]:
    """Vectorised: the tier index (0 大型 … 3 微型) per firm, -1 when it cannot be classified (待核实/不适用)."""
    standard: SizeStandard = SIZE_STANDARD.value_at(on)
    groups = [*list(standard.groups), standard.other]
    group_of_cat = np.full(len(industry_categories) + 1, -1, np.int32)
    for c, code in enumerate(industry_categories):
        try:
            found = group_for(code, standard)
        except IndustryCodeError:
            continue
        if isinstance(found, SizeGroup):
            group_of_cat[c] = groups.index(found)
    g = group_of_cat[np.where(industry_ids < 0, len(industry_categories), industry_ids)]
    values = {EMPLOYEES: employees, REVENUE: revenue, ASSETS: assets}
    out = np.full(industry_ids.size, -1, np.int32)
    for gi, group in enumerate(groups):
        rows = np.flatnonzero(g == gi)
        if rows.size == 0:
            continue
        known = np.ones(rows.size, bool)
        tier = np.full(rows.size, 3, np.int32)
        for ind, *_ in group.bounds:
            known &= ~np.isnan(values[ind][rows])
        for t in (2, 1, 0):
            reach = np.ones(rows.size, bool)
            for ind, *b in group.bounds:
                reach &= values[ind][rows] >= b[t]
            tier[reach] = t
        tier[~known] = -1
        out[rows] = tier
    return out
