"""Fixtures of the org directory tests: the shipped directories and small directory files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from luoshi.orgs.directory_file import COLUMNS


@pytest.fixture
def shipped(db: Any) -> None:
    """Every directory shipped in luoshi/directory/data, loaded as the system."""
    from luoshi.directory.services import load_shipped_directories

    load_shipped_directories()


def csv_bytes(
    rows: Sequence[Sequence[str]], *, header: Sequence[str] = COLUMNS, encoding: str = "utf-8-sig"
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)


@pytest.fixture
def make_csv() -> Callable[..., bytes]:
    return csv_bytes


# A small valid directory: 湖北省 (exists in the shared `regions` fixture as t420000) > 荆门市 > 钟祥市.
HUBEI = ["t420000", "湖北省", "", "省", ""]
JINGMEN = ["t420800", "荆门市", "", "市(州)", "t420000"]
ZHONGXIANG = ["t420881", "钟祥市", "", "县(市、区)", "t420800"]
VALID_ROWS = [
    [*HUBEI, "", "", "", "", ""],
    [*JINGMEN, "荆门市行政审批局", "政府部门", "市审批局;市行政审批局", "是", ""],
    [*JINGMEN, "市城控集团", "国企", "", "否", "全称待核实"],
    [*ZHONGXIANG, "钟祥市发展和改革局", "政府部门", "市发改局", "是", ""],
]


@pytest.fixture
def valid_rows() -> list[list[str]]:
    return [list(r) for r in VALID_ROWS]
