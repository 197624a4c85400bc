"""Bulk import of a 12345 hotline export (.xlsx/.csv): every row checked first, every bad row named
(row, column, message); then all rows are filed in one transaction or none. Rows whose 工单编号 (external_id) was
imported before with the same content are counted as already present, so importing the same file twice is safe."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from luoshi.core.errors import DomainError, ImportFailed
from luoshi.core.text import decode_chinese
from luoshi.requests.errors import RequestError
from luoshi.requests.models import Category, Channel
from luoshi.requests.services.intake import RequestInput, _clean, _region_and_enterprise, request_file

if TYPE_CHECKING:
    from luoshi.accounts.models import User

COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("工单编号", "工单号", "编号"),
    "received_at": ("来电时间", "受理时间", "登记时间", "时间"),
    "enterprise_name": ("企业名称", "诉求人单位", "单位名称"),
    "credit_code": ("统一社会信用代码", "信用代码"),
    "contact_name": ("联系人", "诉求人", "来电人"),
    "contact_phone": ("联系电话", "电话", "来电号码"),
    "category": ("诉求类别", "类别", "诉求类型"),
    "title": ("标题", "诉求标题", "主题"),
    "text": ("诉求内容", "内容", "问题描述"),
    "region_code": ("区域代码",),
}
REQUIRED = ("external_id", "enterprise_name", "contact_name", "contact_phone", "title", "text")
CATEGORY_BY_LABEL = {label: value for value, label in Category.choices}


@dataclass(frozen=True)
class ImportResult:
    created: int
    existing: int


def read_rows(content: bytes, file_name: str) -> list[dict[str, Any]]:
    """Rows of the first sheet (or the CSV) as {header: value}; the header is the first non-empty row."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        from luoshi.core.safe_files import UnsafeFile, check_upload

        try:
            check_upload(content, "xlsx")  # decompression bombs before openpyxl sees the file
        except UnsafeFile as exc:
            raise ImportFailed(exc.message, code=RequestError.IMPORT_FILE_UNSAFE) from None

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a damaged file
            raise ImportFailed(
                f"无法读取 Excel 文件“{file_name}”:{exc.__class__.__name__}。",
                code=RequestError.IMPORT_UNREADABLE,
            ) from None
        ws = wb.worksheets[0]
        values = [list(r) for r in ws.iter_rows(values_only=True)]
    elif file_name.lower().endswith(".csv"):
        decoded = decode_chinese(content)
        if decoded is None:
            raise ImportFailed(
                f"无法识别“{file_name}”的文字编码,请另存为 UTF-8 或 GB18030 编码的 CSV。",
                code=RequestError.IMPORT_ENCODING,
            )
        values = [list(r) for r in csv.reader(io.StringIO(decoded[0]))]
    else:
        raise ImportFailed(code=RequestError.IMPORT_FILE_TYPE)
    values = [r for r in values if any(v not in (None, "") for v in r)]
    if not values:
        raise ImportFailed(code=RequestError.IMPORT_EMPTY)
    header = [str(v or "").strip() for v in values[0]]
    return [dict(zip(header, row, strict=False)) for row in values[1:]]


def _field_columns(header: list[str]) -> dict[str, str]:
    out = {}
    for fieldname, names in COLUMNS.items():
        for name in names:
            if name in header:
                out[fieldname] = name
                break
    return out


def _received(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.get_default_timezone())
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(9), timezone.get_default_timezone())
    text = str(value).strip().replace("/", "-")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"时间“{value}”无法识别,请写成 2026-05-08 09:30") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.get_default_timezone())


def import_12345(*, user: User | None, content: bytes, file_name: str) -> ImportResult:
    rows = read_rows(content, file_name)
    header = list(rows[0].keys()) if rows else []
    cols = _field_columns(header)
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in cols]
    if missing:
        raise ImportFailed(
            f"缺少必需的列:{'、'.join(missing)}。",
            details=[{"row": 1, "column": m, "message": "缺少该列"} for m in missing],
            code=RequestError.IMPORT_COLUMNS_MISSING,
        )
    problems: list[dict[str, Any]] = []
    inputs: list[RequestInput] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=2):

        def cell(fieldname: str, row: dict[str, Any] = row) -> str:
            col = cols.get(fieldname)
            value = row.get(col) if col else None
            return "" if value is None else str(value).strip()

        try:
            received = _received(row.get(cols["received_at"])) if "received_at" in cols else None
        except ValueError as exc:
            problems.append({"row": i, "column": cols["received_at"], "message": str(exc)})
            continue
        category = cell("category")
        data = RequestInput(
            enterprise_name=cell("enterprise_name"),
            contact_name=cell("contact_name"),
            contact_phone=cell("contact_phone"),
            title=cell("title") or cell("text")[:40],
            text=cell("text"),
            channel=Channel.HOTLINE,
            category=CATEGORY_BY_LABEL.get(category, category or Category.OTHER),
            credit_code=cell("credit_code"),
            region_code=cell("region_code"),
            external_id=cell("external_id"),
            received_at=received,
        )
        if data.category == Category.ARREARS:
            data.category = (
                Category.COMPLAINT
            )  # the debtor and amount are recorded on review, not in a 12345 row
        if data.external_id in seen:
            problems.append(
                {
                    "row": i,
                    "column": cols["external_id"],
                    "message": f"工单编号与第 {seen[data.external_id]} 行重复",
                }
            )
            continue
        seen[data.external_id] = i
        try:
            clean = _clean(data, user)
            _region_and_enterprise(data, user, clean["credit_code"])
        except DomainError as exc:
            for message in exc.details if isinstance(exc.details, list) else [exc.message]:
                problems.append(
                    {"row": i, "column": _column_for(str(message), cols), "message": str(message)}
                )
            continue
        inputs.append(data)
    if problems:
        raise ImportFailed(
            f"导入未执行:{len(problems)} 处问题,请修改后重新导入。",
            details=problems,
            code=RequestError.IMPORT_PROBLEMS,
        )
    created = existing = 0
    try:
        with transaction.atomic():
            for data in inputs:
                _, new = request_file(user=user, data=data)
                created += int(new)
                existing += int(not new)
    except DomainError as exc:
        raise ImportFailed(
            f"导入未执行:{exc.message}",
            details=[{"row": None, "column": "", "message": exc.message}],
            code=RequestError.IMPORT_REFUSED,
        ) from None
    return ImportResult(created, existing)


def _column_for(message: str, cols: dict[str, str]) -> str:
    for fieldname, words in (
        ("credit_code", ("信用代码",)),
        ("contact_phone", ("电话",)),
        ("contact_name", ("联系人",)),
        ("enterprise_name", ("企业名称",)),
        ("title", ("标题",)),
        ("text", ("内容",)),
        ("category", ("类别",)),
        ("region_code", ("区域",)),
        ("external_id", ("工单号",)),
    ):
        if any(w in message for w in words):
            return cols.get(fieldname, COLUMNS[fieldname][0])
    return ""
