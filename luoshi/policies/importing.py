"""Reading a department's profile file (.xlsx or .csv) into rows keyed by the Chinese column headers."""

from __future__ import annotations

import csv
import io
from typing import Any

from luoshi.core.errors import ValidationFailed
from luoshi.core.text import decode_chinese
from luoshi.policies.errors import PolicyError


def read_rows(filename: str, data: bytes) -> list[dict[str, Any]]:
    name = filename.lower()
    if name.endswith(".csv"):
        decoded = decode_chinese(data)
        if decoded is None:
            raise ValidationFailed("无法识别文件编码,请另存为 UTF-8 或 GBK 编码的 CSV。", code=PolicyError.PROFILE_FILE_ENCODING)
        return [dict(r) for r in csv.DictReader(io.StringIO(decoded[0]))]
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        if not rows:
            return []
        header = [str(h or "").strip() for h in rows[0]]
        return [{h: v for h, v in zip(header, row, strict=False) if h} for row in rows[1:]
                if any(v not in (None, "") for v in row)]
    raise ValidationFailed("企业画像文件应为 .xlsx 或 .csv。", code=PolicyError.PROFILE_FILE_TYPE)
