"""The directory file format (.xlsx and .csv, one format): reading and writing rows, no database.

One row per unit; a row with an empty 单位全称 only declares a region. Columns (header names exact, order
free):

    区域代码 | 区域名称 | 区域简称 | 区域层级 | 上级区域代码 | 单位全称 | 单位类别 | 别名 | 已核实 | 备注

- 区域层级: 省, 市(州), 县(市、区), 园区, 乡镇街道 (also 市, 县, 区, 县级市, 开发区 ...).
- 单位类别: 党委部门, 政府部门, 法院/检察院, 中直/省直驻地单位, 国企, 高校, 园区部门, 县市区/镇区政府,
  金融机构, 泛指(各相关单位), 其他; empty means 政府部门.
- 别名: separated by ";" / ";" / "|" (not by 、, which appears inside names such as 各镇区、园区各相关单位).
- 已核实: 是 / 否 (also Y/N, true/false, 1/0, √/×); empty means 否 (not confirmed).

CSV files may be UTF-8 (with or without BOM), GBK/GB18030 (as Excel saves them on Chinese Windows) or
UTF-16 with BOM; the encoding is detected. The header may be preceded by title lines (skipped until the
header row). Entirely empty rows are skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from luoshi.core.text import decode_chinese, has_bom

COL_REGION_CODE = "区域代码"
COL_REGION_NAME = "区域名称"
COL_REGION_SHORT = "区域简称"
COL_REGION_LEVEL = "区域层级"
COL_PARENT_CODE = "上级区域代码"
COL_UNIT_NAME = "单位全称"
COL_UNIT_KIND = "单位类别"
COL_ALIASES = "别名"
COL_VERIFIED = "已核实"
COL_NOTE = "备注"

COLUMNS: tuple[str, ...] = (
    COL_REGION_CODE,
    COL_REGION_NAME,
    COL_REGION_SHORT,
    COL_REGION_LEVEL,
    COL_PARENT_CODE,
    COL_UNIT_NAME,
    COL_UNIT_KIND,
    COL_ALIASES,
    COL_VERIFIED,
    COL_NOTE,
)
ALIAS_SEPARATORS = (";", ";", "|")
EXPORT_ALIAS_SEPARATOR = ";"
SHEET_NAME = "单位目录"
MAX_ROWS = 50_000


class FileProblem(Exception):
    """The file as a whole cannot be read; `problems` are {row, column, message} dicts."""

    def __init__(self, problems: list[dict[str, object]]) -> None:
        super().__init__("; ".join(str(p["message"]) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class RawRow:
    """One data row: its 1-based row number in the file and its cells by column name (stripped text)."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class Table:
    header: list[str]
    header_row: int
    rows: list[RawRow]
    source: str  # "xlsx", "UTF-8", "GB18030/GBK" ...


def split_aliases(text: str) -> list[str]:
    parts = [text]
    for sep in ALIAS_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(sep)]
    return [p.strip() for p in parts if p.strip()]


# --- reading -------------------------------------------------------------------------------------------
def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 or UTF-16 by BOM, else UTF-8, else GB18030 (covers GBK)."""
    decoded = decode_chinese(data)
    if decoded is None:
        message = "无法识别文件编码:请另存为 UTF-8 或 GBK 编码的 CSV,或直接上传 .xlsx 文件。"
        if has_bom(data):
            message = "文件开头声明了 UTF-8/UTF-16 编码,但内容含无效字节:请重新另存为 UTF-8 编码的 CSV。"
        raise FileProblem([{"row": 0, "column": "", "message": message}])
    return decoded


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows_from_table(table: Iterable[Sequence[object]], source: str) -> Table:
    """The header is the first row holding 区域代码 among the first ten non-empty rows (title lines above
    it are skipped), else the first non-empty row (so that wrong columns are reported against it)."""
    lines: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(table, start=1):
        if number > MAX_ROWS + 1:
            raise FileProblem(
                [{"row": number, "column": "", "message": f"文件超过 {MAX_ROWS} 行,请分批导入。"}]
            )
        cells = [_cell_text(v).lstrip("\ufeff").strip() for v in raw]
        if any(cells):
            lines.append((number, cells))
    if not lines:
        raise FileProblem([{"row": 1, "column": "", "message": "文件为空:没有找到表头行。"}])
    at = next((i for i, (_, cells) in enumerate(lines[:10]) if COL_REGION_CODE in cells), 0)
    header = lines[at][1]
    rows: list[RawRow] = []
    for number, cells in lines[at + 1 :]:
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}
        extra = [c for c in cells[len(header) :] if c]
        if extra:
            values["__extra__"] = "、".join(extra)
        rows.append(RawRow(number, values))
    return Table(header, lines[at][0], rows, source)


def check_header(table: Table) -> list[dict[str, object]]:
    """Wrong, missing or repeated columns, each named."""
    problems: list[dict[str, object]] = []
    present = [h for h in table.header if h]
    row = table.header_row
    for name in COLUMNS:
        if name not in present:
            problems.append({"row": row, "column": name, "message": f"缺少列“{name}”。"})
    for name in present:
        if name not in COLUMNS:
            problems.append(
                {"row": row, "column": name, "message": f"无法识别的列“{name}”,请删除或改为规定的列名。"}
            )
        elif present.count(name) > 1:
            problems.append({"row": row, "column": name, "message": f"列“{name}”重复出现。"})
    # Report each repeated column once.
    seen: set[tuple[object, object]] = set()
    unique = []
    for p in problems:
        key = (p["column"], p["message"])
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def read_csv(data: bytes) -> Table:
    text, encoding = decode_csv(data)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _rows_from_table(reader, encoding)
    except csv.Error as exc:
        raise FileProblem([{"row": 0, "column": "", "message": f"CSV 格式错误:{exc}"}]) from exc


def read_xlsx(data: bytes) -> Table:
    import zipfile

    from openpyxl import load_workbook

    from luoshi.core.safe_files import UnsafeFile, check_zip

    try:
        check_zip(data)
    except UnsafeFile as exc:
        raise FileProblem([{"row": 0, "column": "", "message": exc.message}]) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise FileProblem(
            [
                {
                    "row": 0,
                    "column": "",
                    "message": "无法打开 .xlsx 文件:文件已损坏或不是 Excel 2007+ 格式(.xls 请另存为 .xlsx)。",
                }
            ]
        ) from exc
    try:
        sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
        return _rows_from_table(sheet.iter_rows(values_only=True), "xlsx")
    finally:
        book.close()


def read_file(data: bytes, filename: str) -> Table:
    """Header, data rows and the detected encoding/format. Raises FileProblem."""
    name = filename.lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return read_xlsx(data)
    if name.endswith((".csv", ".txt", ".tsv")) or not name:
        return read_csv(data)
    if name.endswith(".xls"):
        raise FileProblem(
            [{"row": 0, "column": "", "message": "不支持旧版 .xls 文件,请在 Excel 中另存为 .xlsx 或 CSV。"}]
        )
    raise FileProblem(
        [{"row": 0, "column": "", "message": f"不支持的文件类型“{filename}”:请上传 .xlsx 或 .csv。"}]
    )


# --- writing -------------------------------------------------------------------------------------------
def write_csv(rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with BOM, so that Excel on Chinese Windows opens it correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    from luoshi.core.sanitize import cell

    for row in rows:
        writer.writerow([cell(v) for v in row])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


HELP_LINES = (
    ("列", "说明"),
    (COL_REGION_CODE, "区域的唯一代码,如 420800;园区等无行政区划代码的可用 420200-xg 这样的写法"),
    (COL_REGION_NAME, "区域全称,如 荆门市"),
    (COL_REGION_SHORT, "可选,计划中常用的简称,如 新港园区"),
    (COL_REGION_LEVEL, "省、市(州)、县(市、区)、园区、乡镇街道"),
    (COL_PARENT_CODE, "上级区域的代码;省级留空。上级须已在系统中或在本文件中出现"),
    (COL_UNIT_NAME, "单位规范全称;留空表示这一行只登记区域"),
    (
        COL_UNIT_KIND,
        "党委部门、政府部门、法院/检察院、中直/省直驻地单位、国企、高校、园区部门、县市区/镇区政府、金融机构、泛指(各相关单位)、其他",
    ),
    (COL_ALIASES, "计划中的写法,多个用英文或中文分号分隔,如 市发改委;市发展改革委"),
    (COL_VERIFIED, "是 / 否:全称是否已核实;未核实的单位保留原写法,待管理员更正"),
    (COL_NOTE, "可选"),
    (
        "导入规则",
        "全部通过校验才写入,任何一处错误都不写入;按 区域代码+单位全称 更新,重复导入同一文件不会产生重复数据;导入不会删除已有单位或别名",
    ),
)


def write_xlsx(rows: Iterable[Sequence[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_NAME
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    from luoshi.core.sanitize import xlsx_row

    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    widths = (12, 20, 14, 10, 12, 36, 16, 40, 8, 30)
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    sheet.freeze_panes = "A2"
    help_sheet = book.create_sheet("填写说明")
    for line in HELP_LINES:
        help_sheet.append(list(line))
    help_sheet.column_dimensions["A"].width = 14
    help_sheet.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
