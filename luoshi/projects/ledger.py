"""The project ledger as an .xlsx workbook: one format for export and import.

Export writes every column below (frozen header, filters, widths, real dates). Import reads the same
file back: 预警 and 预警原因 are ignored (the system computes them), planned dates of nodes that a
time-limit rule governs (开工 and 入库 by default) are ignored too (the rule computes them). A project
whose 项目编码 exists is updated, otherwise created. The import is all-or-nothing: every problem is
reported with its row and column and nothing is written unless the whole file is valid. Empty rows are
skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch, Q

from luoshi.accounts.access import region_contains, require_can_change, require_role
from luoshi.accounts.models import Role
from luoshi.core.errors import DomainError, ImportFailed
from luoshi.projects import engine, selectors, services
from luoshi.projects.models import (
    MILESTONE_ORDER,
    Milestone,
    MilestoneKind,
    Project,
    ProjectLevel,
    ProjectStatus,
)

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region, Unit

MAX_ROWS = 10_000
SHEET_TITLE = "重大项目台账"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    width: int
    export_only: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("项目编码", "code", 18),
    Column("项目名称", "name", 36),
    Column("项目层级", "level", 10),
    Column("所属区域", "region", 14),
    Column("总投资(万元)", "investment", 14),
    Column("项目业主", "owner_name", 28),
    Column("所属行业", "industry", 12),
    Column("包保领导", "leader_name", 12),
    Column("责任单位", "units", 30),
    Column("状态", "status", 10),
    *(
        c
        for kind in MILESTONE_ORDER
        for c in (
            Column(f"{MilestoneKind(kind).label}计划日期", f"{kind}:planned", 13),
            Column(f"{MilestoneKind(kind).label}实际日期", f"{kind}:actual", 13),
        )
    ),
    Column("预警", "colour", 8, export_only=True),
    Column("预警原因", "colour_reason", 40, export_only=True),
    Column("备注", "note", 30),
)
REQUIRED = ("项目编码", "项目名称", "所属区域")
_LEVELS = {label: value for value, label in ProjectLevel.choices} | {
    "省级": "province",
    "省": "province",
    "市级": "city",
    "市": "city",
    "园区级": "park",
    "园区": "park",
    "province": "province",
    "city": "city",
    "park": "park",
}
_STATUSES = {label: value for value, label in ProjectStatus.choices} | {v: v for v in ProjectStatus.values}
_COLOUR_LABELS = {"green": "绿", "yellow": "黄", "red": "红", "": ""}
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_UNIT_SPLIT = re.compile(r"[、,,;;\n]+")


# --- export ------------------------------------------------------------------------------------------
def export_ledger(user: User | None, filters: selectors.LedgerFilters | None = None) -> bytes:
    """The ledger `user` may see (with the page's filters) as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from luoshi.core.sanitize import strip_controls

    qs = selectors.ledger(user, filters or selectors.LedgerFilters()).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("id"))
    )
    # write-only mode streams rows: thousands of projects export in a few seconds
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    total = qs.count()
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{total + 1}"
    for index, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="F2F3F5")
    head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font, cell.fill, cell.alignment = head_font, head_fill, head_align
        header.append(cell)
    ws.append(header)
    formats = [
        "yyyy-mm-dd" if ":" in c.key else "#,##0.00" if c.key == "investment" else None for c in COLUMNS
    ]
    for project in qs.iterator(chunk_size=500):
        row = []
        for value, fmt in zip(_row_values(project), formats, strict=True):
            cell = WriteOnlyCell(ws, value=strip_controls(value) if isinstance(value, str) else value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a live formula
            if fmt is not None and value is not None:
                cell.number_format = fmt
            row.append(cell)
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row_values(project: Project) -> list[Any]:
    milestones = {m.kind: m for m in project.milestones.all()}
    values: list[Any] = []
    for column in COLUMNS:
        key = column.key
        if ":" in key:
            kind, which = key.split(":")
            m = milestones.get(kind)
            values.append(None if m is None else (m.planned_date if which == "planned" else m.actual_date))
        elif key == "level":
            values.append(project.get_level_display())
        elif key == "region":
            values.append(project.region.name)
        elif key == "investment":
            values.append(float(project.investment))
        elif key == "units":
            values.append("、".join(u.name for u in project.units.all()))
        elif key == "status":
            values.append(project.get_status_display())
        elif key == "colour":
            values.append(_COLOUR_LABELS.get(project.colour, ""))
        else:
            values.append(getattr(project, key))
    return values


# --- import ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    skipped_empty: int

    def summary(self) -> str:
        return (
            f"导入完成:新建 {self.created} 个项目,更新 {self.updated} 个,未变化 {self.unchanged} 个,"
            f"跳过空行 {self.skipped_empty} 行。"
        )


@dataclass
class _Row:
    number: int
    code: str
    data: dict[str, Any]
    region: Region
    units: list[Unit]
    planned: dict[str, dt.date | None]
    actual: dict[str, dt.date | None]
    status: str | None


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.items.append({"row": row, "column": column, "message": message})


def parse_date(value: Any) -> dt.date | None:
    """A cell as a date (None when empty). Raises ValueError with a message for the user."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        match = _DATE_RE.match(value)
        if not match:
            raise ValueError(f"“{value.strip()}”不是日期:请按 2026-03-31 的格式填写。")
        y, m, d = (int(g) for g in match.groups())
        try:
            day = dt.date(y, m, d)
        except ValueError as exc:
            raise ValueError(f"“{value.strip()}”不是有效日期(该日不存在),请核对。") from exc
    else:
        raise ValueError(f"“{value}”不是日期:请按 2026-03-31 的格式填写。")
    if day < services.MIN_DATE:
        raise ValueError(f"日期 {day.isoformat()} 早于 2004 年,请核对。")
    if day > services.MAX_DATE:
        raise ValueError(f"日期 {day.isoformat()} 晚于 2099 年,请核对。")
    return day


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_ledger(*, user: User | None, content: bytes) -> ImportResult:
    """Validate the whole workbook, then create/update every project in one transaction."""
    require_can_change(user)
    require_role(user, Role.ADMIN, action="导入重大项目台账")
    rows, skipped = _read(content)
    problems = _Problems()
    regions = _regions_for(user)
    parsed: list[_Row] = []
    seen: dict[str, int] = {}
    existing = {
        p.code: p
        for p in Project.objects.filter(code__in=[_text(r[1].get("项目编码")) for r in rows]).select_related(
            "region"
        )
    }
    for number, cells in rows:
        row = _parse_row(number, cells, regions, problems)
        if row is None:
            continue
        if row.code in seen:
            problems.add(
                number, "项目编码", f"项目编码“{row.code}”与第 {seen[row.code]} 行重复:每个项目只能出现一次。"
            )
            continue
        seen[row.code] = number
        current = existing.get(row.code)
        if (
            current is not None
            and user is not None
            and not user.is_superuser
            and not region_contains(user.region, current.region)
        ):
            problems.add(number, "项目编码", f"项目编码“{row.code}”已被其他区域的项目使用:请核对编码。")
            continue
        parsed.append(row)
    _resolve_units(parsed, problems)
    for row in parsed:
        errors = engine.order_errors(row.actual)
        for message in errors:
            problems.add(row.number, "实际日期", message)
        today = services.today()
        for kind, day in row.actual.items():
            if day is not None and day > today:
                problems.add(
                    row.number,
                    f"{MilestoneKind(kind).label}实际日期",
                    f"实际日期 {day.isoformat()} 晚于今天:实际日期只能填写已经发生的日期。",
                )
    if problems.items:
        raise ImportFailed(
            f"导入未执行:共发现 {len(problems.items)} 处问题,请修改后重新导入(未写入任何数据)。",
            details=sorted(problems.items, key=lambda p: (p["row"], p["column"])),
        )
    return _apply(user, parsed, existing, skipped)


def _read(content: bytes) -> tuple[list[tuple[int, dict[str, Any]]], int]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from luoshi.core.safe_files import UnsafeFile, check_zip

    try:
        check_zip(content)
    except UnsafeFile as exc:
        raise ImportFailed(exc.message, details=[{"row": 0, "column": "", "message": exc.message}]) from None
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFailed(
            "无法读取该文件:请上传由 Excel 或 WPS 保存的 .xlsx 文件。",
            details=[{"row": 0, "column": "", "message": str(exc)[:200]}],
        ) from exc
    ws = wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = next(it, None)
    if header is None:
        raise ImportFailed("文件是空的:请使用导出的台账模板填写后导入。")
    names = [_text(h) for h in header]
    missing = [h for h in REQUIRED if h not in names]
    if missing:
        raise ImportFailed(
            "表头缺少必填列:请使用导出的台账模板。",
            details=[{"row": 1, "column": h, "message": f"缺少“{h}”列"} for h in missing],
        )
    rows: list[tuple[int, dict[str, Any]]] = []
    skipped = 0
    for number, values in enumerate(it, start=2):
        cells = {name: value for name, value in zip(names, values, strict=False) if name}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            skipped += 1
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise ImportFailed(f"一次最多导入 {MAX_ROWS} 个项目:请分批导入。")
    wb.close()
    return rows, skipped


def _regions_for(user: User | None) -> dict[str, list[Region]]:
    from luoshi.orgs.models import Region

    qs = Region.objects.all()
    if user is not None and not user.is_superuser:
        qs = qs.filter(path__startswith=user.region.path) if user.region else qs.none()
    out: dict[str, list[Region]] = {}
    for region in qs:
        for key in {region.name, region.code, region.short_name} - {""}:
            out.setdefault(key, []).append(region)
    return out


def _parse_row(
    number: int, cells: dict[str, Any], regions: dict[str, list[Region]], problems: _Problems
) -> _Row | None:
    before = len(problems.items)
    code = _text(cells.get("项目编码"))
    name = _text(cells.get("项目名称"))
    if not code:
        problems.add(number, "项目编码", "请填写项目编码。")
    elif len(code) > 64:
        problems.add(number, "项目编码", "项目编码过长(最多 64 个字符)。")
    if not name:
        problems.add(number, "项目名称", "请填写项目名称。")
    region_text = _text(cells.get("所属区域"))
    found = regions.get(region_text, [])
    if not region_text:
        problems.add(number, "所属区域", "请填写所属区域。")
    elif not found:
        problems.add(number, "所属区域", f"未知区域“{region_text}”,或不在您的管辖范围内:请填写区域全称。")
    elif len(found) > 1:
        problems.add(number, "所属区域", f"区域“{region_text}”有重名:请填写区域代码。")
    level_text = _text(cells.get("项目层级")) or ProjectLevel.CITY.label
    level = _LEVELS.get(level_text)
    if level is None:
        problems.add(number, "项目层级", f"项目层级“{level_text}”无效:请填写 省重点、市重点 或 园区重大。")
    try:
        investment: Decimal | None = services.parse_investment(cells.get("总投资(万元)") or 0)
    except DomainError as exc:
        investment = None
        problems.add(number, "总投资(万元)", exc.message)
    status_text = _text(cells.get("状态"))
    status = _STATUSES.get(status_text) if status_text else None
    if status_text and status is None:
        problems.add(number, "状态", f"状态“{status_text}”无效:请填写 推进中、已投产、已暂停 或 已终止。")
    planned: dict[str, dt.date | None] = {}
    actual: dict[str, dt.date | None] = {}
    for kind in MILESTONE_ORDER:
        label = MilestoneKind(kind).label
        for which, target in (("计划", planned), ("实际", actual)):
            header = f"{label}{which}日期"
            try:
                target[kind] = parse_date(cells.get(header))
            except ValueError as exc:
                problems.add(number, header, str(exc))
                target[kind] = None
    if len(problems.items) > before:
        return None
    data = {
        "name": name,
        "code": code,
        "level": level,
        "investment": investment,
        "owner_name": _text(cells.get("项目业主")),
        "industry": _text(cells.get("所属行业")),
        "leader_name": _text(cells.get("包保领导")),
        "note": _text(cells.get("备注")),
    }
    row = _Row(number, code, data, found[0], [], planned, actual, status)
    row.data["_units_text"] = _text(cells.get("责任单位"))
    return row


def _resolve_units(parsed: list[_Row], problems: _Problems) -> None:
    """Unit names (canonical or an alias) in the project's region or its ancestors."""
    from luoshi.orgs.models import Unit, UnitAlias

    region_ids: set[int] = set()
    for row in parsed:
        region_ids.update(int(x) for x in row.region.path.strip("/").split("/") if x)
    by_name: dict[tuple[int, str], Unit] = {}
    for known in Unit.objects.filter(region_id__in=region_ids, is_active=True).select_related("region"):
        by_name[(known.region_id, known.name)] = known
    by_alias: dict[tuple[int, str], list[Unit]] = {}
    for alias in UnitAlias.objects.filter(region_id__in=region_ids).select_related("unit__region"):
        by_alias.setdefault((alias.region_id, alias.alias), []).append(alias.unit)
    for row in parsed:
        text = row.data.pop("_units_text")
        ancestors = [int(x) for x in row.region.path.strip("/").split("/") if x][::-1]
        for name in (n.strip() for n in _UNIT_SPLIT.split(text) if n.strip()):
            unit: Unit | None = next((by_name[(r, name)] for r in ancestors if (r, name) in by_name), None)
            if unit is None:
                matches = next((by_alias[(r, name)] for r in ancestors if (r, name) in by_alias), [])
                if len(matches) > 1:
                    problems.add(row.number, "责任单位", f"单位简称“{name}”对应多个单位:请填写单位全称。")
                    continue
                unit = matches[0] if matches else None
            if unit is None:
                problems.add(
                    row.number, "责任单位", f"未知单位“{name}”:请填写单位全称,或先在组织机构中添加该单位。"
                )
                continue
            if unit not in row.units:
                row.units.append(unit)


def _apply(user: User | None, parsed: list[_Row], existing: dict[str, Project], skipped: int) -> ImportResult:
    created = updated = unchanged = 0
    with transaction.atomic():
        for row in parsed:
            try:
                changed = _apply_row(user, row, existing.get(row.code))
            except DomainError as exc:
                raise ImportFailed(
                    f"导入未执行:第 {row.number} 行无法保存(未写入任何数据)。",
                    details=[{"row": row.number, "column": "", "message": exc.message}],
                ) from exc
            if row.code not in existing:
                created += 1
            elif changed:
                updated += 1
            else:
                unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged, skipped_empty=skipped)


def _apply_row(user: User | None, row: _Row, current: Project | None) -> bool:
    from luoshi.audit.models import AuditEvent

    marker = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if current is None:
        project = services.project_create(user=user, region=row.region, units=row.units, **row.data)
    else:
        project = current
        changes = {k: v for k, v in row.data.items() if getattr(project, k) != v}
        if row.region.pk != project.region_id:
            changes["region"] = row.region
        same_units = sorted(u.pk for u in row.units) == sorted(project.units.values_list("pk", flat=True))
        if changes or not same_units:
            project = services.project_update(
                user=user, project=project, units=None if same_units else row.units, **changes
            )
    ctx = services.ColourContext(services.today())
    governed = set(ctx.rules(project.region))
    milestones = {m.kind: m for m in Milestone.objects.filter(project=project)}
    for kind in MILESTONE_ORDER:
        if kind not in governed and milestones[kind].planned_date != row.planned[kind]:
            services.milestone_plan(user=user, project=project, kind=kind, planned_date=row.planned[kind])
    # clear or move actual dates from the last node back, then set them from the first forward
    for kind in reversed(MILESTONE_ORDER):
        if milestones[kind].actual_date is not None and milestones[kind].actual_date != row.actual[kind]:
            services.milestone_record(user=user, project=project, kind=kind, actual_date=None)
    for kind in MILESTONE_ORDER:
        if row.actual[kind] is not None and milestones[kind].actual_date != row.actual[kind]:
            services.milestone_record(user=user, project=project, kind=kind, actual_date=row.actual[kind])
    if row.status in (ProjectStatus.SUSPENDED, ProjectStatus.CANCELLED, ProjectStatus.ACTIVE):
        project.refresh_from_db()
        if project.status != row.status and not (
            row.status == ProjectStatus.ACTIVE and project.status == ProjectStatus.OPERATING
        ):
            services.project_update(user=user, project=project, status=row.status)
    return AuditEvent.objects.filter(Q(id__gt=marker)).exists()
