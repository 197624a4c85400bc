"""Quantitative targets in a measure: "新增返乡创业2500人以上" → Target("新增返乡创业", 2500, "人", ">=").

Values are converted (3.5万 → 35000, 8800万吨 → 88000000 吨, Chinese numerals), ranges give their lower
bound, 左右/余 give the figure. Completeness idioms (全覆盖, 清零, 零突破, 百强, 应享尽享) are implicit
targets. Not targets: subsidy amounts and policy settings, figures that describe scope ("等13个重点产业链")
or name something (12345, "1+10", 007帮办), design standards ("不得低于50%"), ordinals, years, time limits
("7日内").

Rankings: a ranking that names a number is a target with unit 名 and op <= — 进入全省前三, 前10位, 前80名,
排名全省第一 (→ 1 名), written figures so not implicit; the 强 idiom (百强, 前20强) is implicit, as the gold README
reads 百强. 全部 + a completion verb (全部进驻, 全部办结, 全部纳入) is the README's 全部X, implicit 100 "%";
百分之九十五 is 95 "%" where the sentence commits to it. A ranking that names no number (进入全省前列, 第一方阵, 第一等次) is no target. Relative figures that
name no amount — 翻一番/翻番 and N倍 (a multiple of an unstated base), 不低于上年 — are not targets either.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from .numbers import MAGNITUDE, to_number
from .result import Target
from .rules import Rule, ex
from .vocabulary import NAMED_SET_WORDS, alternation

COUNT_UNITS = [
    "个工作日",
    "工作日",
    "个百分点",
    "百分点",
    "家次",
    "人次",
    "场次",
    "户次",
    "件次",
    "台次",
    "车次",
    "班次",
    "万千瓦时",
    "千瓦时",
    "万千瓦",
    "千瓦",
    "兆瓦",
    "吉瓦",
    "标箱",
    "TEU",
    "吨",
    "公里",
    "千米",
    "平方公里",
    "平方米",
    "立方米",
    "亩",
    "公顷",
    "元",
    "美元",
    "个",
    "项",
    "家",
    "人",
    "场",
    "套",
    "条",
    "名",
    "件",
    "所",
    "座",
    "台",
    "辆",
    "户",
    "份",
    "篇",
    "支",
    "只",
    "张",
    "宗",
    "栋",
    "处",
    "间",
    "张床",
    "床",
    "位",
    "种",
    "类",
    "款",
    "批次",
    "期",
    "次",
    "例",
    "笔",
    "单",
    "元/吨",
    "%",
    "‰",
    "倍",
    "小时",
    "天",
    "日",
    "分钟",
    "分",
    "个月",
    "周",
]
_TIME_UNITS = {"个工作日", "工作日", "小时", "天", "日", "分钟", "个月", "周"}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(COUNT_UNITS, key=len, reverse=True))
_NUM = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)"
TARGET_RE = re.compile(
    rf"(?P<pre>前)?{_NUM}(?:\s*[-~—–－至到]\s*(?:\d+(?:\.\d+)?|[一二两三四五六七八九十]+))?\s*(?P<mag>万|亿|千万|百万)?\s*"
    rf"(?P<approx>余|多)?\s*(?P<unit>{_UNIT_RE})"
)
_GE = re.compile(
    r"(不少于|不低于|不小于|达到|达|至少|提高到|提升到|提升至|提高至|增加到|增至|扩展到|扩大到|扩大至|累计|突破|超过|高于|大于|多于)\s*$"
)
_LE = re.compile(
    r"(压缩至|压缩到|缩短至|缩短到|压减至|压减到|降至|降到|减少到|控制在|不超过|不高于|(?<!不)少于|(?<!不)低于|以内)\s*$"
)
_LE_WORD = re.compile(r"压缩至|压缩到|缩短至|缩短到|压减至|压减到|降至|降到|减少到|控制在|不超过|不高于")
_SUBSIDY = re.compile(
    r"补贴|奖励|奖补|资助|贴息|补助|给予|最高|一次性|按照|按(?!时|期)|标准为|费率|利率|收费|罚款|上限|经费|筹措|安排资金"
)
# money the clause then names as a fund ("设立2.43亿元推动工业强市发展专项引导资金"): a policy setting, not a target
_FUND_AFTER = re.compile(r"[^,;。]{0,20}?(?:资金|基金)(?![\u4e00-\u9fff]{0,2}(?:规模|总额|达到))")
_STANDARD = re.compile(r"不得低于|不得高于|不得超过|不得少于|原则上不超过|指")
_COMMIT_VERB = re.compile(
    r"(新增|增加|达到|不少于|不低于|超过|突破|建成|建设|打造|培育|引进|完成|实现|组织|举办|开展|创建|争创|"
    r"培训|遴选|落地|签约|招引|新建|改造|提供|扩展到|累计|吸引|发放|推出|上线|服务)\s*$"
)
_COMMIT_ANY = re.compile(_COMMIT_VERB.pattern.removesuffix(r"\s*$"))
_SCOPE_AFTER = re.compile(r"\s*(?:\(含\)\s*)?(?:及以[上下]|以[上下](?:\([^()]{0,8}\))?的)")
# money a budget allocates ("市财政安排预算资金8500万元", "安排58亿元财政资金…,其中,道路…10亿元"): a policy setting
# (安排 in the figure's own clause, or the figure one part of the allocation: "…,其中,道路…10亿元")
_BUDGET_BEFORE = re.compile(r"安排([^。;]*)$")
_REACH_WORDS = re.compile(r"确保|力争|完成|达到|实现|突破|超过|累计|新增|增加|不少于|不低于")
_BOUND_NOTE = re.compile(r"(?:以[上下]|及以[上下])\(\s*不?含\s*$")
_SEP = "。;,;!?:\n"
_IMPLICIT = [
    (
        re.compile(
            r"全覆盖|全域覆盖|全面覆盖|应享尽享|应上尽上|应纳尽纳|应办尽办|应保尽保|应检尽检|全量上线|全部上线|"
            r"全部(?:完成|实现|纳入|接入|达标|进驻|入驻|办结|公开|归集|录入|整改到位|整改|建成|联网|到位|贯通|兑现|"
            r"化解|审结|配备|配齐|上链|开通|通过|免收|取消|清理|下达到位|下达|拨付到位|拨付)"
        ),
        100.0,
        "%",
        ">=",
    ),
    (re.compile(r"清零|动态清零|归零"), 0.0, "", "<="),
]
# 百分之九十五 / 百分之98: a percentage written in words
_PERCENT_WORDS = re.compile(
    r"百分之\s*(\d+(?:\.\d+)?|[一二三四五六七八九十百零〇]+(?:点[一二三四五六七八九零〇]+)?)"
)
_ZERO_BREAK = re.compile(r"[“\"]?零[”\"]?\s*突破|实现零的突破")
_RANK_CONTEXT = (
    r"排名|排位|位次|位居|位列|进入|跻身|稳居|保持|争创|挺进|迈入|晋升|争先|全国|全省|全市|全区|全州|同类"
)
# 前三 / 前10位 / 前八十名: the number must be the whole figure (not 前三季度, 前10个月, 前5批)
_RANK = re.compile(
    r"(?<![提目当此之以事年月日期超])前\s*(\d{1,3}|[一二三四五六七八九十百]{1,3})\s*(名|位)?"
    r"(?![\d一二三四五六七八九十百]|\s*(?:强|批|个|项|季|年|月|周|天|日|次|家|轮|期|章|条|款|届|类|种|户|人|%|小时|分钟|工作日))"
)
_FIRST = re.compile(
    rf"(?:{_RANK_CONTEXT})[^,。;:、]{{0,10}}?第\s*(\d{{1,2}}|[一二三四五六七八九十]{{1,2}})\s*(?:名|位)?"
    r"(?![\d一二三四五六七八九十]|\s*(?:方阵|梯队|等次|档|批|次|届|类|季度|阶段|个|项|条|款|章|年|月|步|责任|支撑|标准|要务|动力))"
)
_STRONG = re.compile(r"(?:前|进入[^,。;]{0,12}?)(百|十|五十|二十|三十|[1-9]\d{0,2})强")
# any figure, idiom or ranking at all? (most sentences hold none)
_MAY_HOLD_A_TARGET = re.compile(rf"突破|强|前|第|百分之|{_IMPLICIT[0][0].pattern}|{_IMPLICIT[1][0].pattern}")


_QUOTE_CHARS = re.compile('[“《"「『”》」』]')
_PAREN_CHARS = re.compile(r"[()]")


def _quote_mask(s: str) -> list[bool]:
    """mask[i]: s[i] is inside quotes/book-title marks. Only the quote characters are visited; the runs between
    them take the depth reached (the same answer as a walk over every character)."""
    mask = [False] * len(s)
    depth = 0
    prev = 0
    for m in _QUOTE_CHARS.finditer(s):
        i = m.start()
        if depth and i > prev:
            mask[prev:i] = [True] * (i - prev)
        prev = i + 1
        ch = s[i]
        if ch in '“《"「『':
            if ch == '"' and depth:
                depth -= 1
                continue
            depth += 1
        else:
            depth = max(0, depth - 1)
        mask[i] = depth > 0
    if depth and prev < len(s):
        mask[prev:] = [True] * (len(s) - prev)
    return mask


def _paren_depth(s: str) -> list[int]:
    """depth[i]: how many ( are open at s[i] (a ( counts at itself, a ) still at itself); len(s) + 1 entries."""
    depth = [0] * (len(s) + 1)
    d = 0
    prev = 0
    for m in _PAREN_CHARS.finditer(s):
        i = m.start()
        if d and i > prev:
            depth[prev:i] = [d] * (i - prev)
        prev = i + 1
        if s[i] == "(":
            d += 1
            depth[i] = d
        else:
            depth[i] = d
            d = max(0, d - 1)
    if d and prev < len(s):
        depth[prev : len(s)] = [d] * (len(s) - prev)
    return depth


def _clause_start(s: str, i: int) -> int:
    j = i
    while j > 0 and s[j - 1] not in _SEP:
        j -= 1
    return j


def _clause_end(s: str, i: int) -> int:
    j = i
    while j < len(s) and s[j] not in _SEP and s[j] != "、":
        j += 1
    return j


_LEAD_FILLER = re.compile(
    r"^(?:\d{4}\s*年(?:底|末)?(?:前)?|力争|确保|争取|实现|全年|到|至|年内|年底前|并|同时|其中|全市|累计|\s)+"
)
_TAIL_FILLER = re.compile(
    r"(?:均|达到|达|不少于|不低于|超过|突破|高于|提高到|提升至|压缩至|缩短至|控制在|不超过|低于|"
    r"增长|提高|降低|下降|扩展到|累计|为|在|以上|以内)+$"
)


def _metric(s: str, a: int, b: int) -> str:
    pre = s[_clause_start(s, a) : a]
    pre = _LEAD_FILLER.sub("", pre).strip()
    post = ""
    if not pre or _COMMIT_VERB.search(pre) or len(pre) <= 4:
        post = s[b : _clause_end(s, b)]
        post = re.sub(r"^(以上|以下|以内|左右)", "", post).strip()
    metric = (_TAIL_FILLER.sub("", pre) if not post else pre) + post
    if re.search(r"(增长|提高|降低|下降|减少)$", pre) and not post:
        metric = pre
    return metric.strip(" ,、") or pre or post


class _TargetText:
    """One measure's text while its targets are read: masks computed once, targets found so far."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.seen: set[tuple[float, str]] = set()
        self.out: list[Target] = []

    @cached_property
    def quoted(self) -> list[bool]:  # computed when a rule first finds something in the text
        return _quote_mask(self.s)

    @cached_property
    def depth(self) -> list[int]:
        return _paren_depth(self.s)

    def add(self, t: Target, span: tuple[int, int], rule: str) -> None:
        key = (t.value, t.unit)
        if key in self.seen:
            return
        self.seen.add(key)
        t.rule, t.span = rule, span
        self.out.append(t)


@dataclass
class _Figure:
    """A figure and its surroundings, for the vetoes below."""

    m: re.Match[str]
    na: int  # where the number starts
    raw: str
    unit: str
    before: str  # 12 characters before the number
    after: str  # 4 characters after the unit
    clause: str  # the clause up to the number
    value: float | None


def _scope_figure(t: _TargetText, f: _Figure) -> bool:
    """ "围绕石油化工等13个重点产业链" names a scope; "推出企业迁移等10个以上套餐" commits to a figure."""
    return bool(re.search(r"等\s*$", f.before)) and not (
        re.match(r"\s*以上", f.after) and _COMMIT_ANY.search(f.clause)
    )


# "建设1000万吨炼油配套100万吨乙烯石油炼化一体化项目": a capacity written into the name of what is built — the
# clause runs on from the figure, with no 以上/左右/的, to 项目/基地/工程/生产线; "新建道路5478公里" commits.
_CAPACITY_UNITS = frozenset(("吨", "千瓦", "兆瓦", "千伏", "千伏安", "立方米", "标箱", "标准箱"))
_PROJECT_AFTER = re.compile(r"(?!以上|以下|左右|及以上|的)[\u4e00-\u9fff][^,。;!?、]{0,30}?(?:项目|基地|工程|生产线)(?=[,。;]|$)")


def _names_project(t: _TargetText, f: _Figure) -> bool:
    return f.unit in _CAPACITY_UNITS and bool(_PROJECT_AFTER.match(t.s, f.m.end()))


_NAMED_SET = re.compile(rf"\s*(?:重大|重点|具体|政策|改革|专项)?(?:{alternation(NAMED_SET_WORDS)})")


def _named_set(f: _Figure) -> bool:
    """ "落实好提振市场信心90条措施", "聚焦…计划102项重大工程" name a set; "推出10项改革举措" commits to it."""
    return (
        f.unit in ("条", "项")
        and bool(_NAMED_SET.match(f.after))
        and not (_COMMIT_VERB.search(f.before) or _GE.search(f.before) or re.match(r"\s*以上", f.after))
    )


def _time_limit(t: _TargetText, f: _Figure) -> bool:
    """ "7日内" is a time limit, "压缩至1个工作日" a target, and so is each figure of "分别压缩至30小时、1小时以内"."""
    if f.unit not in _TIME_UNITS or _LE.search(f.before):
        return False
    if _DONE_IN.match(f.after) and _COMMIT_ANY.search(f.clause):
        return False  # "实现…1天办结": a time the measure commits to
    return not (f.before.rstrip().endswith("、") and _LE_WORD.search(f.clause))


_DONE_IN = re.compile(r"\s*(?:办结|办完|办理完毕|完成审批|出证)")


# Why a figure is not a target, tried in order: (name, test). The first that holds drops the figure.
FIGURE_VETOES: list[tuple[str, Callable[[_TargetText, _Figure], bool]]] = [
    ("quoted", lambda t, f: t.quoted[f.na]),
    ("part of a code (12345, 1+10)", lambda t, f: bool(f.na) and _code_before(t.s[f.na - 1])),
    (
        "followed by a letter or digit",
        lambda t, f: (
            f.m.end() < len(t.s)
            and f.unit not in ("%", "‰")
            and t.s[f.m.end()].isascii()
            and t.s[f.m.end()].isalnum()
        ),
    ),
    ("an ordinal (第N)", lambda t, f: f.before.rstrip().endswith(("第", "前第"))),
    ("a scope (X等N个)", _scope_figure),
    ("names a set of measures (90条措施, 102项重大工程)", lambda t, f: _named_set(f)),
    (
        "bounds who a measure applies to (160千瓦及以下)",
        lambda t, f: (
            bool(_SCOPE_AFTER.match(t.s, f.m.end())) and not (_GE.search(f.before) or _LE.search(f.before))
        ),
    ),
    ("a time limit (7日内)", _time_limit),
    (
        "a multiple or a ranking (倍, 前10名)",
        lambda t, f: f.unit == "倍" or bool(f.m.group("pre") and f.unit in ("名", "位")),
    ),
    (
        "not a score (三分之一, 分批, 分局)",
        lambda t, f: (
            f.unit == "分"
            and bool(re.match(r"(之|钟|批|类|期|局|院|行|公司|中心|站|别|步|层|级|项|工|会|部)", f.after))
        ),
    ),
    (
        "a grade or a name (3级, 5号)",
        lambda t, f: bool(re.match(r"\s*(级|号|届|版|代|星|轮)", f.after)) and f.unit != "%",
    ),
    ("a subsidy amount", lambda t, f: f.unit in ("元", "美元") and bool(_SUBSIDY.search(f.clause))),
    ("a price or rate per unit (5元/平方米)", lambda t, f: f.unit in ("元", "美元") and f.after.startswith("/")),
    ("a capacity that names a project (建设1000万吨炼油…一体化项目)", lambda t, f: _names_project(t, f)),
    ("a budget allocated (安排N元)", lambda t, f: f.unit in ("元", "美元") and _budget(t, f)),
    ("a bound's own note (6亩以下(不含6亩))", lambda t, f: bool(_BOUND_NOTE.search(f.before))),
    ("a fund's size (设立2.43亿元…专项资金)", lambda t, f: f.unit in ("元", "美元") and bool(_FUND_AFTER.match(t.s, f.m.end()))),
    ("a subsidy rate", lambda t, f: bool(_SUBSIDY.search(f.before[-6:])) and f.unit in ("%", "元")),
    ("a design standard (不得低于)", lambda t, f: bool(_STANDARD.search(f.clause))),
    ("no number", lambda t, f: f.value is None),
    (
        "a numeral in words with no commitment",
        lambda t, f: (
            not f.raw[0].isdigit()
            and ((f.value or 0) < 2 or not (_COMMIT_VERB.search(f.before) or _GE.search(f.before)))
        ),
    ),
    (
        "a standard in brackets",
        lambda t, f: bool(t.depth[f.na]) and bool(_STANDARD.search(t.s[max(0, f.na - 30) : f.na])),
    ),
]


def _budget(t: _TargetText, f: _Figure) -> bool:
    m = _BUDGET_BEFORE.search(_sentence_before(t.s, f.na))
    if m is None:
        return False
    rest = m.group(1)
    return ("," not in rest or "其中" in rest) and not _REACH_WORDS.search(rest)


def _sentence_before(s: str, i: int) -> str:
    """The sentence `s[i]` stands in, up to `i`."""
    return s[max(s.rfind("。", 0, i), s.rfind(";", 0, i)) + 1 : i]


def _code_before(prev: str) -> bool:
    return prev.isascii() and (prev.isalnum() or prev in ".+-/")


def _magnitude(m: re.Match[str]) -> float:
    factor = 1.0
    for ch in m.group("mag") or "":
        factor *= MAGNITUDE[ch]
    return factor


def _figure_op(f: _Figure) -> str:
    op = ">="
    if f.m.group("pre") or _LE.search(f.before) or re.match(r"\s*(以内|以下|之内)", f.after):
        op = "<="
    elif re.search(r"(超过|突破|高于|大于|多于)\s*$", f.before):
        op = ">"
    if f.unit == "%" and re.search(r"(降低|下降|减少|压减)\s*$", f.before) and op == "<=":
        op = ">="
    return op


def _read_figures(t: _TargetText, rule: Rule) -> None:
    s = t.s
    for m in rule.finditer(s):
        na, b = m.start(2), m.end()
        raw, unit = m.group(2), m.group("unit")
        value = to_number(raw)
        f = _Figure(
            m, na, raw, unit, s[max(0, na - 12) : na], s[b : b + 4], s[_clause_start(s, na) : na], value
        )
        if any(veto(t, f) for _, veto in FIGURE_VETOES):
            continue
        assert value is not None
        value *= _magnitude(m)
        name = rule.name + (" (X等N个以上)" if re.search(r"等\s*$", f.before) else "")
        t.add(
            Target(
                metric=_metric(s, na, b), value=value, unit=unit, op=_figure_op(f), phrase=s[m.start() : b]
            ),
            (m.start(), b),
            name,
        )


def _read_idiom(t: _TargetText, rule: Rule) -> None:
    value, unit, op = rule.data["value"], rule.data["unit"], rule.data["op"]
    for m in rule.finditer(t.s):
        if t.quoted[m.start()] or t.s[m.end() : m.end() + 1] == "的":
            continue
        metric = _metric(t.s, m.start(), m.start())
        t.add(Target(metric, value, unit, op, implicit=True, phrase=m.group(0)), m.span(), rule.name)


def _read_zero_break(t: _TargetText, rule: Rule) -> None:
    for m in rule.finditer(t.s):
        pre = t.s[_clause_start(t.s, m.start()) : m.start()]
        unit = "家" if re.search(r"企业|机构|公司", pre) else "个"
        metric = _metric(t.s, m.start(), m.start())
        t.add(Target(metric, 1, unit, ">=", implicit=True, phrase=m.group(0)), m.span(), rule.name)


def _read_percent_words(t: _TargetText, rule: Rule) -> None:
    s = t.s
    for m in rule.finditer(s):
        whole, _, frac = m.group(1).partition("点")
        v = to_number(whole)
        if v is None or t.quoted[m.start()]:
            continue
        if frac:
            v += float("0." + "".join(str(int(to_number(c) or 0)) for c in frac))
        before = s[max(0, m.start() - 12) : m.start()]
        if not (_COMMIT_VERB.search(before) or _GE.search(before) or _LE.search(before)):
            continue  # like other numerals in words: only where the sentence commits to the figure
        if _STANDARD.search(s[_clause_start(s, m.start()) : m.start()]):
            continue
        op = "<=" if _LE.search(before) else ">" if re.search(r"(超过|突破|高于)\s*$", before) else ">="
        t.add(Target(_metric(s, m.start(), m.end()), v, "%", op, phrase=m.group(0)), m.span(), rule.name)


def _read_rank(t: _TargetText, rule: Rule) -> None:
    s = t.s
    for m in rule.finditer(s):
        if t.quoted[m.start()]:
            continue
        clause = s[_clause_start(s, m.start()) : m.start()]
        if not m.group(2) and not re.search(_RANK_CONTEXT, clause):
            continue  # 前三 alone ranks only where the clause speaks of a ranking
        if _SUBSIDY.search(s[_clause_start(s, m.start()) : _clause_end(s, m.end())]):
            continue  # 对前10名企业给予奖励: who a policy reaches, not a ranking to reach
        if s[m.end() : m.end() + 1] == "的":
            continue  # 对绩效评价结果前10位的项目: the ranking picks who a policy reaches
        _add_rank(t, m, to_number(m.group(1)), rule.name)


def _read_first(t: _TargetText, rule: Rule) -> None:
    for m in rule.finditer(t.s):
        if not t.quoted[m.start(1)]:
            _add_rank(t, m, to_number(m.group(1)), rule.name)


def _read_strong(t: _TargetText, rule: Rule) -> None:
    for m in rule.finditer(t.s):
        v = to_number(m.group(1))
        if v:
            metric = _metric(t.s, m.start(), m.start()) + "排名"
            t.add(Target(metric, v, "名", "<=", implicit=True, phrase=m.group(0)), m.span(), rule.name)


# The target rules, in order. Examples: text -> the (value, unit) pairs `extract_targets` reads from it.
TARGET_RULES: list[Rule] = [
    Rule(
        "target:figure",
        TARGET_RE,
        _read_figures,
        (
            ex("新增返乡创业2500人以上", [(2500, "人")]),
            ex("企业开办时间压缩至1个工作日以内", [(1, "个工作日")]),
            ex("对符合条件的企业给予最高500万元补贴", []),
            ex("设立2.43亿元推动工业强市发展专项引导资金", []),
        ),
        note="a number with a unit; dropped by the first of FIGURE_VETOES that holds",
    ),
    Rule(
        "target:全覆盖 (100%)",
        _IMPLICIT[0][0],
        _read_idiom,
        (ex("实现政务服务全覆盖", [(100, "%")]),),
        data={"value": 100.0, "unit": "%", "op": ">="},
    ),
    Rule(
        "target:清零 (0)",
        _IMPLICIT[1][0],
        _read_idiom,
        (ex("拖欠账款动态清零", [(0, "")]),),
        data={"value": 0.0, "unit": "", "op": "<="},
    ),
    Rule("target:零突破 (1)", _ZERO_BREAK, _read_zero_break, (ex("上市企业实现零突破", [(1, "家")]),)),
    Rule("target:百分之N", _PERCENT_WORDS, _read_percent_words, (ex("满意度达到百分之九十五", [(95, "%")]),)),
    Rule("target:前N名", _RANK, _read_rank, (ex("营商环境评价进入全省前三", [(3, "名")]),)),
    Rule("target:第N名", _FIRST, _read_first, (ex("力争排名全省第一", [(1, "名")]),)),
    Rule("target:N强", _STRONG, _read_strong, (ex("进入全国百强", [(100, "名")]),)),
]
_FIGURE_RULE = TARGET_RULES[0]  # target:figure (TARGET_RE)


def extract_targets(s: str) -> list[Target]:
    """Targets in the (normalised) measure text `s`: every rule of `TARGET_RULES` over it, in order."""
    if next(_FIGURE_RULE.finditer(s), None) is None and not _MAY_HOLD_A_TARGET.search(s):
        return []  # most sentences hold no figure
    t = _TargetText(s)
    for rule in TARGET_RULES:
        assert rule.read is not None
        if rule.may_match(s):  # a text without the characters the rule needs: its pattern finds nothing
            rule.read(t, rule)
    return t.out


def _add_rank(t: _TargetText, m: re.Match[str], v: float | None, rule: str) -> None:
    if v:
        metric = _metric(t.s, m.start(), m.start())
        t.add(Target(metric=metric, value=v, unit="名", op="<=", phrase=m.group(0)), m.span(), rule)
