"""The .xlsx ledger: export opened with openpyxl, round trip, and bad inputs refused with nothing written."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, ImportFailed
from luoshi.projects import ledger, services
from luoshi.projects.models import Milestone, Project

D = dt.date
pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in ledger.COLUMNS]


def _xlsx(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(**values: Any) -> list[Any]:
    return [values.get(h) for h in HEADERS]


def test_export_opens_cleanly(project: Project, users: dict[str, Any]) -> None:
    content = ledger.export_ledger(users["admin"])
    wb = load_workbook(io.BytesIO(content))
    ws = wb[ledger.SHEET_TITLE]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == f"A1:{get_column_letter(len(HEADERS))}2"
    row = {h: ws.cell(row=2, column=i + 1).value for i, h in enumerate(HEADERS)}
    assert row["项目编码"] == "JM-2026-001" and row["所属区域"] == "荆门市" and row["项目层级"] == "市重点"
    assert row["签约实际日期"] == dt.datetime(2026, 1, 10) and row["开工计划日期"] == dt.datetime(2026, 7, 10)
    assert row["责任单位"] == "荆门市发展和改革委员会" and row["总投资(万元)"] == 120000
    assert row["预警"] == "红灯"  # the one Colour label (luoshi.calendar.deadlines)
    assert ws.column_dimensions["B"].width == 36


def test_export_is_scoped(project: Project, other_project: Project, users: dict[str, Any]) -> None:
    wb = load_workbook(io.BytesIO(ledger.export_ledger(users["staff"])))
    codes = [r[0] for r in wb.active.iter_rows(min_row=2, values_only=True)]  # type: ignore[union-attr]
    assert codes == ["JM-2026-001"]


def test_round_trip_updates_and_creates(project: Project, users: dict[str, Any]) -> None:
    admin = users["admin"]
    content = ledger.export_ledger(admin)
    assert ledger.import_ledger(user=admin, content=content).unchanged == 1
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    assert ws is not None
    ws.cell(row=2, column=HEADERS.index("项目名称") + 1, value="荆门新材料产业园一期(扩建)")
    ws.cell(row=2, column=HEADERS.index("开工实际日期") + 1, value=dt.datetime(2026, 6, 30))
    ws.append(
        _row(
            项目编码="JM-2026-009",
            项目名称="荆门储能电池项目",
            项目层级="省重点",
            所属区域="荆门市",
            **{
                "总投资(万元)": "35,000.5",
                "责任单位": "市发改委、市经信局",
                "签约实际日期": "2026/3/1",
                "竣工计划日期": "2027年12月31日",
            },
        )
    )
    out = io.BytesIO()
    wb.save(out)
    result = ledger.import_ledger(user=admin, content=out.getvalue())
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    project.refresh_from_db()
    assert project.name == "荆门新材料产业园一期(扩建)" and project.stage == "started"
    assert Milestone.objects.get(project=project, kind="registered").planned_date == D(2026, 8, 30)
    new = Project.objects.get(code="JM-2026-009")
    assert new.level == "province" and str(new.investment) == "35000.50"
    assert sorted(u.name for u in new.units.all()) == ["荆门市发展和改革委员会", "荆门市经济和信息化局"]
    assert Milestone.objects.get(project=new, kind="started").planned_date == D(2026, 9, 1)
    assert Milestone.objects.get(project=new, kind="completed").planned_date == D(2027, 12, 31)
    assert AuditEvent.objects.filter(action="project.created", subject_id=str(new.pk)).exists()


def test_bad_rows_refused_with_row_and_column_and_nothing_written(
    project: Project, users: dict[str, Any]
) -> None:
    before = (Project.objects.count(), AuditEvent.objects.count())
    content = _xlsx(
        [
            _row(项目编码="A-1", 项目名称="好项目", 所属区域="荆门市", 签约实际日期="2026-01-05"),
            _row(项目编码="A-2", 项目名称="日期不存在", 所属区域="荆门市", 签约实际日期="2026-02-30"),
            [None] * len(HEADERS),
            _row(项目编码="A-3", 项目名称="太早", 所属区域="荆门市", 签约计划日期=dt.datetime(2003, 5, 1)),
            _row(项目编码="A-4", 项目名称="投资", 所属区域="荆门市", **{"总投资(万元)": "约一亿"}),
            _row(项目编码="A-5", 项目名称="区域", 所属区域="襄阳市"),
            _row(项目编码="A-6", 项目名称="单位", 所属区域="荆门市", 责任单位="市不存在局"),
            _row(项目编码="A-1", 项目名称="重复", 所属区域="荆门市"),
            _row(
                项目编码="A-7",
                项目名称="顺序",
                所属区域="荆门市",
                签约实际日期="2026-03-01",
                开工实际日期="2026-02-01",
            ),
        ]
    )
    with pytest.raises(ImportFailed) as info:
        ledger.import_ledger(user=users["admin"], content=content)
    details = {(d["row"], d["column"]) for d in info.value.details}
    assert details == {
        (3, "签约实际日期"),
        (5, "签约计划日期"),
        (6, "总投资(万元)"),
        (7, "所属区域"),
        (8, "责任单位"),
        (9, "项目编码"),
        (10, "实际日期"),
    }
    messages = " ".join(d["message"] for d in info.value.details)
    assert (
        "2026-02-30" in messages and "2004" in messages and "襄阳市" in messages and "第 2 行重复" in messages
    )
    assert (Project.objects.count(), AuditEvent.objects.count()) == before


def test_not_a_workbook_and_missing_headers(users: dict[str, Any], regions: dict[str, Any]) -> None:
    with pytest.raises(ImportFailed, match="无法读取"):
        ledger.import_ledger(user=users["admin"], content=b"not a zip")
    with pytest.raises(ImportFailed) as info:
        ledger.import_ledger(user=users["admin"], content=_xlsx([["x"]], headers=["名称"]))
    assert {d["column"] for d in info.value.details} == {"项目编码", "项目名称", "所属区域"}


def test_region_outside_scope_and_non_admins(project: Project, users: dict[str, Any]) -> None:
    content = _xlsx([_row(项目编码="JZ-1", 项目名称="荆州项目", 所属区域="荆门市")])
    with pytest.raises(ImportFailed, match="问题"):
        ledger.import_ledger(user=users["admin_jz"], content=content)
    for who in ("staff", "leader", "observer"):
        with pytest.raises(AccessDenied):
            ledger.import_ledger(user=users[who], content=content)
    assert not Project.objects.filter(code="JZ-1").exists()


def test_import_runs_services_atomically(project: Project, users: dict[str, Any]) -> None:
    """A row valid on its own but refused by a service (a cancelled project gets no dates) rolls back all."""
    services.project_update(user=users["admin"], project=project, status="cancelled")
    before = Project.objects.count()
    content = _xlsx(
        [
            _row(项目编码="OK-1", 项目名称="正常项目", 所属区域="荆门市"),
            _row(
                项目编码=project.code,
                项目名称=project.name,
                所属区域="荆门市",
                状态="已终止",
                签约实际日期="2026-01-10",
                开工实际日期="2026-02-01",
            ),
        ]
    )
    with pytest.raises(ImportFailed) as info:
        ledger.import_ledger(user=users["admin"], content=content)
    assert info.value.details[0]["row"] == 3
    assert Project.objects.count() == before
