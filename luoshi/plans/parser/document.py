"""What kind of document this is and what it says about itself: title, issuer, date, plan year.

Interpretations (解读) and news reports are not plans: for them the parser reports the facts they state
(areas, "20条重点任务,85条细化措施", time limits such as 紧急诉求3日办, 签约6个月内开工) and no measures.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

from .numbers import to_number
from .rules import Rule, ex

_TITLE_END = re.compile(
    r"(方案|计划|措施|意见|要点|细则|办法|清单|通知|规划|若干措施|实施方案|行动|决定|解读)$"
)
_DATE_LINE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
_ISO_DATE = re.compile(r"(?:时间|日期|发布|印发|成文)[^\d\n]{0,6}(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})")
_ISSUER_LINE = re.compile(
    r"^\s*(\S{2,40}(?:人民政府办公室|人民政府|办公室|办公厅|委员会|管委会|局|委|厅|政府|中心))\s*$"
)
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[(（]\s*(\d{4})\s*[〕\])）]\s*\d{1,4}\s*号")


def _lines(text: str) -> list[str]:
    """Lines, also split at runs of spaces (paragraphs of a crawl whose line breaks were lost)."""
    return [p.strip() for ln in text.splitlines() for p in re.split(r"\s{2,}", ln) if p.strip()]


# Lines that are never the plan's own name: a covering notice ("关于印发…的通知"), a metadata field
# ("标  题:…", "主题分类:…"), a summary ("摘要:…"), a date, a document number.
_NOT_TITLE = re.compile(
    r"^(?:附件|[一二三四五六七八九十]+、|\()|关于(?:印发|转发|下发)|通知$|^[^:]{1,6}:|印发给你们"
)
# "X关于印发Y的通知": the plan's name Y, when the plan's own title line is missing
_NOTICE_OF = re.compile(r"关于(?:印发|转发|下发)\s*《?([^《》]{6,80}?)》?\s*的通知")
_PERIOD_LINE = re.compile(r"^[(（]\s*\d{4}\s*(?:[—\-–~至到]+\s*\d{4}\s*)?年(?:版|度)?\s*[)）]$")


def detect_title(norm: str) -> str:
    """The plan's own name ("…行动方案(2026年)"): the first line ending like a document's name that is not a
    covering notice, a metadata field or a summary; a short line before it that it continues is joined
    ("重庆市2023年优化营商环境" + "激发市场活力重点任务清单"), and so is a period line after it ("(2026年)")."""
    lines = _lines(norm[:6000])
    for i, ln in enumerate(lines[:60]):
        clean = ln.strip("《》")
        if len(ln) > 80 or _NOT_TITLE.search(ln) or not _TITLE_END.search(_PERIOD_TAIL.sub("", clean)):
            continue
        if len(clean) < 8:
            continue
        prev = lines[i - 1] if i else ""
        if (
            prev
            and len(prev) <= 30
            and not re.search(r"[。,:;]", prev)
            and not _TITLE_END.search(prev)
            and not _DATE_LINE.match(prev)
            and not _DOC_NO.search(prev)
            and not _NOT_TITLE.search(prev)
            and not re.fullmatch(r"[^\u4e00-\u9fff]*\d{4}[^\u4e00-\u9fff]*", prev)
            and _ISSUER_LINE.match(prev) is None
        ):
            clean = prev + clean
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _PERIOD_LINE.match(nxt):
            clean += nxt
        return clean
    notice = _NOTICE_OF.search("".join(lines[:12]))
    if notice:
        return notice.group(1)
    m = re.search(r"《([^》]{6,80})》", norm[:3000])
    return m.group(1) if m else (lines[0][:80] if lines else "")


_PERIOD_TAIL = re.compile(r"\s*[(（][^()（）]{0,20}\d{4}[^()（）]{0,20}[)）]$")


def detect_dates(norm: str) -> tuple[date | None, int | None]:
    head = norm[:8000]
    issued: date | None = None
    for ln in _lines(head):
        m = _DATE_LINE.match(ln)
        if m:
            try:
                issued = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                break
            except ValueError:
                continue
    if issued is None:
        m2 = _ISO_DATE.search(head)
        if m2:
            try:
                issued = date(int(m2.group(1)), int(m2.group(2)), int(m2.group(3)))
            except ValueError:
                issued = None
    year = issued.year if issued else None
    if year is None:
        t = detect_title(norm)
        m3 = re.search(r"(20\d{2})\s*年", t)
        if m3:
            year = int(m3.group(1))
    if year is None:
        years = Counter(int(y) for y in re.findall(r"(20\d{2})\s*年", norm[:50000]))
        if years:
            year = years.most_common(1)[0][0]
    if year is None:
        # no date or year of its own ("…根据《…》(昆政发〔2016〕13号),特制定如下措施"): a plan implements the
        # documents it cites, so it is of the latest year their numbers carry
        cited = [int(m.group(1)) for m in _DOC_NO.finditer(norm[:50000]) if 1990 < int(m.group(1)) < 2100]
        if cited:
            year = max(cited)
    return issued, year


def detect_issuer(norm: str, issued: date | None) -> str:
    lines = _lines(norm[:8000])
    for i, ln in enumerate(lines[:80]):
        if _DATE_LINE.match(ln) and i > 0:
            m = _ISSUER_LINE.match(lines[i - 1])
            if m:
                return m.group(1)
    m2 = re.search(r"(?:发文单位|发布机构|来源|解读单位)\s*[:]?\s*([\u4e00-\u9fff]{2,30})", norm[:3000])
    return m2.group(1) if m2 else ""


def detect_doc_number(norm: str) -> str:
    m = _DOC_NO.search(norm[:5000])
    return m.group(0) if m else ""


_INTERPRETATION = re.compile(r"解读(单位|类型|方式)|政策解读|》\s*解读|图解|一图读懂|答记者问")
_NAV_WORDS = re.compile(r"首页|政务公开|信息公开|互动|政策文件|办事服务|当前位置|>")


# A sign of an interpretation inside a numbered item of the text ("1.深入推进政策解读,创新解读形式。" in a 政务公开
# plan) or in a cell of a table line ("政策解读 | 对…进行全面解读 | 各责任科室 |"), blind batch 10 j05, names a task of
# the plan, not the document's kind.
ITEM_SIGN_RULE = Rule(
    "document:interpretation sign inside an item",
    re.compile(
        r"\s*(?:(?P<item>(?:\d{1,2}\s*[.、]|[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十\d]{1,3}\))[^\n]{2,})"
        r"|(?P<cell>[^\n|]{1,20}\|[^\n]*\|))"
    ),
    examples=(
        ex("1.深入推进政策解读,创新解读形式。", True),
        ex("(三)加强政策解读", True),
        ex("政策解读 | 对政策文件进行全面解读 | 各责任科室 |", True),
        ex("政策解读", False),
        ex("《关于印发X方案的通知》解读", False),
    ),
    note="the sign stands after an item's marker and some words of the item, or in a table's cell: a task",
)


def _item_sign(text: str, pos: int) -> bool:
    a = text.rfind("\n", 0, pos) + 1
    m = ITEM_SIGN_RULE.pattern.match(text, a)
    if m is None or m.end() < pos:
        return False
    return m.group("cell") is not None or pos - a >= 4


def _nav_line(text: str, pos: int) -> bool:
    """Is the line at `pos` a site's menu ("首页 政务公开 政策解读 …") or a bare menu item ("政策解读")?"""
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    line = text[a : b if b >= 0 else len(text)].strip()
    return len(line) <= 6 or bool(_NAV_WORDS.search(line))


def detect_kind(norm: str, n_headings: int) -> str:
    head = norm[:1500]
    if any(not _nav_line(head, m.start()) and not _item_sign(head, m.start()) for m in _INTERPRETATION.finditer(head)):
        return "interpretation"
    news_marks = len(
        re.findall(
            r"记者[::]|通讯员[::]|编辑[::]|责编[::]|校对[::]|审核[::]|来源[::][^\n]{0,20}(报|网|台|新闻)|"
            r"实时讯息|新闻|报道|讯\)|日电",
            norm,
        )
    )
    # every alternative starts with a character (no group first), so `re` skips to the next such character
    plan_marks = len(
        re.findall(
            r"印发给你们|现印发|制定本方案|特制定本|特制订本|现制定以下|结合.{0,20}实际,制定|"
            r"牵头单位\s*:|责任单位\s*:|完成时限\s*:|负责,\s*\d{4}|负责\)",
            norm,
        )
    )
    if news_marks >= 2 and plan_marks <= 2:
        return "news"
    early = re.search(r"^\s*(?:[^\n]{0,40})\n?.*解读", head[:200])
    if early and plan_marks == 0 and not _item_sign(head, early.end() - 2):
        return "interpretation"
    return "plan"


_CN_NUM = r"(\d+|[一二两三四五六七八九十百]+)"


_PLAN_NAME = re.compile(r"《([^》]{6,80}(?:方案|计划|措施|意见|办法|要点))》")
_COUNT = re.compile(
    rf"{_CN_NUM}\s*(条|项|个|大|方面)\s*(重点任务|细化措施|具体措施|重点举措|改革举措|政策措施|举措|措施|任务|行动|方面|领域)"
)
_TIME_LIMIT = re.compile(
    rf"([\u4e00-\u9fff]{{1,8}}?){_CN_NUM}\s*(个工作日|工作日|日|天|个月|小时|周)\s*(内)?\s*"
    r"(办结|办|开工|入库|答复|回复|办理|完成|投产|解决|反馈|到位)"
)
_FIGURE = re.compile(
    r"([^,。;\n]{2,30}?)(不少于|不低于|达到|新增|超过)\s*(\d+(?:\.\d+)?)\s*(万|亿)?\s*(%|个|项|家|场|亿元|万元|元|支|人)"
)


def facts(norm: str) -> dict[str, Any]:
    """What an interpretation or a news report states: counts, areas, time limits, the plan it covers."""
    found = {
        "plans": list(dict.fromkeys(m.group(1) for m in _PLAN_NAME.finditer(norm))),
        "counts": _unique(
            {"phrase": m.group(0), "count": to_number(m.group(1)), "what": m.group(3)}
            for m in _COUNT.finditer(norm)
        ),
        "time_limits": _unique(
            {"phrase": m.group(0), "value": to_number(m.group(2)), "unit": m.group(3), "action": m.group(5)}
            for m in _TIME_LIMIT.finditer(norm)
        ),
        "areas": _areas(norm),
        "figures": list(dict.fromkeys(m.group(0).strip() for m in _FIGURE.finditer(norm)))[:50],
    }
    return {k: v for k, v in found.items() if v}


def _unique(items: Any) -> list[dict[str, Any]]:
    """Items by their phrase, the first of each."""
    seen: dict[str, dict[str, Any]] = {}
    for item in items:
        seen.setdefault(item["phrase"], item)
    return list(seen.values())


def _areas(norm: str) -> list[str]:
    m2 = re.search(r"围绕([^。;]{2,80}?)" + _CN_NUM + r"\s*个方面", norm)
    if m2:
        areas = [a for a in re.split(r"[、,和及]", m2.group(1)) if a]
        if areas:
            return areas
    acts = re.findall(r"实施([\u4e00-\u9fff]{2,8}行动)", norm)
    if acts:
        return list(dict.fromkeys(acts))
    return list(dict.fromkeys(re.findall(r"(?:^|\n)\s*[一二三四五六七八九十]+是([^。\n]{4,40})[。,]", norm)))


def detect_report_title(text: str, norm: str) -> str:
    """The headline of an interpretation or a news report: "《…》解读", else the first headline-like line."""
    m = re.search(r"^[^\n]*《[^》\n]{4,80}》[^\n]{0,6}解读[^\n]*$", norm[:5000], re.M)
    if m:
        return text[m.start() : m.end()].strip()
    for ln_norm, ln in zip(norm[:3000].splitlines(), text[:3000].splitlines(), strict=False):
        s = ln_norm.strip()
        if 12 <= len(s) <= 60 and not re.search(r"[>::]|首页|时间|来源|手机版", s):
            return ln.strip()
    return ""
