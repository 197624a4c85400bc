"""Responsibility phrases: which units lead, which co-operate, as written in the document.

Handles "(市发改委、市经信局负责,2025年6月底前完成)", "(牵头单位:X;责任单位:Y、Z)",
"(责任单位:…,完成时限:…)", "X牵头,Y配合", label lines "责任单位:…" and the "第一责任单位为牵头单位,下同" rule.
All functions work on the normalised text (see normalize.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .rules import Rule, ex, first_match
from .vocabulary import (
    CO_VERBS,
    COLLECTIVE_PREFIXES,
    DUTY_ENDINGS,
    DUTY_TAIL_MAX,
    DUTY_TAIL_NOT,
    GENERIC_PARTY_WORDS,
    LABEL_ANY_WORD,
    LABEL_LEAD,
    LABEL_PERSON,
    LABEL_TIME,
    LEAD_VERBS,
    LIST_NOTE_STARTS,
    LIST_NOTE_WORDS,
    SINGLE_VERBS,
    UNIT_DECORATION,
    alternation,
)

UNIT_SUFFIX = (
    "委员会|管委会|委|局|办公室|办|厅|部|院|署|中心|公司|集团|分行|支行|银行|海关|法院|检察院|政府|街道|"
    "乡|镇|区|县|市|州|盟|处|室|队|站|会|联|社|所|校|学院|大学|分局|单位|部门|机构|小组|专班|总队|支队|大队|"
    "监管局|管理局|指挥部|园区|新区|开发区|高新区|保税区|示范区|科|组|台|馆|团|中队|工委|党委|党组|集团公司|"
    # a tier of organs named by level: "市级行政执法机关", "县直行政执法机关", "区直机关" (as "各行政执法机关")
    "机关|"
    # the People's Bank branch by its usual short name: "市人行" (blind batch 10, j04)
    "人行"
)
_UNIT_END = re.compile(rf"(?:{UNIT_SUFFIX})$")
TASK_VERBS = (
    "打造|推进|深化|构建|提升|加大|突出|推动|创新|强化|优化|完善|建立|实施|开展|加强|促进|拓展|加快|落实|"
    "健全|提高|扩大|持续|全面|积极|大力|探索|支持|鼓励|做好|抓好|坚持|着力|聚焦|培育|发展|保障|规范|服务|提优|"
    "提质|提能|用好|严格|巩固|深入|降低|减少|统筹|围绕|组织|引导|搭建|畅通|筑牢|夯实|营造|激发|维护|增强"
)
_VERB_START = re.compile(rf"^(?:{TASK_VERBS})")
# "责任单位:X", "责任单位 X", or a field written as a sentence of its own: "…激发活力。责任主体。市工商质监局。"
# (blind batch 9, i02)
LABEL_ANY = re.compile(rf"({LABEL_ANY_WORD})\s*[:。]?\s*")
LABEL_LINE = re.compile(rf"\s*{LABEL_ANY_WORD}\s*:")  # a "责任单位:…" line (normalised text)
FIRST_IS_LEAD = re.compile(
    r"(?:第一|首位|首个|排名第一|排在第一|排在首位|排第一|列第一)[^,;。)]{0,8}(?:为|是)牵头"
)
_DATEISH = re.compile(
    r"\d{4}\s*年|\d{1,2}\s*月|年底|年内|年末|季度|上半年|下半年|长期|持续|常态|全年|期间|十[四五六]五|"
    r"与国家|同步|前完成|底前|每年|每季|每月|\d{4}-\d{1,2}"
)


@dataclass
class Responsibility:
    lead: list[str] = field(default_factory=list)
    co: list[str] = field(default_factory=list)
    time_phrases: list[tuple[int, int]] = field(default_factory=list)  # spans (into the normalised text)
    labelled_single: bool = False  # a single list with no lead/co distinction
    first_is_lead: bool = False
    from_co_label: bool = False  # the list came from a 责任单位-style label with no 牵头 label beside it
    # how each name was read: name -> (rule name, start, end) in the normalised text
    sources: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    role_rules: list[str] = field(
        default_factory=list
    )  # rules that changed roles after reading (第一…为牵头)

    def add(self, role: str, names: list[tuple[str, int, int]], rule: str) -> None:
        """Add names read by `rule` as lead or co (`role`), keeping the first reading of each name."""
        target = self.lead if role == "lead" else self.co
        for name, a, b in names:
            if name not in target:
                target.append(name)
            self.sources.setdefault(name, (rule, a, b))

    def merge(self, other: Responsibility) -> None:
        if other.labelled_single and not self.lead and not self.co:
            self.labelled_single = True
        elif other.lead and not other.labelled_single:
            self.labelled_single = False
        for u in other.lead:
            if u not in self.lead:
                self.lead.append(u)
        for u in other.co:
            if u not in self.co and u not in self.lead:
                self.co.append(u)
        self.time_phrases.extend(other.time_phrases)
        for k, v in other.sources.items():
            self.sources.setdefault(k, v)
        self.role_rules += [r for r in other.role_rules if r not in self.role_rules]

    @property
    def empty(self) -> bool:
        return not self.lead and not self.co and not self.time_phrases


def split_top(s: str, seps: str) -> list[tuple[int, int]]:
    """Split on any char of `seps` outside parentheses; returns (start, end) spans."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        if ch in "(“《":
            depth += 1
        elif ch in ")”》":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in seps:
            out.append((start, i))
            start = i + 1
    out.append((start, len(s)))
    return out


def strip_parens(s: str) -> str:
    """A unit's own bracketed alias or sub-office goes: "县发改局(粮食局)", "市政府办公室<研究室>"."""
    return _BRACKETED.sub("", s)


_BRACKETED = re.compile(r"\([^()]*\)|<[^<>()]*>")


_DUTY_END = re.compile(rf"(?:{alternation(DUTY_ENDINGS)})$")
# A note on how a list shares the work, written after its last unit: "Y、Z(按职责分工负责)"
_NOTE_PAREN = re.compile(
    r"\s*\((?![^()]*牵头)[^()]*(?:职责|分工|负责|配合|落实|协助|参与|分别|下同|排名|排序)[^()]*\)$"
)


# a name that starts like a task verb but ends like an organisation ("发展和改革委员会", "服务保障中心")
_ORG_NAME = re.compile(r"^[^,、]{2,14}(?:委员会|改革委|管理局|局|办公室|服务中心|中心|厅|集团|公司)$")


# A unit named after a quoted programme keeps its quotes ("“证照分离”改革成员单位", blind batch 10 j01): the quoted term
# is no punctuation of a sentence; a quoted name that starts like a task verb is a task.
_QUOTED_TERM = re.compile(r"“[^“”。,;:!?]{1,12}”")


@lru_cache(maxsize=65536)
def is_unit_name(s: str) -> bool:
    s = s.strip().lstrip(UNIT_DECORATION)
    if not s or len(s) > 40 or re.search(r"[。,;:!?“”]", _QUOTED_TERM.sub("", s)):
        return False
    if "“" in s and _VERB_START.match(s):
        return False  # "打造“上云用数赋智”服务中心" is a task (seed 002)
    core = strip_parens(s).strip()
    core = re.sub(r"等$", "", core)
    if not core or re.match(r"^\d", core):
        return False
    if _VERB_START.match(core) and not core.startswith(("服务中心",)) and not _ORG_NAME.search(core):
        return False  # "优化审批流程" is a task; "发展和改革委员会" is a unit
    if _DUTY_END.search(core):
        return False  # "各县市区政府落实": a unit and its duty, not a name
    if core.startswith("各") or re.search(r"(单位|部门)$", core):
        # "各镇(街道)", "各县" are collectives too
        return len(core) >= 3 or (
            core.startswith("各") and core[1:] in ("镇", "乡", "区", "县", "市", "村", "州", "盟", "旗")
        )
    m = _UNIT_END.search(core)
    return m is not None and m.start() > 0 and len(core) >= 2


@lru_cache(maxsize=65536)
def is_unit_list(s: str) -> bool:
    s = s.strip().rstrip("。;,")
    if not s or len(s) > 300:
        return False
    spans = [(a, b) for a, b in split_top(s, "、,;/ ") if s[a:b].strip()]
    parts = [s[a:b].strip() for a, b in spans]
    i = 0
    while i < len(parts):
        end = _shared_party_end(s, spans, i)
        if end is not None:
            i = end + 1
            continue
        if is_unit_name(parts[i]) or _split_etc(parts[i]):
            i += 1
            continue
        end = _shared_suffix_end(parts, i)
        if end is None:
            return False
        i = end + 1
    return bool(parts)


_ETC = re.compile(rf"^(.+?)等((?:{alternation(COLLECTIVE_PREFIXES)}).+)$")


@lru_cache(maxsize=65536)
def _split_etc(p: str) -> tuple[str, ...]:
    """'X等各相关部门' -> ['X', '各相关部门'], 'X等省直有关部门' -> ['X', '省直有关部门']; 'X等' -> ['X']."""
    m = _ETC.match(p)
    if m and is_unit_name(m.group(1)) and is_unit_name(m.group(2)):
        return (m.group(1), m.group(2))
    return ()


_BARE_PLACES = re.compile(
    r"^(?:各|相关|有关)(?:市|县|区|乡|镇|街道|县区|市区|乡镇|州|盟|旗|州市|市州|盟市|县市)$"
)  # "各市、县(区)人民政府", "相关市、县政府"
# "哈尔滨、黑河、绥芬河市政府": bare place names sharing the government of the last one, one party
_PLACE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_NAMED_GOVERNMENT = re.compile(r"^[\u4e00-\u9fff]{2,5}(?:市|县|区|州|盟|旗)(?:人民政府|政府)$")


def _shared_suffix_end(parts: list[str], i: int) -> int | None:
    """The index of the "X市政府" piece that closes a run of bare place names starting at parts[i], if any."""
    j = i
    while j < len(parts) and _PLACE_NAME.match(parts[j]) and not is_unit_name(parts[j]):
        if _VERB_START.match(parts[j]):
            return None
        j += 1
    if i < j < len(parts) and _NAMED_GOVERNMENT.match(parts[j]):
        return j
    return None

# One party written over several pieces of a list, the tier or the government named once at the end
# (gold README: "a shared suffix" is one unit as written). Each run of pieces is tried whole against the table,
# longest first, from a piece that can open one (`_SHARED_START`). Examples: blind batch 10, j04, j07, j09, j14,
# j15, j16.
_TIER = "(?:县|市|区|乡|镇|街道)"
_PLACE = "(?:(?![局委办厅室部院会处司科所站队])[\u4e00-\u9fff]){1,8}?(?:市|州|县|区|盟|旗)"
SHARED_PARTY_RULES = [
    Rule(
        "units:tiers sharing a government",
        re.compile(rf"各{_TIER}(?:、{_TIER})*、{_TIER}(?:人民政府|政府)(?:\([^()]{{1,8}}\))?"),
        how="fullmatch",
        examples=(
            ex("各县、市、区政府", True),
            ex("各县、区人民政府(管委会)", True),
            ex("各县、市直部门", False),
        ),
        note="'各' and the government shared by the bare tiers between them: one party",
    ),
    Rule(
        "units:a collective sharing its 各 with a bare tier",
        re.compile(r"各[\u4e00-\u9fff]{1,6}(?:区|县|市)、(?:乡镇|镇|乡|街道)(?:\([^()]{1,6}\))?"),
        how="fullmatch",
        examples=(
            ex("各开发区、镇(街道)", True),
            ex("各开发区、市直各部门", False),
        ),
        note="'各开发区、镇(街道)': the bare tier after the collective is one more place of the same '各'",
    ),
    Rule(
        "units:places sharing an organ",
        re.compile(
            rf"(?:{_PLACE}、)+{_PLACE}(?:人民政府|政府|管委会|党工委和管委会|党委和政府|[\u4e00-\u9fff]{{2,8}}?(?:部门|机构))"
        ),
        how="fullmatch",
        examples=(
            ex("银川市、石嘴山市、吴忠市人民政府", True),
            ex("海东市、兰州市、临夏州发展改革部门", True),
            ex("城乡一体化示范区、高新区党工委和管委会", True),
            ex("市发改委、吴忠市人民政府", False),
        ),
        note="named places whose government (or department) is named once, after the last: one party",
    ),
    Rule(
        "units:one place's party committee and government",
        re.compile(r"(?:[^、,;和及与()]|\([^()]*\)){1,12}?(?:党委|党工委)和(?:人民政府|政府|管委会)"),
        how="fullmatch",
        examples=(
            ex("各县(市、区)党委和人民政府", True),
            ex("高新区党工委和管委会", True),
            ex("市委宣传部和市文明办", False),
        ),
        note="'X党委和人民政府': the two organs of one place named once, one party (never split at 和)",
    ),
]
_SHARED_START = re.compile(rf"^(?:各{_TIER}|各[\u4e00-\u9fff]{{1,6}}(?:区|县|市)|{_PLACE})$")


def _shared_party_end(s: str, spans: list[tuple[int, int]], i: int) -> int | None:
    """The last index of a run of list pieces from spans[i] that `SHARED_PARTY_RULES` read as one party."""
    if i + 1 >= len(spans) or not _SHARED_START.match(s[spans[i][0] : spans[i][1]].strip()):
        return None
    for j in range(min(len(spans) - 1, i + 6), i, -1):
        if first_match(SHARED_PARTY_RULES, s[spans[i][0] : spans[j][1]].strip()):
            return j
    return None


_PLACE_GOVERNMENT = re.compile(
    r"^(?:市|县|区|乡|镇|街道|县区|市区|乡镇)(?:\([^()]*\))?(?:人民政府|政府|办事处|管委会|党委和政府)$"
)
_BARE_PLACE_LIST = re.compile(r"^各(?:市|县|区|州|盟|旗|乡|镇)(?:\([^()]*\))?$")
_FUNCTION_DEPARTMENT = re.compile(r"^(?!各)(?!.*(?:有关|相关|直))[^()]{2,16}(?:部门|机构)$")
_PLACE_COLLECTIVE = re.compile(r"^各[^()]{0,6}(?:\([^()]*\))?(?:区|县|市|乡|镇|街道|园区)$")


# Two department names of the same tier run together where a cell's line break was lost (a PDF table cell
# "市人力资源社会保障局\n市农业农村局" read as "市人力资源社会保障局市农业农村局"): split where a department suffix is
# followed by the tier the name began with, when both halves are unit names of four characters or more. An area
# ("市高新区市场监管局") is no department: it does not split.
# Example: blind batch 9, i03 as .pdf.
GLUED_NAMES_RULE = Rule(
    "units:department names run together",
    re.compile(r"(?<=[局委办厅心室])(?=[市县区])"),  # after 局 委 办 厅 (中)心 (办公)室, before the tier
    how="finditer",
    examples=(
        ex("市人力资源社会保障局市农业农村局", True),
        ex("县发改局县财政局", True),
        ex("市高新区市场监管局", False),
        ex("市公安局交警支队", False),
    ),
    note="two department names of the name's own tier run together (a cell's lost line break) are two units",
)


def _unglue(s: str, a: int, b: int) -> list[tuple[int, int]]:
    part = s[a:b]
    if len(part) < 8 or part[0] not in "市县区":
        return [(a, b)]
    for m in GLUED_NAMES_RULE.pattern.finditer(part, 4):
        left, right = part[: m.start()], part[m.start() :]
        if right[0] == part[0] and len(right) >= 4 and is_unit_name(left) and is_unit_name(right):
            return [(a, a + m.start()), *_unglue(s, a + m.start(), b)]
    return [(a, b)]


def _pieces(s: str) -> list[tuple[int, int]]:
    """Split a unit list; 和/及 only split between two unit names, and a place collective such as
    "各镇区" stays with the collective after it ("各镇区、园区各相关单位" is one responsible party)."""
    raw = [q for a, b in split_top(s, "、,;/ \n") for q in _unglue(s, a, b)]
    out: list[tuple[int, int]] = []
    for a, b in raw:
        part = s[a:b]
        k = a
        for m in re.finditer(r"[和及与]", part) if not first_match(SHARED_PARTY_RULES, part.strip()) else ():
            left, right = s[k : a + m.start()], s[a + m.end() : b]
            if is_unit_name(left) and is_unit_name(right.split("和")[0].split("及")[0]):
                out.append((k, a + m.start()))
                k = a + m.end()
        out.append((k, b))
    merged: list[tuple[int, int]] = []
    texts = [s[a:b].strip() for a, b in out]
    i = 0
    while i < len(out):
        a, b = out[i]
        end = _shared_party_end(s, out, i)
        if end is None and _PLACE_NAME.match(texts[i]) and not is_unit_name(texts[i]):
            end = _shared_suffix_end(texts, i)
        if end is not None:
            merged.append((a, out[end][1]))
            i = end + 1
            continue
        if i + 1 < len(out) and _BARE_PLACES.match(s[a:b].strip()):
            nxt = s[out[i + 1][0] : out[i + 1][1]].strip()
            if _PLACE_GOVERNMENT.match(nxt):
                merged.append((a, out[i + 1][1]))
                i += 2
                continue
        if i + 1 < len(out) and _BARE_PLACE_LIST.match(s[a:b].strip()):
            nxt = s[out[i + 1][0] : out[i + 1][1]].strip()
            if _FUNCTION_DEPARTMENT.search(nxt):
                # "各市(州)、贵安新区数据管理部门": the department of each place, one collective
                merged.append((a, out[i + 1][1]))
                i += 2
                continue
        if (
            i + 1 < len(out)
            and s[out[i + 1][0] : out[i + 1][1]].strip() in GENERIC_PARTY_WORDS
            and re.search(r"(?:部门|单位|机构)$", s[a:b].strip())
        ):
            merged.append((a, out[i + 1][1]))  # "市直有关部门、单位": one party
            i += 2
            continue
        if i + 1 < len(out) and _PLACE_COLLECTIVE.match(s[a:b].strip()):
            nxt = s[out[i + 1][0] : out[i + 1][1]]
            # "各镇区、园区各相关单位" is one party; "各街道、区直各部门" / "各街道,各相关单位" are two (a collective
            # that starts like one, 区直…/各…, stands on its own)
            own = nxt.strip().startswith(COLLECTIVE_PREFIXES)
            if "各" in nxt and not own and re.search(r"(单位|部门)$", nxt.strip().rstrip("等")):
                merged.append((a, out[i + 1][1]))
                i += 2
                continue
        merged.append((a, b))
        i += 1
    return merged


def unit_spans(s: str, base: int = 0) -> list[tuple[int, int]]:
    """Spans of the unit names in a list like '市发改委、市经信局等'."""
    if not base:
        return list(_unit_spans(s))
    return [(base + a, base + b) for a, b in _unit_spans(s)]


@lru_cache(maxsize=16384)
def _unit_spans(s: str) -> tuple[tuple[int, int], ...]:
    """`unit_spans` from offset 0, read once per distinct list (a plan names the same units again and again)."""
    base = 0
    out: list[tuple[int, int]] = []
    for a, b in _pieces(s):
        part = s[a:b]
        lead_ws = len(part) - len(part.lstrip(" \t\n" + UNIT_DECORATION))
        a += lead_ws
        part = part[lead_ws:].strip().rstrip("。")
        if not part:
            continue
        note = _NOTE_PAREN.search(part)
        if note and note.start() > 0:
            part = part[: note.start()].rstrip()
        b = a + len(part)
        etc = _split_etc(part)
        if etc:
            k = part.index("等")
            out.append((base + a, base + a + k))
            out.append((base + a + k + 1, base + b))
            continue
        generic = re.fullmatch(r"(.+?)等(?:部门|单位|机构)", part)
        if generic and is_unit_name(generic.group(1)):
            b = a + len(generic.group(1))  # "X等部门": the generic word names no other party
            part = generic.group(1)
        if part.endswith("等"):
            b -= 1
            part = part[:-1]
        if is_unit_name(part) or "、" in part:
            out.append((base + a, base + b))
    return tuple(out)


def _units(orig: str, norm: str, a: int, b: int) -> list[tuple[str, int, int]]:
    """The unit names in norm[a:b], as written in `orig`, with their spans."""
    names: list[tuple[str, int, int]] = []
    for x, y in unit_spans(norm[a:b], a):
        name = orig[x:y].strip()
        if name and all(name != n for n, _, _ in names):
            names.append((name, x, y))
    return names


_RESP_VERB = re.compile(rf"({alternation(LEAD_VERBS + SINGLE_VERBS + CO_VERBS + ('共同',))})")
_LEAD_VERB_START = re.compile(r"(?:分别)?(?:牵头|主办|负总责)")  # "X、Y分别牵头": each of them leads
_MASK_NOTE = re.compile(r"\([^()]*(?:牵头|下同|排名|排序)[^()]*\)")


def _read_meeting(m: re.Match[str]) -> list[tuple[str, int]] | None:
    """X会同Y负责: X leads, Y co-operates; "(X牵头,会同Y推进)" adds Y."""
    if (m.group(1) and not is_unit_list(m.group(1))) or not is_unit_list(m.group(2)):
        return None
    return ([("lead_marked", 1)] if m.group(1) else []) + [("co", 2)]


def _read_defined(m: re.Match[str]) -> list[tuple[str, int]] | None:
    return [("lead_marked" if m.group(2) else "co", 1)] if is_unit_list(m.group(1)) else None


def _read_duty(m: re.Match[str]) -> list[tuple[str, int]] | None:
    if not is_unit_list(m.group(1)):
        return None
    return [("lead_marked" if _LEAD_VERB_START.match(m.group(2)) else "single", 1)]


def _read_co_duty(m: re.Match[str]) -> list[tuple[str, int]] | None:
    return [("co", 1)] if is_unit_list(m.group(1)) else None


def _read_bare(m: re.Match[str], strict: bool) -> list[tuple[str, int]] | None:
    return [("single", 0)] if not strict and is_unit_list(m.group(0)) else None


# a short word after the duty verb: "牵头推动", "按职责分工落实" (never "负责人")
_DUTY_TAIL = rf"(?:(?!{alternation(DUTY_TAIL_NOT)})[\u4e00-\u9fff]{{1,{DUTY_TAIL_MAX}}})?$"
# One clause of a responsibility phrase ("X牵头", "Y、Z配合", "X会同Y负责", "X为牵头单位"), tried in order.
# `read` returns (role, group) pairs: lead_marked (X牵头: the others of the phrase co-operate), single (a list
# with no lead/co distinction: it leads), co. Examples: clause -> {role: [names]}.
PHRASE_RULES: list[Rule] = [
    Rule(
        "phrase:X会同Y",
        re.compile(r"^(?:由)?(.*?)会同(.+?)(?:共同)?(?:负责|推进|落实|实施|办理|开展)?$"),
        lambda m, strict: _read_meeting(m),
        (ex("市发改委会同市财政局负责", {"lead": ["市发改委"], "co": ["市财政局"]}),),
    ),
    Rule(
        "phrase:X为牵头单位",
        re.compile(r"^(.+?)为(?:(牵头|主责|主办)|配合|协办|协同|参与)(?:单位|部门)$"),
        lambda m, strict: _read_defined(m),
        (ex("市税务局为牵头单位,市财政局为配合单位", {"lead": ["市税务局"], "co": ["市财政局"]}),),
    ),
    Rule(
        "phrase:X牵头/负责",
        re.compile(rf"^(?:由)?(.+?)({alternation(LEAD_VERBS + SINGLE_VERBS)}){_DUTY_TAIL}"),
        lambda m, strict: _read_duty(m),
        (
            ex("市发改委牵头,市财政局配合", {"lead": ["市发改委"], "co": ["市财政局"]}),
            ex("市发改委、市经信局负责", {"lead": ["市发改委", "市经信局"], "co": []}),
            ex("区政府负总责,各街道配合", {"lead": ["区政府"], "co": ["各街道"]}),
            ex("市人力社保局、市农业农村局分别牵头", {"lead": ["市人力社保局", "市农业农村局"], "co": []}),
        ),
    ),
    Rule(
        "phrase:Y配合",
        re.compile(rf"^(?:由)?(.+?)({alternation(CO_VERBS)}){_DUTY_TAIL}"),
        lambda m, strict: _read_co_duty(m),
        (ex("市人社局牵头,市教育局协同", {"lead": ["市人社局"], "co": ["市教育局"]}),),
    ),
    Rule(
        "phrase:unit list",
        re.compile(r"^.+$"),
        _read_bare,
        (ex("市市场监管局、市公安局", {"lead": ["市市场监管局", "市公安局"], "co": []}),),
        note="a bare list of units closing a sentence (not inside a sentence: strict)",
    ),
]
_DATE_RULE = Rule(
    "phrase:time",
    _DATEISH,
    examples=(
        ex("市发改委负责,2025年6月底前完成", {"lead": ["市发改委"], "co": [], "time": ["2025年6月底前完成"]}),
    ),
    note="a clause that reads as a time limit (≤ 40 characters)",
)


def parse_responsibility(
    orig: str, norm: str, a: int, b: int, *, strict: bool = True
) -> Responsibility | None:
    """Parse norm[a:b] (the inside of a parenthetical, or a label line) as a responsibility phrase.

    Returns None when it is not one (an explanation, an example, a name...).
    """
    seg = norm[a:b]
    if not seg.strip() or len(seg) > 400:
        return None
    note = _NOTE_AFTER.search(seg)
    if note and note.start() > 0:
        seg = seg[: note.start()]  # "…负责。以下均需X落实,不再列出": a note about later items
    r = Responsibility()
    if FIRST_IS_LEAD.search(seg):
        r.first_is_lead = True
    masked = _MASK_NOTE.sub(lambda m: " " * len(m.group()), seg)
    labels = list(LABEL_ANY.finditer(masked))
    if labels and seg[: labels[0].start()].strip(" ,;。") == "":
        return _read_labels(orig, norm, a, seg, masked, labels, r)
    # Text before the first label ("X为牵头单位,Y为配合单位") or no label: read it as a phrase
    return _read_phrase(orig, norm, a, seg, strict, r)


_LIST_NOTE = re.compile(alternation(LIST_NOTE_WORDS))
_NOTE_AFTER = re.compile(rf"[。;,]\s*(?:{alternation(LIST_NOTE_STARTS)}).*$")


def _is_time_clause(s: str) -> bool:
    s = s.strip()
    return bool(s) and len(s) <= 40 and bool(_DATEISH.search(s)) and not is_unit_list(s)


def _read_labels(
    orig: str, norm: str, a: int, seg: str, masked: str, labels: list[re.Match[str]], r: Responsibility
) -> Responsibility:
    """ "牵头单位:X;责任单位:Y;完成时限:Z" — each label's value up to the next label."""
    for k, lab in enumerate(labels):
        end = labels[k + 1].start() if k + 1 < len(labels) else len(seg)
        va, vb = a + lab.end(), a + end
        label = lab.group(1)
        if re.fullmatch(LABEL_TIME, label):
            r.time_phrases.append((va, vb))
            continue
        if re.fullmatch(LABEL_PERSON, label):
            continue  # "牵头负责领导:刘惠": a person
        value = masked[va - a : vb - a]  # notes such as "(第一责任单位为牵头单位,下同)" are blanked
        stop = value.find("。")
        if 0 < stop < len(value.rstrip(" 。")):
            value = value[:stop]  # "X按职责分工负责。具体任务均涉及…,下同": a note after the list
        clauses = split_top(value, ",;")
        while len(clauses) > 1:
            last = value[clauses[-1][0] : clauses[-1][1]]
            if _is_time_clause(last):  # "责任单位:X、Y,6月底完成": the time limit closes the list
                r.time_phrases.append((va + clauses[-1][0], va + clauses[-1][1]))
            elif not _LIST_NOTE.search(last):  # "…,以下各任务均需Y落实,不再一一列出": a note
                break
            clauses.pop()
            value = value[: clauses[-1][1]]
        vb2 = va + len(value.rstrip(" ,;。"))
        names = _units(orig, norm, va, vb2)
        rule = f"label:{label}"
        if _RESP_VERB.search(value) and not LABEL_ANY.search(value):
            # "责任单位:X牵头,Y配合": the label's value is itself a phrase with roles
            sub = parse_responsibility(orig, norm, va, vb2, strict=False)  # a label's value is a list
            if sub and sub.lead and not sub.labelled_single:
                for role, names_ in (("lead", sub.lead), ("co", sub.co)):
                    r.add(
                        role,
                        [(n, *sub.sources.get(n, (rule, va, vb2))[1:]) for n in names_],
                        rule + "+phrase",
                    )
                r.time_phrases += sub.time_phrases
                continue
            if sub and sub.lead:
                names = [(n, *sub.sources[n][1:]) for n in sub.lead]  # "责任单位:X、Y按职责分工负责"
        r.add("lead" if re.fullmatch(LABEL_LEAD, label) else "co", names, rule)
    if r.co and not r.lead:
        r.lead, r.co = r.co, []
        r.labelled_single = True
        r.from_co_label = True
    _marked_lead(r)
    return r


def _read_phrase(
    orig: str, norm: str, a: int, seg: str, strict: bool, r: Responsibility
) -> Responsibility | None:
    """ "X、Y负责,2025年6月底前完成" / "X牵头,Y配合" / "X、Y": each clause by the first rule of
    `PHRASE_RULES` that reads it; a clause no rule reads means this is not a responsibility phrase."""
    found = False
    lead_marked: list[str] = []
    for pa, pb in split_top(seg, ",;"):
        part = seg[pa:pb].strip()
        if not part:
            continue
        pa2 = a + pa + (len(seg[pa:pb]) - len(seg[pa:pb].lstrip()))
        if FIRST_IS_LEAD.search(part) or "下同" in part:
            continue  # the "第一责任单位为牵头单位,下同" rule, read by the caller
        hit = first_match(PHRASE_RULES, part, strict)
        if hit is None:
            if _DATE_RULE.pattern.search(part) and len(part) <= 40:
                r.time_phrases.append((pa2, pa2 + len(part)))
                continue
            return None
        rule, roles = hit
        m = rule.pattern.match(part)
        assert m is not None
        if rule.name == "phrase:unit list" and _DATE_RULE.pattern.search(part) and len(part) <= 40:
            r.time_phrases.append((pa2, pa2 + len(part)))
            continue
        for role, g in roles:
            names = _units(orig, norm, pa2 + m.start(g), pa2 + m.end(g))
            r.add("co" if role == "co" else "lead", names, rule.name)
            if role == "lead_marked":
                lead_marked += [n for n, _, _ in names]
            elif role == "single":
                r.labelled_single = True
        found = True
    if not found and not r.lead:
        return None
    if lead_marked and r.labelled_single:
        # "X牵头,Y、Z按职责分工负责": the units that do not lead co-operate
        r.co += [n for n in r.lead if n not in lead_marked and n not in r.co]
        r.lead = [n for n in r.lead if n in lead_marked]
        r.labelled_single = False
    return r


_LEAD_MARK = re.compile(r"\s*[(（](?:牵头|牵头单位|牵头部门|牵头负责|负责牵头)[)）]$")


def _marked_lead(r: Responsibility) -> None:
    """ "责任单位:区财政局(牵头)、区税务局": the marked unit leads, the others of its list co-operate."""
    names = r.lead + r.co
    marked = [n for n in names if _LEAD_MARK.search(n)]
    if not marked:
        return
    lead = [_LEAD_MARK.sub("", n) for n in marked]
    co = [_LEAD_MARK.sub("", n) for n in names if n not in marked]
    for n in names:
        src = r.sources.get(n)
        if src:
            r.sources.setdefault(_LEAD_MARK.sub("", n), (src[0] + "+X(牵头)", src[1], src[2]))
    r.lead, r.co, r.labelled_single, r.from_co_label = lead, co, False, False


def apply_sign_is_lead(r: Responsibility, norm: str, signs: str) -> None:
    """Under a legend "标★的为牵头单位" (`vocabulary.SIGN_LEGEND`) the units marked with the sign lead, the others
    of the measure co-operate; a measure with no marked unit keeps its reading."""
    names = r.lead + [n for n in r.co if n not in r.lead]

    def marked(name: str) -> bool:
        src = r.sources.get(name)
        if src is None:
            return False
        k = src[1] - 1
        while k >= 0 and norm[k] in " “\"":
            k -= 1
        return k >= 0 and norm[k] in signs

    lead = [n for n in names if marked(n)]
    if not lead:
        return
    r.lead, r.co = lead, [n for n in names if n not in lead]
    r.labelled_single = r.from_co_label = False
    r.role_rules.append(f"doc:{signs[0]}为牵头单位")


def apply_first_is_lead(r: Responsibility) -> None:
    """Under a "第一责任单位为牵头单位" rule the first unit of a single list leads, the others co-operate."""
    if r.labelled_single and r.lead and not r.co:
        r.lead, r.co = r.lead[:1], r.lead[1:]
        if r.co:
            r.role_rules.append("doc:第一责任单位为牵头单位")
