"""Documents: the dispatch report (调度通报, .docx), the ledger (.xlsx), and the per-unit filing workbook
(export → fill → import; all-or-nothing, errors listed by row and column)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
from collections.abc import Iterable
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from luoshi.accounts.access import is_unit_staff
from luoshi.accounts.models import User
from luoshi.calendar.deadlines import Colour
from luoshi.core.errors import AccessDenied, ImportFailed
from luoshi.core.imports import Problems, all_or_nothing
from luoshi.core.sanitize import xlsx_row
from luoshi.supervision import periods
from luoshi.supervision.errors import SupervisionError
from luoshi.supervision.models import OPEN_STATUSES, Assignment, ProgressReport, Task
from luoshi.supervision.selectors import SCORE_FORMULA, DispatchData


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


# --- dispatch report (.docx) -----------------------------------------------------------------------------------
def dispatch_docx(data: DispatchData, number: str = "") -> bytes:
    """调度通报 as a GB/T 9704-2012 公文: totals that add up, "截至" never in the future, sentences true to the
    figures listed (see luoshi.supervision.dispatch)."""
    from luoshi.core import gongwen

    s = data.summary
    period = data.period
    body: list[gongwen.Block] = [gongwen.Heading("一、总体情况", level=1)]
    body.append(gongwen.Para(data.totals.sentence(data.as_of)))
    if s["reports_expected"]:
        body.append(gongwen.Para(f"本期应报进展{s['reports_expected']}次,按时报送{s['reports_on_time']}次。"))
    body.append(
        gongwen.Table(
            ["共计", "已销号", "推进中", "待审核", "逾期", "红灯", "黄灯"],
            [
                [
                    str(s[k])
                    for k in ("total", "signed_off", "in_progress", "requested", "overdue", "red", "yellow")
                ]
            ],
        )
    )

    def task_rows(tasks: list[Any]) -> gongwen.Table:
        return gongwen.Table(
            ["序号", "任务", "牵头单位", "完成时限", "预警原因"],
            [
                [
                    str(i),
                    t.title,
                    t.lead_units_text,
                    t.deadline.isoformat() if t.deadline else "长期坚持",
                    t.colour_reason,
                ]
                for i, t in enumerate(tasks, start=1)
            ],
            widths_mm=[12, 50, 30, 22, 42],
        )

    body.append(gongwen.Heading(f"二、红灯任务({len(data.red)}项)", level=1))
    body.append(task_rows(data.red) if data.red else gongwen.Para("本期无红灯任务。"))
    body.append(gongwen.Heading(f"三、黄灯任务({len(data.yellow)}项)", level=1))
    body.append(task_rows(data.yellow) if data.yellow else gongwen.Para("本期无黄灯任务。"))
    body.append(gongwen.Heading("四、各单位推进情况", level=1))
    body.append(gongwen.Para(SCORE_FORMULA))
    body.append(
        gongwen.Table(
            ["单位", "承担任务", "到期任务", "按期完成率", "逾期", "按时报送率", "退回", "综合得分"],
            [
                [
                    u.unit,
                    str(u.held),
                    str(u.due),
                    _pct(u.completion_rate),
                    str(u.overdue),
                    _pct(u.timeliness),
                    str(u.returns),
                    u.score_label,
                ]
                for u in data.units
            ],
            widths_mm=[36, 16, 16, 20, 14, 20, 14, 20],
        )
    )
    if data.good_units:
        body.append(gongwen.Para("推进较好的单位:" + "、".join(data.good_units) + "。"))
    if data.slow_units:
        body.append(gongwen.Para("推进较慢的单位:" + "、".join(data.slow_units) + "。"))
    body.append(gongwen.Heading("五、需协调解决的问题", level=1))
    if data.problems:
        for k, r in enumerate(data.problems, start=1):
            body.append(gongwen.Para(f"{k}.{r.unit.name}({r.task.title[:40]}):{r.problems}"))
    else:
        body.append(gongwen.Para("本期各单位未提出需协调解决的问题。"))
    body.append(gongwen.Heading("六、通报", level=1))
    body.append(gongwen.Para(data.reporting_sentence))
    region = data.title.split("优化营商环境")[0]
    issuer = f"{region}优化营商环境工作领导小组办公室"
    made = dt.datetime.combine(data.as_of, dt.time(12), tzinfo=timezone.get_current_timezone())
    return gongwen.render(
        gongwen.Gongwen(
            issuer=issuer,
            number=number or f"第{period.start.month}期({period.start.year}年)",
            title=data.title,
            body=body,
            issued_at=made if data.historical else timezone.now(),
        )
    )


# --- ledger (.xlsx) ----------------------------------------------------------------------------------------------
LEDGER_COLUMNS = [
    ("序号", 6),
    ("方案", 28),
    ("任务名称", 40),
    ("牵头单位", 22),
    ("责任单位", 22),
    ("完成时限", 12),
    ("状态", 10),
    ("预警", 8),
    ("预警原因", 40),
    ("完成进度(%)", 12),
    ("未按期报送", 10),
    ("退回次数", 9),
]


def _header(ws: Any, columns: list[tuple[str, int]]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append([c for c, _ in columns])
    for i, (_, width) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F3F5")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def ledger_xlsx(tasks: Iterable[Task]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "任务台账"
    _header(ws, LEDGER_COLUMNS)
    fills = {
        "red": PatternFill("solid", fgColor="F8D7DA"),
        "yellow": PatternFill("solid", fgColor="FFF3CD"),
        "green": PatternFill("solid", fgColor="D4EDDA"),
    }
    n = 0
    for t in tasks:
        co = "、".join(a.unit.name for a in t.assignments.all() if not a.is_lead) or t.co_units_text
        lead = "、".join(a.unit.name for a in t.assignments.all() if a.is_lead) or t.lead_units_text
        ws.append(
            xlsx_row(
                ws,
                [
                    t.seq,
                    t.plan.title,
                    t.title,
                    lead,
                    co,
                    t.deadline if t.deadline else "长期坚持",
                    t.get_status_display(),
                    Colour(t.colour).label,
                    t.colour_reason,
                    round(t.percent, 1),
                    t.missed_count,
                    t.returns_count,
                ],
            )
        )
        n += 1
        if t.colour in fills:
            ws.cell(row=n + 1, column=8).fill = fills[t.colour]
        if t.deadline:
            ws.cell(row=n + 1, column=6).number_format = "yyyy-mm-dd"
    ws.auto_filter.ref = f"A1:L{n + 1}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- per-unit filing workbook -------------------------------------------------------------------------------------
FILING_SHEET = "进展填报"
META_SHEET = "说明"
FIXED = [
    ("分工编号", 10),
    ("任务名称", 40),
    ("周期开始", 12),
    ("周期结束", 12),
    ("完成进度(%)", 12),
    ("工作进展", 50),
    ("需协调解决的问题", 30),
]
MAX_TARGETS = 4


def _signature(unit_id: int, assignment_ids: list[int]) -> str:
    msg = f"{unit_id}:{','.join(map(str, sorted(assignment_ids)))}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), msg, hashlib.sha256).hexdigest()[:32]


def _filing_rows(user: User, today: dt.date) -> list[tuple[Assignment, periods.Period]]:
    from luoshi.supervision.selectors import my_tasks

    return [(d.assignment, d.period) for d in my_tasks(user, today)]


def unit_workbook(user: User, today: dt.date | None = None) -> bytes:
    """The workbook a unit fills offline: one row per open assignment for the period due now."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, Protection
    from openpyxl.utils import get_column_letter

    if not is_unit_staff(user) or user.unit_id is None:
        raise AccessDenied("只有部门工作人员可以导出本单位的填报表。", code=SupervisionError.FORM_STAFF_ONLY)
    today = today or timezone.localdate()
    rows = _filing_rows(user, today)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = FILING_SHEET
    columns = list(FIXED)
    for k in range(1, MAX_TARGETS + 1):
        columns += [(f"指标{k}", 20), (f"指标{k}目标值", 12), (f"指标{k}完成值", 12)]
    _header(ws, columns)
    for a, p in rows:
        t = a.task
        row: list[Any] = [a.pk, t.title, p.start, p.end, None, "", ""]
        for target in t.targets[:MAX_TARGETS]:
            row += [
                target.get("metric"),
                f"{target.get('op', '')}{target.get('value')}{target.get('unit', '')}",
                None,
            ]
        ws.append(xlsx_row(ws, row))
        for col in (3, 4):
            ws.cell(row=ws.max_row, column=col).number_format = "yyyy-mm-dd"
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            col = int(cell.column or 0)
            if col in (5, 6, 7) or (col > 7 and (col - 7) % 3 == 0):
                cell.protection = Protection(locked=False)
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.formatColumns = False
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 1)}"
    meta = wb.create_sheet(META_SHEET)
    assignment_ids = [a.pk for a, _ in rows]
    meta.append(["单位", user.unit.name if user.unit else ""])
    meta.append(["单位编号", user.unit_id])
    meta.append(["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    meta.append(["校验码", _signature(user.unit_id, assignment_ids)])
    meta.append(
        [
            "填写说明",
            "请只填写“完成进度(%)”“工作进展”“需协调解决的问题”和各指标完成值,不要改动其他列;"
            "填好后在“我的任务”页面导入。有一行出错时整表不导入,请按提示修改后重新导入。",
        ]
    )
    meta["A1"].font = Font(bold=True)
    meta.column_dimensions["A"].width = 12
    meta.column_dimensions["B"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def unit_workbook_import(
    *, user: User, stream: IO[bytes], today: dt.date | None = None
) -> list[ProgressReport]:
    """Import a workbook exported by `unit_workbook` for the user's unit: all rows or nothing."""
    from openpyxl import load_workbook

    from luoshi.core.errors import DomainError
    from luoshi.core.safe_files import UnsafeFile, check_zip
    from luoshi.supervision.services.reports import report_file

    if not is_unit_staff(user) or user.unit_id is None:
        raise AccessDenied("只有部门工作人员可以导入本单位的填报表。", code=SupervisionError.FORM_STAFF_ONLY)
    try:
        check_zip(stream)
    except UnsafeFile as exc:
        raise ImportFailed(
            exc.message,
            details=[{"row": None, "column": None, "message": exc.message}],
            code=SupervisionError.FORM_UNSAFE,
        ) from None
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFailed(
            details=[{"row": None, "column": None, "message": str(exc)[:200]}],
            code=SupervisionError.FORM_UNREADABLE,
        ) from exc
    if FILING_SHEET not in wb.sheetnames or META_SHEET not in wb.sheetnames:
        raise ImportFailed(
            details=[{"row": None, "column": None, "message": "工作表不完整"}],
            code=SupervisionError.FORM_SHEETS_MISSING,
        )
    ws = wb[FILING_SHEET]
    meta = {str(r[0].value): r[1].value for r in wb[META_SHEET].iter_rows(min_row=1, max_col=2) if r[0].value}
    header = [c.value for c in ws[1]]
    expected = [c for c, _ in FIXED]
    if header[: len(expected)] != expected:
        raise ImportFailed(
            details=[{"row": 1, "column": None, "message": "表头与导出时不一致"}],
            code=SupervisionError.FORM_HEADER_CHANGED,
        )
    if str(meta.get("单位编号")) != str(user.unit_id):
        raise ImportFailed(
            details=[{"row": None, "column": "单位编号", "message": "单位不符"}],
            code=SupervisionError.FORM_OTHER_UNIT,
        )
    problems = Problems(summary=lambda n: f"填报表有 {n} 处问题,未导入任何数据;请按提示修改后重新导入。")
    parsed: list[tuple[int, dict[Any, Any]]] = []
    ids: list[int] = []
    for r_idx, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if not any(v not in (None, "") for v in row):
            continue
        values: dict[Any, Any] = dict(zip(header, row, strict=False))
        try:
            aid = int(values.get("分工编号"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.add(r_idx, "分工编号", "分工编号缺失或被改动")
            continue
        ids.append(aid)
        if values.get("完成进度(%)") in (None, "") and not values.get("工作进展"):
            continue  # a row left blank: nothing to file for that task
        parsed.append((r_idx, values))
    if str(meta.get("校验码")) != _signature(user.unit_id, ids):
        problems.insert_first(None, "分工编号", "分工编号与导出时不一致(行被增删或改动),请重新导出后填写")
    assignments = {a.pk: a for a in Assignment.objects.select_related("task").filter(pk__in=ids)}
    reports: list[ProgressReport] = []
    if problems:
        raise problems.error()
    with all_or_nothing(problems):
        for r_idx, values in parsed:
            a = assignments.get(int(values["分工编号"]))
            if a is None or a.unit_id != user.unit_id or a.task.status not in OPEN_STATUSES:
                problems.add(r_idx, "分工编号", "该任务已不需要本单位填报")
                continue
            start = _cell_date(values.get("周期开始"))
            if start is None:
                problems.add(r_idx, "周期开始", "日期无效")
                continue
            actuals = {}
            for k in range(1, MAX_TARGETS + 1):
                metric = values.get(f"指标{k}")
                if metric and values.get(f"指标{k}完成值") not in (None, ""):
                    actuals[str(metric)] = values.get(f"指标{k}完成值")
            try:
                with transaction.atomic():
                    reports.append(
                        report_file(
                            assignment=a,
                            user=user,
                            period_start=start,
                            narrative=str(values.get("工作进展") or ""),
                            percent=values.get("完成进度(%)"),  # type: ignore[arg-type]
                            actuals=actuals,
                            problems=str(values.get("需协调解决的问题") or ""),
                            today=today,
                        )
                    )
            except DomainError as exc:
                problems.add(r_idx, _column_of(exc.message), exc.message)
    return reports


def _column_of(message: str) -> str:
    if "完成进度" in message:
        return "完成进度(%)"
    if "工作进展" in message:
        return "工作进展"
    if "指标" in message:
        return "指标完成值"
    if "周期" in message:
        return "周期开始"
    return ""
