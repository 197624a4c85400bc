"""From text to measures: the pipeline behind `parse_text`.

normalise → lines → task tables → heading tree → sections that hold tasks → measures (text, units,
deadline, targets, span). Matching runs on the normalised copy; everything returned is cut from the
original text by offsets.
"""

from __future__ import annotations

import bisect
import difflib
import heapq
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain

from .deadlines import parse_deadline
from .normalize import normalize
from .reasons import measure_reasons
from .result import ExtractedMeasure
from .structure import (
    Line,
    Node,
    blank_page_markers,
    build_tree,
    discover_keywords,
    front_matter_end,
    match_marker,
    split_lines,
    title_line,
)
from .tables import Cell, TableRegion, TableRow, find_flat_tables, find_pipe_tables, structured_rows
from .targets import extract_targets
from .units import (
    FIRST_IS_LEAD,
    LABEL_ANY,
    LABEL_TIME,
    Responsibility,
    apply_first_is_lead,
    apply_sign_is_lead,
    parse_responsibility,
    unit_spans,
)
from .vocabulary import LABEL_ANY_WORD, SIGN_LEGEND

NON_TASK = re.compile(
    r"总体要求|指导思想|总体思路|工作思路|基本原则|工作原则|主要目标|工作目标|发展目标|总体目标|目标任务$|"
    r"保障措施|组织保障|保障机制|工作要求|组织实施|组织领导|实施步骤|工作步骤|进度安排|时间安排|方法步骤|"
    r"工作机制|监督考核|督查考核|考核评估|宣传引导|附则|总\s*则|其他事项|适用范围|编制依据|背景|现状"
)
_TASK_WORDS = re.compile(r"任务|举措|措施|行动")
# A table's title line (read as the path of a table with no group rows) is at most this long and is no date,
# no "(此件公开发布)" note and no page number.
TABLE_CAPTION_MAX = 40
_CAPTION_NOT = re.compile(r"^\(|^[\d\-—.\s]+$|^\d{4}年\d{1,2}月\d{1,2}日$|公开发布|印发|通知$")
DUTY_SECTION = re.compile(r"责任分工|职责分工|部门职责|任务分工|分工安排|职责任务")
# a line that says what a unit does: "区发展改革委主要职责为:…", "县司法局负责…"
_DUTY_LINE = re.compile(
    r"^\s*(?:责任分工|职责分工|任务分工)?\s*[^。,;:()]{2,30}?(?:主要职责|职责为|职责是|职责:|负责)"
)
_SENT_END = "。;!?"
_SENTENCE_MARK = re.compile(r"[。;]")
_TITLE_THEN_TEXT = re.compile(r"[^。;!?()]{2,40}?。(?=\s*[^\s()])")
_ONLY_END = re.compile(r"[ 。;]*")


LABEL_TIME_START = re.compile(rf"\s*{LABEL_TIME}\s*:")
# a label after the measure's last sentence, on the same line: "…。责任单位:市发改委。完成时限:2025年底"
# after a sentence: "…。责任单位:X" or the label as a sentence of its own, "…。责任主体。X。" (blind batch 9, i02)
_INLINE_LABEL = re.compile(rf"(?<=[。;.])\s*(?=(?:{LABEL_ANY_WORD})\s*[:。])")


def _joined(first: Responsibility, second: Responsibility) -> Responsibility:
    r = Responsibility()
    r.merge(first)
    r.merge(second)
    r.first_is_lead = first.first_is_lead or second.first_is_lead
    r.from_co_label = first.from_co_label or second.from_co_label
    return r


def _co_labels_beside_a_lead(rs: list[Responsibility]) -> list[Responsibility]:
    """【牵头单位:X】【配合单位:Y】 in one measure: both labels are present, so Y co-operates (a lone
    责任单位/配合单位 list would lead). Returns copies; the caller merges them in order."""
    if not any(r.lead and not r.labelled_single for r in rs):
        return rs
    out = []
    for r in rs:
        if r.from_co_label:
            c = Responsibility()
            c.co, c.time_phrases = list(r.lead), list(r.time_phrases)
            c.first_is_lead = r.first_is_lead
            c.sources = dict(r.sources)
            r = c
        out.append(r)
    return out


# A title: a first sentence of 2–40 characters without a comma, "、" or other sentence end outside quotations.
_TITLE_SENTENCE = re.compile(r"^((?:[^。;!?,、“]|“[^”。]*”){2,40}?)[。](?=\s*\S)")


@dataclass
class Paren:
    start: int  # position of "("
    end: int  # position after ")"
    resp: Responsibility
    final: bool  # ends a sentence group


@dataclass
class Draft:
    path: list[str]
    title: str | None
    start: int
    end: int
    resp: Responsibility = field(default_factory=Responsibility)
    time_spans: list[tuple[int, int]] = field(
        default_factory=list
    )  # time-limit fields/labels (normalised text)
    source: str = "text"
    rule: str = ""  # how the measure was delimited
    path_src: list[tuple[str, int, int]] = field(default_factory=list)  # (rule, start, end) per path element


_PAREN = re.compile(r"[()]")


def find_parens(norm: str, a: int, b: int) -> list[tuple[int, int]]:
    """Top-level balanced (...) groups inside [a, b); unbalanced ones are ignored."""
    out: list[tuple[int, int]] = []
    stack: list[int] = []
    for m in _PAREN.finditer(norm, a, b):
        i = m.start()
        if norm[i] == "(":
            stack.append(i)
        elif stack:
            s = stack.pop()
            if not stack:
                out.append((s, i + 1))
            if len(out) > 5000:
                break
    return out


class _BigramIndex:
    """Finds texts similar to a query without comparing it to every one (difflib only on the best few)."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = list(dict.fromkeys(texts))  # repeated rows are indexed once
        self.exact = set(self.texts)
        self.matchers: dict[int, difflib.SequenceMatcher[str]] = {}
        self.index: dict[str, list[int]] = {}
        for i, t in enumerate(self.texts):
            for g in {t[k : k + 2] for k in range(len(t) - 1)}:
                self.index.setdefault(g, []).append(i)
        self.df = {g: len(v) for g, v in self.index.items()}

    def has_similar(self, q: str, threshold: float) -> bool:
        if q in self.exact:
            return True
        # the 24 rarest bigrams are enough to find the candidates; bigrams no row has count among the 24
        index, df = self.index, self.df
        grams = {q[k : k + 2] for k in range(len(q) - 1)}
        present = grams & df.keys()
        n_rare = 24 - (len(grams) - len(present))
        if n_rare <= 0:  # 24 bigrams no row has: no candidate (most queries end here)
            return False
        # = sorted(...)[:n_rare]; ties broken by the bigram itself, never by set order (which follows the
        # per-process hash seed, so one input could read differently from one run to the next)
        rare = heapq.nsmallest(n_rare, sorted(present), key=df.__getitem__)
        hits = Counter(chain.from_iterable(index[g] for g in rare))
        best = heapq.nlargest(3, hits, key=hits.__getitem__)  # = sorted(..., reverse=True)[:3], ties alike
        for i in best:
            sm = self.matchers.get(i)
            if sm is None:  # the row's side is indexed once and reused for every query
                sm = self.matchers[i] = difflib.SequenceMatcher(None, "", self.texts[i], autojunk=False)
            sm.set_seq1(q)
            if (
                sm.real_quick_ratio() >= threshold
                and sm.quick_ratio() >= threshold
                and sm.ratio() >= threshold
            ):
                return True
        return False


class Extractor:
    def __init__(
        self,
        text: str,
        year: int | None,
        tables: list[tuple[int, int, list[list[Cell | None]]]] | None = None,
    ):
        self.text = text
        self.norm = blank_page_markers(normalize(text))  # a sharing site's page numbers are no items
        self.year = year
        self.title = ""  # the plan's own name (set by the caller): where a covering notice ends
        self.first_is_lead = False
        self.lead_signs = ""  # signs a legend makes lead ("标★的为牵头单位")
        self.struct_tables = tables or []
        self.warnings: list[str] = []
        self._parens_cache: dict[tuple[int, int], list[Paren]] = {}
        self._resp_cache: dict[tuple[int, int, bool], Responsibility | None] = {}
        self._span_cache: dict[int, tuple[int, int, list[tuple[int, int]], Responsibility]] = {}

    # ---- helpers -------------------------------------------------------------------------------------
    def o(self, a: int, b: int) -> str:
        return self.text[a:b]

    def n(self, a: int, b: int) -> str:
        return self.norm[a:b]

    def strip_span(self, a: int, b: int, chars: str = " \n,;。:、") -> tuple[int, int]:
        while a < b and (self.norm[a].isspace() or self.norm[a] in chars):
            a += 1
        while b > a and self.norm[b - 1].isspace():
            b -= 1
        return a, b

    # ---- pipeline ------------------------------------------------------------------------------------
    def lines(self) -> list[Line]:
        self.keywords = discover_keywords(self.norm)
        lines = split_lines(self.text, self.norm, self.keywords)
        self.table_regions: list[TableRegion] = []
        for a, b, rows in self.struct_tables:
            trows = structured_rows(self.norm, rows)
            for ln in lines:
                if ln.start >= a and ln.end <= b:
                    ln.in_table = True
            if trows:
                self.table_regions.append(TableRegion(a, b, trows))
        self.table_regions += find_pipe_tables(self.norm, [ln for ln in lines if not ln.in_table])
        self.table_regions += find_flat_tables(self.norm, [ln for ln in lines if not ln.in_table])
        return lines

    def run(self) -> tuple[list[Draft], list[dict[str, str]], Node]:
        lines = self.lines()
        self.first_is_lead = bool(FIRST_IS_LEAD.search(self.norm))
        self.lead_signs = "".join(dict.fromkeys(m.group(1) for m in SIGN_LEGEND.finditer(self.norm)))
        tree = build_tree(self.norm, lines, self.keywords, front_matter_end(self.norm, lines, self.title))
        duties: list[dict[str, str]] = []
        narrative: list[Draft] = []
        self.grouped = self._grouped_mode(tree)
        for node in tree.children:
            self._walk(node, [], narrative, duties, task=True)
        if not tree.children:
            narrative += self._flat_paragraphs(tree)
        self._path_headless(lines, narrative)
        table: list[Draft] = []
        ends = [ln.end for ln in lines] if self.table_regions else []
        for reg in self.table_regions:
            rows = [self._row_draft(r, reg.flat) for r in reg.rows]
            caption = None if any(d.path for d in rows) else self._table_caption(lines, ends, reg)
            section = self._table_section(lines, ends, rows, reg) if caption is None else None
            for d in rows:
                if caption is not None:  # a table with no group rows: its title is its only section
                    d.path, d.path_src = [self.o(*caption).strip()], [("table:caption", *caption)]
                elif section is not None:
                    d.path = [self.o(*section).strip(), *d.path]
                    d.path_src = [("table:section heading", *section), *d.path_src]
            table += rows
        if table:
            index = _BigramIndex([re.sub(r"\s+", "", self.n(d.start, d.end)) for d in table])
            kept = [
                d
                for d in narrative
                if (d.resp.lead or d.resp.co)
                and not index.has_similar(re.sub(r"\s+", "", self.n(d.start, d.end)), 0.6)
            ]
            drafts = kept + table
        else:
            drafts = narrative
        return drafts, duties, tree

    def _path_headless(self, lines: list[Line], drafts: list[Draft]) -> None:
        """Items under no heading take the title line above them as path (`structure.TITLE_LINE_RULE`)."""
        headless = [d for d in drafts if not d.path]
        if not headless:
            return
        at = title_line(self.norm, lines, self.title, min(d.start for d in headless))
        if at is None:
            return
        for d in headless:
            d.path, d.path_src = [self.o(*at).strip()], [("structure:title over headless items", *at)]

    def _heading_text(self, node: Node) -> str:
        ln = node.line
        assert ln is not None
        return self.o(ln.start, ln.end).strip()

    def _heading_title(self, node: Node) -> str:
        ln = node.line
        assert ln is not None
        return self.n(ln.body_start, ln.end)

    def _walk(
        self,
        node: Node,
        path: list[str],
        out: list[Draft],
        duties: list[dict[str, str]],
        task: bool,
        src: tuple[tuple[str, int, int], ...] = (),
    ) -> None:
        title = self._heading_title(node)
        head_title = re.split(r"[。]", title)[0]
        # a top-level section is judged by the words in its title ("一、总体要求"), a lower heading only by
        # its first words: "(三)健全企业诉求办理工作机制" under 重点任务 is a task
        non_task = NON_TASK.search(head_title[:20]) if not path else NON_TASK.match(head_title)
        is_task = task and not non_task
        duty = DUTY_SECTION.search(head_title[:20])
        if (
            duty
            and not _TASK_WORDS.search(head_title[: duty.start()] + head_title[duty.end() : 20])
            and self._reads_as_duties(node)
        ):
            # "五、责任分工": what each unit does, reported per unit; an item there tied to units stays a measure
            duties += self._duties(node)
            is_task = False
        ln = node.line
        assert ln is not None
        if ln.kind == "appendix" and self._names_attachments_only(node):
            return  # "附件:1.重点任务清单 2.…" then the issuer and date: attachments not in the text
        if node.children:
            heading_end, resp = self._heading_responsibility(node)
            here = [*path, self.o(ln.start, self._group_title_end(ln, heading_end)).strip()]
            here_src = (*src, (f"heading:{ln.kind}", ln.start, heading_end))
            n_out = len(out)
            for ch in node.children:
                self._walk(ch, here, out, duties, is_task, here_src)
            if resp is not None:
                for d in out[n_out:]:
                    if not d.resp.lead and not d.resp.co:
                        d.resp.merge(resp)
            return
        drafts = self._leaf(node, path, src)
        if not is_task:
            drafts = [d for d in drafts if d.resp.lead or d.resp.co]
        out += drafts

    def _names_attachments_only(self, node: Node) -> bool:
        """An appendix part with no sentence in it only names attachments (and the issuer, the date)."""
        stack = [node]
        while stack:
            nd = stack.pop()
            for x in ([nd.line] if nd.line else []) + nd.body:
                if _SENTENCE_MARK.search(self.norm, x.body_start if x.kind else x.start, x.end):
                    return False
            stack += nd.children
        return True

    def _group_title_end(self, ln: Line, end: int) -> int:
        """ "(一)企业开办、经营及退出。在市场准入…方便企业办事创业。": a group's path is its title, not the sentence
        that describes it."""
        m = _TITLE_THEN_TEXT.match(self.norm, ln.body_start, end)
        return m.end() if m else end

    def _heading_responsibility(self, node: Node) -> tuple[int, Responsibility | None]:
        """A responsibility phrase closing a group heading — "(一)市场准入。(市市场监管局牵头)", "(一)构建…
        (总牵头单位:X)" — applies to the items under it that name no unit. Returns where the heading's own
        text ends (before the phrase) and the phrase, its readings marked as coming from the heading."""
        ln = node.line
        assert ln is not None
        parens = [p for p in self._parens(ln.body_start, ln.end) if p.final and (p.resp.lead or p.resp.co)]
        if not parens or self.norm[parens[-1].end : ln.end].strip(" 。;"):
            return ln.end, None
        p = parens[-1]
        resp = Responsibility()
        resp.merge(p.resp)
        resp.sources = {
            k: (f"{rule} (所属标题,下属各条共用)", a, b) for k, (rule, a, b) in p.resp.sources.items()
        }
        end = p.start
        while end > ln.start and self.norm[end - 1] in " 。":
            end -= 1
        return end, resp

    def _reads_as_duties(self, node: Node) -> bool:
        """Does a 责任分工/任务分工 section list what each unit does ("区发改局主要职责为:…", "X负责…"), or
        tasks (numbered measures, as 任务分工 often heads)?"""
        lines: list[Line] = []
        stack = [node]
        while stack and len(lines) < 6:
            nd = stack.pop(0)
            if nd is not node and nd.line:
                lines.append(nd.line)
            lines += nd.body[:3]
            stack = nd.children + stack
        if not lines:
            return True
        ln = node.line
        own = [] if ln is None else [self.n(ln.body_start, ln.end)]
        texts = own + [self.n(x.body_start if x.kind else x.start, x.end) for x in lines]
        return any(_DUTY_LINE.match(t) for t in texts)

    # ---- a numbered item ----------------------------------------------------------------------------
    def _item_span(self, node: Node) -> tuple[int, int, list[tuple[int, int]], Responsibility]:
        """Content span of an item, stopping at responsibility label lines, which are parsed (cached)."""
        hit = self._span_cache.get(id(node))
        if hit is None:
            hit = self._span_cache[id(node)] = self._item_span_uncached(node)
        return hit

    def _item_span_uncached(self, node: Node) -> tuple[int, int, list[tuple[int, int]], Responsibility]:
        ln = node.line
        assert ln is not None
        a = ln.body_start
        b = ln.end
        resp = Responsibility()
        time_spans: list[tuple[int, int]] = []
        stop = None
        label_rs: list[Responsibility] = []
        for bl in node.body:
            t = self.n(bl.start, bl.end)
            m = LABEL_ANY.match(t.strip())
            if m:
                stop = stop or bl.start
                r = parse_responsibility(self.text, self.norm, bl.start + (len(t) - len(t.lstrip())), bl.end)
                if r:
                    if r.time_phrases:
                        time_spans = list(r.time_phrases)
                    label_rs.append(r)
                    if r.first_is_lead:
                        self.first_is_lead = True
                continue
            if stop is None:
                b = bl.end
        # inline labels after the text: "…。责任单位:市发改委。完成时限:2025年底"
        seg = self.n(a, b)
        m = None
        for cand in _INLINE_LABEL.finditer(seg):
            if seg.count("(", 0, cand.start()) <= seg.count(")", 0, cand.start()):
                m = cand
                break
        if m:
            r = parse_responsibility(self.text, self.norm, a + m.end(), b)
            if r:
                if r.time_phrases:
                    time_spans = list(r.time_phrases)
                label_rs.insert(0, r)
                b = a + m.start()
        # "牵头单位:X" and "责任单位:Y" on separate lines (or one inline, the next on its own line): Y co-operates
        explicit_lead = any(r.lead and not r.from_co_label for r in label_rs)
        for r in label_rs:
            if explicit_lead and r.from_co_label:
                r.lead, r.co, r.labelled_single = [], r.lead, False
            resp.merge(r)
        return a, b, time_spans, resp

    def _parens(self, a: int, b: int) -> list[Paren]:
        """Responsibility parentheticals in [a, b) (cached: an item is looked at more than once)."""
        key = (a, b)
        hit = self._parens_cache.get(key)
        if hit is not None:
            return hit
        norm = self.norm
        out: list[Paren] = []
        pending: tuple[int, int, Responsibility] | None = None
        for s, e in find_parens(norm, a, b):
            i = s - 1
            while i >= a and norm[i].isspace():
                i -= 1
            final = i < a or norm[i] in _SENT_END or _ONLY_END.fullmatch(norm, e, b) is not None
            rkey = (s, e, final)
            if rkey in self._resp_cache:
                r = self._resp_cache[rkey]
            else:
                r = parse_responsibility(self.text, norm, s + 1, e - 1, strict=not final)
                self._resp_cache[rkey] = r
            if r is None:
                continue
            if not r.lead and not r.co:
                # "(责任单位:X)(完成时限:Y)": a time limit in its own parenthetical joins the one beside it
                if r.time_phrases and LABEL_TIME_START.match(norm, s + 1):
                    if out and not norm[out[-1].end : s].strip():
                        prev = out[-1]
                        out[-1] = Paren(prev.start, e, _joined(prev.resp, r), prev.final or final)
                    else:
                        pending = (s, e, r)
                continue
            if pending and not norm[pending[1] : s].strip():
                s, r = pending[0], _joined(pending[2], r)
            pending = None
            if out and not norm[out[-1].end : s].strip():
                # "【牵头单位:X】【配合单位:Y】": parentheticals side by side are one responsibility
                prev = out[-1]
                first, second = _co_labels_beside_a_lead([prev.resp, r])
                out[-1] = Paren(prev.start, e, _joined(first, second), prev.final or final)
                continue
            out.append(Paren(s, e, r, final))
        self._parens_cache[key] = out
        return out

    def _parens_after(self, a: int, text_start: int, b: int) -> list[Paren]:
        """`_parens(text_start, b)`, taken from the item's `_parens(a, b)` when that gives the same answer
        (the title ends a sentence, so each parenthetical after it is judged alike)."""
        if text_start == a:
            return self._parens(a, b)
        i = text_start - 1
        while i >= a and self.norm[i].isspace():
            i -= 1
        if i >= a and self.norm[i] in _SENT_END:
            return [p for p in self._parens(a, b) if p.start >= text_start]
        return self._parens(text_start, b)

    def _title_split(self, a: int, b: int, heading_has_break: bool) -> tuple[int | None, int]:
        """(end of the title, start of the text). A title is a short first sentence followed by more text."""
        seg = self.norm[a:b]
        if heading_has_break:
            return None, a
        # a title is a phrase: a first sentence with a comma ("实施耕地保护行动,积极争取…") or listing things
        # ("及时承接落实国务院和省、市政府取消、下放…的事项。") is the text itself; a "、" or "," inside a quotation
        # names one thing ("全面落实“多证合一、一照一码”改革。")
        m = _TITLE_SENTENCE.match(seg)
        if not m or len(m.group(1)) > 40:
            return None, a
        rest = seg[m.end() :].strip()
        if len(rest) < 6 or ("(" in m.group(1) and ")" not in m.group(1)):
            return None, a
        return a + m.end(1), a + m.end()

    def _grouped_mode(self, tree: Node) -> bool:
        """Do responsibility parentheticals split items into several measures (seed-000 style)?"""
        with_parens = several = 0
        stack = list(tree.children)
        while stack:
            node = stack.pop()
            if node.children:
                stack += node.children
                continue
            a, b, _, _ = self._item_span(node)
            finals = [p for p in self._parens(a, b) if p.final]
            with_parens += bool(finals)
            if len(finals) >= 2 and self.norm[finals[0].end : finals[1].start].strip(" 。;"):
                several += 1
        # A plan written this way does it in most items; where only one item does, that item is split
        # (see `_leaf`) and the others keep their own titles.
        return several >= 2 and several >= 0.3 * with_parens

    def _leaf(self, node: Node, path: list[str], src: tuple[tuple[str, int, int], ...] = ()) -> list[Draft]:
        ln = node.line
        assert ln is not None
        a, b, time_spans, label_resp = self._item_span(node)
        if a >= b:
            return []
        title_end, text_start = self._leaf_title(node, a, b)
        parens = self._parens_after(a, text_start, b)
        finals = [p for p in parens if p.final]
        own_groups = len(finals) >= 2 and bool(self.norm[finals[0].end : finals[1].start].strip(" 。;"))
        item_rule = f"item:{ln.kind}"
        if parens and (self.grouped or own_groups):
            heading_path = self.o(ln.start, title_end).rstrip(" 。") if title_end else None
            sub_path = [*path, heading_path] if heading_path else [*path, self.o(ln.start, ln.end).strip()]
            sub_src = [*src, (item_rule, ln.start, title_end or ln.end)]
            drafts = self._leaf_groups(parens, text_start, b, label_resp, time_spans)
            for d in drafts:
                d.path, d.path_src, d.rule = sub_path, sub_src, item_rule + " split at each responsibility"
            return drafts
        resp = Responsibility()
        end = b
        for p in reversed(parens):
            # a stray closing bracket after the last one is its unbalanced closing ("[…不再列出)]", blind batch 10
            # j08): no text
            if self.norm[p.end : end].strip(" 。;\n)") == "":
                end = p.start
            else:
                break
        for pr in _co_labels_beside_a_lead([p.resp for p in parens]):
            resp.merge(pr)
        resp.merge(label_resp)
        ta, tb = self.strip_span(text_start, end)
        title = self.o(a, title_end).strip() if title_end and title_end > a else None
        if ta >= tb:
            if title:
                ta, tb = self.strip_span(a, end)
                title = None
            if ta >= tb:
                return []
        times = time_spans or self._paren_time(parens)
        if not path and title_end == ln.end and title:
            # a top-level heading with its text below ("一、推进重大项目建设" + a paragraph): a section
            path, src, title = (
                [self.o(ln.start, ln.end).strip()],
                ((f"heading:{ln.kind}", ln.start, ln.end),),
                None,
            )
        return [Draft(list(path), title, ta, tb, resp, times, rule=item_rule, path_src=list(src))]

    def _leaf_title(self, node: Node, a: int, b: int) -> tuple[int | None, int]:
        """(end of the item's title, start of its text). A heading alone on its line with its body below:
        the heading text is the title; otherwise a short first sentence followed by more text."""
        ln = node.line
        assert ln is not None
        own = self.n(ln.body_start, ln.end).strip()
        if (
            b > ln.end
            and not re.search(r"[。;]$", own[:-1] if own.endswith("。") else own)
            and len(own) <= 40
        ):
            return ln.end, ln.end
        return self._title_split(a, b, False)

    def _leaf_groups(
        self,
        parens: list[Paren],
        text_start: int,
        b: int,
        label_resp: Responsibility,
        time_spans: list[tuple[int, int]],
    ) -> list[Draft]:
        """Seed-000 style: each run of sentences closed by a responsibility parenthetical is a measure."""
        groups: list[tuple[int, int, list[Paren]]] = []
        gstart = text_start
        cur: list[Paren] = []
        for p in parens:
            cur.append(p)
            if p.final:
                groups.append((gstart, p.start, cur))
                gstart, cur = p.end, []
        if len(self.norm[gstart:b].strip(" 。;\n")) >= 4:
            groups.append((gstart, b, cur))
        drafts = []
        for gs, ge, ps in groups:
            resp = Responsibility()
            for pr in _co_labels_beside_a_lead([p.resp for p in ps]):
                resp.merge(pr)
            resp.merge(label_resp)
            ga, gb = self.strip_span(gs, ge)
            if ga < gb:
                drafts.append(Draft([], None, ga, gb, resp, time_spans or self._paren_time(ps)))
        return drafts

    def _paren_time(self, parens: list[Paren]) -> list[tuple[int, int]]:
        return [(x, y) for p in parens for x, y in p.resp.time_phrases]

    def _flat_paragraphs(self, tree: Node) -> list[Draft]:
        out = []
        for bl in tree.body:
            parens = [p for p in self._parens(bl.start, bl.end) if p.final]
            if not parens:
                continue
            start = bl.start
            for p in parens:
                ga, gb = self.strip_span(start, p.start)
                if gb - ga >= 4:
                    resp = Responsibility()
                    resp.merge(p.resp)  # a copy: `finish` may rewrite it
                    out.append(Draft([], None, ga, gb, resp, self._paren_time([p]), rule="paragraph"))
                start = p.end
        return out

    # ---- task-table rows ----------------------------------------------------------------------------
    def _table_section(
        self, lines: list[Line], ends: list[int], rows: list[Draft], reg: TableRegion
    ) -> tuple[int, int] | None:
        """The heading line just before a table whose rows have group cells ("二、重点工作任务分解" over
        "重点任务 | 工作内容 | 负责科室"): the section the table stands in, the first step of its rows' path
        (blind batch 10, j05)."""
        k = bisect.bisect_right(ends, reg.start) - 1
        while k >= 0 and (lines[k].in_table or lines[k].end > reg.start):
            k -= 1
        kind = lines[k].kind if k >= 0 else None
        if kind is None or lines[k].level != 1 or kind.startswith("appendix"):
            return None
        # group cells numbered as sections ("一、主要预期目标") are the sections themselves
        if any(match_marker(self.norm, src[1], src[2]) for d in rows for src in d.path_src[:1]):
            return None
        return lines[k].start, lines[k].end

    def _table_caption(self, lines: list[Line], ends: list[int], reg: TableRegion) -> tuple[int, int] | None:
        """The line just before a table when it reads as the table's title ("2025年开发区重点工作及责任清单"):
        short, no sentence, no salutation, not itself a table line."""
        k = bisect.bisect_right(ends, reg.start) - 1
        while k >= 0 and lines[k].in_table:
            k -= 1
        if k < 0:
            return None
        ln = lines[k]
        t = re.sub(r"\s+", "", self.n(ln.start, ln.end))
        if not 4 <= len(t) <= TABLE_CAPTION_MAX or re.search(r"[。,;:!?]", t) or _CAPTION_NOT.search(t):
            return None
        return ln.start, ln.end

    def _row_draft(self, row: TableRow, flat: bool = False) -> Draft:
        resp = Responsibility()
        for role, cells in (("lead", row.lead), ("co", row.co)):
            for c in cells:
                names = [(self.o(x, y).strip(), x, y) for x, y in unit_spans(self.n(c.start, c.end), c.start)]
                resp.add(role, names, f"table:{role} column")
        if not row.lead_col:
            resp.labelled_single = True
        path = [re.sub(r"\s+", " ", self.o(g.start, g.end)).strip() for g in row.groups if g is not None]
        ca, cb = self.strip_span(row.content.start, row.content.end)
        times = [(row.time.start, row.time.end)] if row.time else []
        src = [("table:group cell", g.start, g.end) for g in row.groups if g is not None]
        rule = "table:row (flattened cells, header read from the text)" if flat else "table:row"
        return Draft(path, None, ca, cb, resp, times, source="table", rule=rule, path_src=src)

    # ---- 责任分工 ----------------------------------------------------------------------------------------
    def _duties(self, node: Node) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        spans: list[tuple[int, int]] = []
        ln = node.line
        if ln is not None:
            # a heading that runs into its body: "五、责任分工区发展改革委主要职责为:…"
            m0 = DUTY_SECTION.search(self.n(ln.body_start, ln.end))
            if m0 and ln.end - (ln.body_start + m0.end()) > 4:
                spans.append((ln.body_start + m0.end(), ln.end))
        stack = [node]
        while stack:
            nd = stack.pop(0)
            if nd is not node and nd.line:
                spans.append((nd.line.body_start, nd.line.end))
            spans += [(bl.start, bl.end) for bl in nd.body]
            stack = nd.children + stack
        for a, b in spans:
            t = self.n(a, b)
            found = list(_DUTY_STATEMENT.finditer(t))
            if found:
                for k, fm in enumerate(found):
                    end = found[k + 1].start(1) if k + 1 < len(found) else len(t)
                    self._duty(out, a + fm.start(1), a + fm.end(1), a + fm.end(), a + end)
                continue
            m = re.match(
                r"^\s*(.{2,40}?)(?:主要职责为|主要职责是|的主要职责|职责为|职责是|主要负责|负责)\s*[:,]?", t
            )
            if not m:
                m = re.match(r"^\s*(.{2,40}?)[:。]", t)
            if not m:
                continue
            self._duty(out, a + m.start(1), a + m.end(1), a + m.end(), b)
        return out

    def _duty(self, out: list[dict[str, str]], ua: int, ub: int, da: int, db: int) -> None:
        names = [self.o(x, y).strip() for x, y in unit_spans(self.n(ua, ub), ua)]
        duty = self.o(da, db).strip()
        for u in names:
            out.append({"unit": u, "duties": duty})


# "X主要职责为:…" at the start of a sentence; several may share one line when line breaks were lost
_DUTY_STATEMENT = re.compile(
    r"(?:^|(?<=[。;]))\s*([^。;:,\s][^。;:,]{1,39}?)(?:主要职责为|主要职责是|的主要职责是|的主要职责为|职责为|职责是)\s*[:,]?"
)


def finish(ex: Extractor, drafts: list[Draft]) -> list[ExtractedMeasure]:
    out: list[ExtractedMeasure] = []
    for i, d in enumerate(drafts, 1):
        resp = d.resp
        if ex.lead_signs:
            apply_sign_is_lead(resp, ex.norm, ex.lead_signs)
        if ex.first_is_lead:
            apply_first_is_lead(resp)
        body_norm = ex.n(d.start, d.end)
        time_field = " ".join(ex.n(x, y) for x, y in d.time_spans) or None
        dl = parse_deadline(time_field, body_norm, ex.year)
        targets = extract_targets(body_norm)
        lead, co = list(resp.lead), [u for u in resp.co if u not in resp.lead]
        m = ExtractedMeasure(
            seq=i,
            path=[p for p in d.path if p],
            title=d.title,
            text=ex.o(d.start, d.end).strip(),
            lead_units=lead,
            co_units=co,
            deadline=dl.date,
            deadline_phrase=dl.phrase,
            ongoing=dl.ongoing,
            phases=dl.phases,
            targets=targets,
            span=(d.start, d.end),
            source=d.source,
            reasons=measure_reasons(
                path=[p for p in d.path if p],
                path_src=d.path_src,
                text_rule=d.rule,
                text_span=(d.start, d.end),
                lead=lead,
                co=co,
                sources=resp.sources,
                role_rules=resp.role_rules,
                deadline=dl,
                time_spans=d.time_spans,
                targets=targets,
                flat_table=d.rule.startswith("table:row (flattened"),
            ),
        )
        out.append(m)
    return out
