"""Public entry points: `parse_text` and `parse_file`."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import document
from .errors import ParseError
from .extract import Extractor, finish
from .normalize import fold_radicals
from .reasons import CHECK_UNKNOWN_UNIT
from .result import ParseResult, UnitResolution
from .tables import Cell

Resolver = Callable[[str], UnitResolution]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing allocates many small objects and no reference cycles (a test checks that a parse leaves no cyclic
    garbage): the cyclic collector would run dozens of times for nothing (about a fifth of the time on 1 MB).
    Reference counting frees what the parse drops; the one collection due when the collector is turned back on
    passes over what is still alive, the result (ADR 0121)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_text(
    text: str,
    *,
    year: int | None = None,
    region: str | None = None,
    resolver: Resolver | None = None,
    source_name: str = "",
    tables: list[tuple[int, int, list[list[Cell | None]]]] | None = None,
    source_format: str = "txt",
    suggest: bool = True,
    unit_candidates: list[str] | None = None,
) -> ParseResult:
    """Parse a plan's text. `tables` are structured tables (span in `text`, rows of cells) from a reader.
    `unit_candidates` (the unit names of the plan's region in the org directory) narrows the lead units
    suggested for measures that name none."""
    with _gc_paused():
        return _parse_text(text, year, resolver, source_name, tables, source_format, suggest, unit_candidates)


def _parse_text(
    text: str,
    year: int | None,
    resolver: Resolver | None,
    source_name: str,
    tables: list[tuple[int, int, list[list[Cell | None]]]] | None,
    source_format: str,
    suggest: bool,
    unit_candidates: list[str] | None = None,
) -> ParseResult:
    if not text or not text.strip():
        raise ParseError("文件内容为空:没有可识别的文字。请确认上传的是方案正文。", code="empty")
    text = fold_radicals(text)  # one character for one: table spans stay valid
    ex = Extractor(text, year, tables)
    issued, doc_year = document.detect_dates(ex.norm)
    ex.year = year or doc_year
    result = ParseResult(text=text, source_name=source_name, source_format=source_format)
    result.title = ex.title = document.detect_title(ex.norm)
    result.year = ex.year
    result.issued_on = issued
    result.issuer = document.detect_issuer(ex.norm, issued)
    result.doc_number = document.detect_doc_number(ex.norm)
    drafts, duties, tree = ex.run()
    result.responsibilities = duties
    n_headings = len(tree.children)
    result.kind = document.detect_kind(ex.norm, n_headings)  # type: ignore[assignment]
    if result.kind != "plan":
        result.facts = document.facts(ex.norm)
        result.title = document.detect_report_title(text, ex.norm) or result.title
        return result
    if ex.year is None:
        result.warnings.append("未能从文件中识别方案年度,“年底前”等时限无法换算为日期;请用 --year 指定。")
    result.measures = finish(ex, drafts)
    result.warnings += ex.warnings
    if not result.measures:
        raise ParseError(
            "未在文件中找到任何举措:没有识别到“重点任务”等章节下的编号条目或任务清单表格。"
            "请确认文件是行动方案正文,或改为上传任务清单(.xlsx)。",
            code="no_measures",
        )
    _units_and_suggestions(result, resolver, suggest, unit_candidates)
    return result


def _units_and_suggestions(
    result: ParseResult, resolver: Resolver | None, suggest: bool, candidates: list[str] | None = None
) -> None:
    cache: dict[str, UnitResolution] = {}
    for m in result.measures:
        if resolver is not None:
            for name in [*m.lead_units, *m.co_units]:
                if name not in cache:
                    cache[name] = resolver(name)
                res = cache[name]
                m.resolutions[name] = res
                if res.status != "resolved" and name not in m.unresolved_units:
                    m.unresolved_units.append(name)
        for r in m.reasons:
            if r.field in ("lead", "co") and r.value in m.unresolved_units:
                r.check = CHECK_UNKNOWN_UNIT
    if suggest:
        from .suggest import suggest_many

        todo = [m for m in result.measures if not m.lead_units and not m.co_units]
        for m, s in zip(
            todo,
            suggest_many(
                [" ".join([*m.path[-1:], m.title or "", m.text]) for m in todo], candidates=candidates
            ),
            strict=True,
        ):
            m.suggested_units = s


def parse_file(
    path: str | Path,
    *,
    year: int | None = None,
    region: str | None = None,
    resolver: Resolver | None = None,
    max_bytes: int | None = None,
    unit_candidates: list[str] | None = None,
    suggest: bool = True,
) -> ParseResult:
    """Read a .txt/.docx/.pdf/.html/.doc/.wps/.xlsx file and parse it. `suggest=False` skips the lead-unit
    suggestions (and the numpy import they need)."""
    from .readers import DEFAULT_MAX_BYTES, read_document

    doc = read_document(Path(path), max_bytes=max_bytes or DEFAULT_MAX_BYTES)
    if doc.ledger is not None:
        return doc.ledger
    return parse_text(
        doc.text,
        year=year,
        region=region,
        resolver=resolver,
        source_name=Path(path).name,
        tables=doc.tables,
        source_format=doc.format,
        unit_candidates=unit_candidates,
        suggest=suggest,
    )
