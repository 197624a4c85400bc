"""Exports never carry a live formula: text starting with = is a text cell (xlsx) or apostrophe-escaped (CSV)."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from luoshi.core.sanitize import xlsx_row

EVIL = '=HYPERLINK("http://evil.example","点我")'


def _roundtrip(write_only: bool) -> tuple[object, str]:
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("s") if write_only else wb.active
    ws.append(xlsx_row(ws, [EVIL, "市发改委\x0b", 3]))  # type: ignore[union-attr]
    buf = io.BytesIO()
    wb.save(buf)
    cell = load_workbook(io.BytesIO(buf.getvalue())).worksheets[0]["A1"]
    other = load_workbook(io.BytesIO(buf.getvalue())).worksheets[0]["B1"].value
    return cell, str(other)


def test_formula_text_is_written_as_text() -> None:
    for write_only in (False, True):
        cell, other = _roundtrip(write_only)
        assert cell.data_type == "s" and cell.value == EVIL  # type: ignore[attr-defined]
        assert other == "市发改委"  # control character stripped


def test_plan_ledger_and_directory_exports_escape() -> None:
    from luoshi.orgs.directory_file import write_csv, write_xlsx

    row = [
        "420800",
        "荆门市",
        "",
        "市",
        "",
        "荆门市发展和改革委员会",
        "政府部门",
        "=1+1;市发改委",
        "是",
        "@SUM(A1)",
    ]
    csv_text = write_csv([row]).decode("utf-8-sig")
    assert "'=1+1;市发改委" in csv_text and "'@SUM(A1)" in csv_text
    sheet = load_workbook(io.BytesIO(write_xlsx([row]))).worksheets[0]
    values = next(iter(sheet.iter_rows(min_row=2, max_row=2)))
    assert all(c.data_type != "f" for c in values)
