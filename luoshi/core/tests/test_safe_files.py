"""Decompression bombs are refused at every reader's entry, before any parser sees them, with a Chinese message."""

from __future__ import annotations

import io
from typing import Any

import pytest

from luoshi.core.safe_files import Limits, UnsafeFile, check_pdf, check_upload, check_zip
from luoshi.core.sandbox import ResourceLimitExceeded, ResourceLimits, run_bounded
from luoshi.core.tests import bombs

MB = 1024 * 1024


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    return bombs.docx_bomb(100 * MB)


@pytest.fixture(scope="module")
def xlsx_bomb() -> bytes:
    return bombs.xlsx_bomb(20 * MB)


def test_docx_whose_body_expands_to_100_mb_is_refused(docx_bomb: bytes) -> None:
    assert len(docx_bomb) < 400 * 1024
    with pytest.raises(UnsafeFile, match="解压后") as exc:
        check_upload(docx_bomb, "docx")
    assert exc.value.code == "too_large_uncompressed"


def test_xlsx_sheet_with_extreme_ratio_is_refused(xlsx_bomb: bytes) -> None:
    with pytest.raises(UnsafeFile, match="压缩比异常") as exc:
        check_zip(io.BytesIO(xlsx_bomb))
    assert exc.value.code == "compression_ratio"


def test_xml_tag_flood_under_the_size_caps_is_refused() -> None:
    data = bombs.xlsx_bomb(2 * MB)  # below the ratio threshold size, but ~60k rows of tags
    with pytest.raises(UnsafeFile, match="数据节点"):
        check_zip(data, limits=Limits(max_xml_tags=50_000))


def test_pdf_with_a_huge_flate_stream_is_refused() -> None:
    data = bombs.pdf_bomb(64 * MB)
    with pytest.raises(UnsafeFile, match="PDF") as exc:
        check_pdf(data)
    assert exc.value.code == "pdf_stream_too_large"


def test_ordinary_files_pass(tmp_path: Any) -> None:
    import docx
    from openpyxl import Workbook

    d = docx.Document()
    for i in range(200):
        d.add_paragraph(f"{i}. 优化营商环境,市发改委牵头,2026年底前完成。")
    buf = io.BytesIO()
    d.save(buf)
    check_upload(buf.getvalue(), "docx")
    wb = Workbook()
    for i in range(2000):
        wb.active.append([i, "举措内容", "市发改委"])  # type: ignore[union-attr]
    buf = io.BytesIO()
    wb.save(buf)
    check_upload(buf.getvalue(), "xlsx")
    check_upload(b"not a zip at all", "docx")  # corrupt files are the reader's to report


def test_plan_parser_refuses_a_bomb_with_a_parse_error(docx_bomb: bytes, xlsx_bomb: bytes) -> None:
    from luoshi.plans.parser import ParseError
    from luoshi.plans.parser.readers import read_bytes

    for data, ext in ((docx_bomb, "docx"), (xlsx_bomb, "xlsx"), (bombs.pdf_bomb(64 * MB), "pdf")):
        with pytest.raises(ParseError) as exc:
            read_bytes(data, ext)
        assert "拒绝读取" in exc.value.message


def test_directory_and_project_imports_refuse_a_bomb(xlsx_bomb: bytes) -> None:
    from luoshi.orgs.directory_file import FileProblem, read_xlsx

    with pytest.raises(FileProblem) as exc:
        read_xlsx(xlsx_bomb)
    assert "压缩比异常" in str(exc.value)


@pytest.mark.django_db
def test_workbook_import_refuses_a_bomb(users: dict[str, Any], xlsx_bomb: bytes) -> None:
    from luoshi.core.errors import ImportFailed
    from luoshi.supervision.services.exports import unit_workbook_import

    with pytest.raises(ImportFailed, match="压缩比异常"):
        unit_workbook_import(user=users["staff"], stream=io.BytesIO(xlsx_bomb))


@pytest.mark.django_db
def test_projects_import_refuses_a_bomb(xlsx_bomb: bytes) -> None:
    from luoshi.core.errors import ImportFailed
    from luoshi.projects.ledger import _read

    with pytest.raises(ImportFailed, match="压缩比异常"):
        _read(xlsx_bomb)


# --- the sandbox --------------------------------------------------------------------------------------
def _allocate(mb: int) -> int:
    blob = bytearray(mb * MB)
    return len(blob)


def _spin() -> None:
    while True:
        pass


def _fail() -> None:
    raise ValueError("坏文件")


def test_sandbox_returns_the_result_and_reraises_errors() -> None:
    assert run_bounded(_allocate, 1) == MB
    with pytest.raises(ValueError, match="坏文件"):
        run_bounded(_fail)


def test_sandbox_stops_a_child_that_needs_too_much_memory() -> None:
    with pytest.raises(ResourceLimitExceeded, match="内存"):
        run_bounded(_allocate, 512, limits=ResourceLimits(memory_bytes=128 * MB))


def test_sandbox_stops_a_child_that_spins() -> None:
    with pytest.raises(ResourceLimitExceeded, match=r"计算时间|秒"):
        run_bounded(_spin, limits=ResourceLimits(cpu_seconds=1, wall_seconds=20))
    with pytest.raises(ResourceLimitExceeded, match="秒"):
        run_bounded(_spin, limits=ResourceLimits(cpu_seconds=60, wall_seconds=1))
