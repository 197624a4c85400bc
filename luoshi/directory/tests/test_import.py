"""Importing and exporting the directory file: all or nothing, every problem named by row and column."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, ImportFailed
from luoshi.directory.selectors import directory_export, resolve_unit
from luoshi.directory.services import directory_import
from luoshi.directory.tests.conftest import HUBEI, JINGMEN
from luoshi.orgs.directory_file import COLUMNS, read_file
from luoshi.orgs.models import Region, Unit, UnitAlias


def _counts() -> tuple[int, int, int, int]:
    return Region.objects.count(), Unit.objects.count(), UnitAlias.objects.count(), AuditEvent.objects.count()


def _fails(actor: Any, data: bytes, filename: str = "目录.csv") -> list[dict[str, Any]]:
    before = _counts()
    with pytest.raises(ImportFailed) as info:
        directory_import(actor=actor, data=data, filename=filename)
    assert _counts() == before, "a refused import must write nothing"
    assert "未" in info.value.message
    return list(info.value.details)


def test_valid_csv_imports_and_resolves(
    users: dict[str, Any], make_csv: Callable[..., bytes], valid_rows: list[list[str]]
) -> None:
    result = directory_import(actor=users["admin"], data=make_csv(valid_rows), filename="目录.csv")
    assert (result.regions_created, result.units_created, result.aliases_added) == (1, 3, 3)
    zhongxiang = Region.objects.get(code="t420881")
    assert zhongxiang.parent == Region.objects.get(code="t420800")
    jingmen = zhongxiang.parent
    assert resolve_unit("市审批局", jingmen).unit.name == "荆门市行政审批局"  # type: ignore[union-attr]
    assert resolve_unit("钟祥市发改局", jingmen).unit.name == "钟祥市发展和改革局"  # type: ignore[union-attr]
    assert Unit.objects.get(name="市城控集团").verified is False
    created = AuditEvent.objects.filter(action__in=["unit.created", "region.created"], actor=users["admin"])
    assert created.count() == 4


def test_reimport_is_idempotent(
    users: dict[str, Any], make_csv: Callable[..., bytes], valid_rows: list[list[str]]
) -> None:
    data = make_csv(valid_rows)
    directory_import(actor=users["admin"], data=data, filename="目录.csv")
    before = _counts()
    again = directory_import(actor=users["admin"], data=data, filename="目录.csv")
    assert not again.changed and again.units_unchanged == 3
    assert _counts() == before


def test_reimport_updates_and_adds_aliases(
    users: dict[str, Any], make_csv: Callable[..., bytes], valid_rows: list[list[str]]
) -> None:
    directory_import(actor=users["admin"], data=make_csv(valid_rows), filename="a.csv")
    valid_rows[2][6] = "国企"
    valid_rows[2][7] = "市城投"
    valid_rows[2][8] = "是"
    result = directory_import(actor=users["admin"], data=make_csv(valid_rows), filename="a.csv")
    assert result.units_updated == 1 and result.aliases_added == 1
    unit = Unit.objects.get(name="市城控集团")
    assert unit.verified
    assert AuditEvent.objects.filter(action="unit.updated", subject_id=str(unit.pk)).count() == 1


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8", "utf-16"])
def test_csv_encodings_are_detected(
    encoding: str, users: dict[str, Any], make_csv: Callable[..., bytes], valid_rows: list[list[str]]
) -> None:
    result = directory_import(
        actor=users["admin"], data=make_csv(valid_rows, encoding=encoding), filename="目录.csv"
    )
    assert result.units_created == 3
    assert Unit.objects.filter(name="钟祥市发展和改革局").exists()


def test_gb18030_only_characters(users: dict[str, Any], make_csv: Callable[..., bytes]) -> None:
    rows = [[*HUBEI, "", "", "", "", ""], [*JINGMEN, "荆门市䶮办公室", "政府部门", "", "否", ""]]
    directory_import(actor=users["admin"], data=make_csv(rows, encoding="gb18030"), filename="目录.csv")
    assert Unit.objects.filter(name="荆门市䶮办公室").exists()


def test_empty_rows_are_skipped(
    users: dict[str, Any], make_csv: Callable[..., bytes], valid_rows: list[list[str]]
) -> None:
    rows = [valid_rows[0], [""] * 10, valid_rows[1], ["", "", ""], valid_rows[2], valid_rows[3], [""] * 10]
    result = directory_import(actor=users["admin"], data=make_csv(rows), filename="目录.csv")
    assert result.units_created == 3


def test_title_line_above_header_is_skipped(users: dict[str, Any], valid_rows: list[list[str]]) -> None:
    lines = ["荆门市单位目录", ",".join(COLUMNS), *(",".join(r) for r in valid_rows)]
    data = "\r\n".join(lines).encode("utf-8")
    assert directory_import(actor=users["admin"], data=data, filename="目录.csv").units_created == 3


def test_wrong_and_missing_columns(
    users: dict[str, Any], make_csv: Callable[..., bytes], valid_rows: list[list[str]]
) -> None:
    header = list(COLUMNS)
    header[5] = "单位名称"  # instead of 单位全称
    problems = _fails(users["admin"], make_csv(valid_rows, header=header))
    assert any(p["column"] == "单位全称" and p["message"].startswith("缺少列“单位全称”") for p in problems)
    assert any(p["column"] == "单位名称" and "无法识别" in p["message"] for p in problems)
    assert all(p["row"] == 1 for p in problems)


def test_every_bad_value_is_named_by_row_and_column(
    users: dict[str, Any], make_csv: Callable[..., bytes]
) -> None:
    rows = [
        [*HUBEI, "", "", "", "", ""],  # row 2: fine
        [*JINGMEN, "荆门市财政局", "政府机关", "市财政局", "是", ""],  # row 3: bad kind
        [*JINGMEN, "荆门市审计局", "政府部门", "", "也许", ""],  # row 4: bad 已核实
        ["t420802", "东宝区", "", "区县", "t420800", "东宝区人民政府", "", "", "是", ""],  # row 5: bad level
        ["t999999", "某区", "", "县", "t999000", "某区政府", "", "", "是", ""],  # row 6: unknown parent
        [*JINGMEN, "荆门市财政局", "政府部门", "", "是", ""],  # row 7: duplicate of row 3
        ["", "荆门市", "", "市", "t420000", "荆门市统计局", "", "", "是", ""],  # row 8: no region code
        [*JINGMEN, "", "政府部门", "市某局", "", ""],  # row 9: aliases without a unit
        [
            "t420800",
            "荆门",
            "",
            "市(州)",
            "t420000",
            "荆门市商务局",
            "",
            "",
            "是",
            "",
        ],  # row 10: region name differs
        [*JINGMEN, "荆门市;商务局", "", "", "是", ""],  # row 11: separator inside a name
    ]
    problems = _fails(users["admin"], make_csv(rows))
    found = {(p["row"], p["column"]) for p in problems}
    assert (3, "单位类别") in found
    assert (4, "已核实") in found
    assert (5, "区域层级") in found
    assert (6, "上级区域代码") in found
    assert (7, "单位全称") in found and any("第 3 行" in p["message"] for p in problems if p["row"] == 7)
    assert (8, "区域代码") in found
    assert (9, "单位全称") in found
    assert (10, "区域名称") in found
    assert (11, "单位全称") in found
    assert 2 not in {p["row"] for p in problems}
    assert problems == sorted(problems, key=lambda p: p["row"])


def test_existing_region_cannot_be_moved_by_import(
    users: dict[str, Any], regions: dict[str, Any], make_csv: Callable[..., bytes]
) -> None:
    rows = [
        [*HUBEI, "", "", "", "", ""],
        ["t421000", "荆州市", "", "市(州)", "t420800", "", "", "", "", ""],
        [*JINGMEN, "", "", "", "", ""],
    ]
    problems = _fails(None, make_csv(rows))
    assert any(p["row"] == 3 and p["column"] == "上级区域代码" for p in problems)


def test_level_under_a_lower_level_is_refused(users: dict[str, Any], make_csv: Callable[..., bytes]) -> None:
    rows = [[*JINGMEN, "", "", "", "", ""], ["t42x", "某省", "", "省", "t420800", "", "", "", "", ""]]
    problems = _fails(None, make_csv(rows))
    assert any(p["column"] == "区域层级" for p in problems)


def test_unreadable_files(users: dict[str, Any]) -> None:
    assert _fails(users["admin"], b"", "a.csv")[0]["message"].startswith("文件为空")
    assert "xlsx" in _fails(users["admin"], b"PK\x03\x04broken", "a.xlsx")[0]["message"]
    assert ".xls" in _fails(users["admin"], b"\xd0\xcf\x11\xe0", "a.xls")[0]["message"]
    only_header = ",".join(COLUMNS).encode()
    assert "没有数据行" in _fails(users["admin"], only_header, "a.csv")[0]["message"]


def test_import_outside_own_region_is_refused_per_row(
    users: dict[str, Any], units: dict[str, Any], make_csv: Callable[..., bytes], valid_rows: list[list[str]]
) -> None:
    problems = _fails(users["admin_jz"], make_csv(valid_rows))
    assert {p["row"] for p in problems} == {3, 4, 5}
    assert all("无权" in p["message"] for p in problems)


@pytest.mark.parametrize("who", ["leader", "staff", "enterprise", "observer"])
def test_only_admins_import(
    who: str, users: dict[str, Any], make_csv: Callable[..., bytes], valid_rows: list[list[str]]
) -> None:
    with pytest.raises(AccessDenied):
        directory_import(actor=users[who], data=make_csv(valid_rows), filename="a.csv")


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_import_with_numeric_codes(users: dict[str, Any]) -> None:
    rows: list[Any] = [
        [420000, "湖北省", None, "省", None, None, None, None, None, None],
        [420800, "荆门市", None, "市", 420000, "荆门市数据局", "政府部门", "市数据局", True, None],
    ]
    result = directory_import(actor=None, data=_xlsx(rows), filename="目录.xlsx")
    assert result.units_created == 1
    assert Region.objects.get(code="420800").parent.code == "420000"  # type: ignore[union-attr]
    assert Unit.objects.get(name="荆门市数据局").verified


def test_xlsx_problems_are_reported_too(users: dict[str, Any]) -> None:
    rows: list[Any] = [["t420800", "荆门市", "", "市", "t420000", "荆门市数据局", "部门", "", "是", ""]]
    problems = _fails(users["admin"], _xlsx(rows), "目录.xlsx")
    assert {(p["row"], p["column"]) for p in problems} == {(2, "单位类别")}


def test_xlsx_csv_round_trip(shipped: None, users: dict[str, Any]) -> None:
    jingmen = Region.objects.get(code="420800")
    xlsx, rows = directory_export(None, region=jingmen, file_format="xlsx")
    csv_data, csv_rows = directory_export(None, region=jingmen, file_format="csv")
    assert rows == csv_rows
    from_xlsx = read_file(xlsx, "a.xlsx")
    from_csv = read_file(csv_data, "a.csv")
    assert from_xlsx.header == list(COLUMNS) == from_csv.header
    assert [r.cells for r in from_xlsx.rows] == [r.cells for r in from_csv.rows]
    assert {r.cells["区域代码"] for r in from_csv.rows} >= {"420000", "420800", "420881", "420800-gx"}
    # Re-importing the export changes nothing; the workbook carries a help sheet.
    assert not directory_import(actor=None, data=xlsx, filename="a.xlsx").changed
    assert not directory_import(actor=None, data=csv_data, filename="a.csv").changed
    assert "填写说明" in load_workbook(io.BytesIO(xlsx)).sheetnames


def test_export_then_import_into_an_empty_directory(shipped: None, django_db_blocker: Any) -> None:
    data, _ = directory_export(None, region=Region.objects.get(code="420200-xg"), file_format="csv")
    expected = sorted(Unit.objects.filter(region__code="420200-xg").values_list("name", "verified"))
    UnitAlias.objects.all().delete()
    Unit.objects.all().delete()
    result = directory_import(actor=None, data=data, filename="x.csv")
    assert result.units_created == len(expected)
    assert sorted(Unit.objects.values_list("name", "verified")) == expected
    assert resolve_unit("园区经发局", Region.objects.get(code="420200-xg")).status == "resolved"


def test_export_scoping(users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]) -> None:
    data = read_file(directory_export(users["admin"], file_format="csv")[0], "a.csv")
    names = {r.cells["单位全称"] for r in data.rows}
    assert "荆门市发展和改革委员会" in names and "荆州市发展和改革委员会" not in names
    with pytest.raises(AccessDenied):
        directory_export(users["admin"], region=regions["jingzhou"], file_format="csv")
    with pytest.raises(AccessDenied):
        directory_export(users["staff"], file_format="csv")
