"""Metrics per unit and period (one SQL aggregation): 受理率, 按时签收率, 按时办结率, 解决率, 满意率, 重办率, the 7-day
procedural reply rate and the 3-month substantive answer rate, and the 好差评 summary; exported to .xlsx."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q

from luoshi.core.sanitize import xlsx_row
from luoshi.requests import access
from luoshi.requests.models import RequestStatus, Satisfaction
from luoshi.requests.services.hotspots import period_bounds

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region

S = RequestStatus
REVIEWED = [
    S.ACCEPTED,
    S.REJECTED,
    S.TRANSFERRED,
    S.ASSIGNED,
    S.IN_PROGRESS,
    S.REPLIED,
    S.COMPLETED,
    S.ESCALATED,
    S.CLOSED,
]
ACCEPTED = [S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.REPLIED, S.COMPLETED, S.ESCALATED, S.CLOSED]
COLUMNS = [
    ("total", "诉求数"),
    ("acceptance", "受理率"),
    ("signin_on_time", "按时签收率"),
    ("completion_on_time", "按时办结率"),
    ("resolution", "解决率"),
    ("satisfaction", "满意率"),
    ("reopen", "重办率"),
    ("procedural_7d", "7日程序性回复率"),
    ("substantive_3m", "3个月实体性答复率"),
    ("good", "好评(满意)"),
    ("fair", "基本满意"),
    ("bad", "差评(不满意)"),
]


@dataclass(frozen=True)
class UnitMetrics:
    unit_id: int | None
    unit: str
    values: dict[str, Any]


def _rate(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 1) if den else None


def _aggregate() -> dict[str, Any]:
    return {
        "total": Count("pk"),
        "reviewed": Count("pk", filter=Q(status__in=REVIEWED)),
        "accepted": Count("pk", filter=Q(status__in=ACCEPTED)),
        "signed": Count("pk", filter=Q(signed_at__isnull=False)),
        "signed_on_time": Count("pk", filter=Q(signed_at__isnull=False, signed_at__lte=F("signin_due_at"))),
        "completed": Count("pk", filter=Q(completed_at__isnull=False)),
        "completed_on_time": Count(
            "pk", filter=Q(completed_at__isnull=False, completed_at__date__lte=F("due_on"))
        ),
        "resolved": Count("pk", filter=Q(resolved=True)),
        "rated": Count("pk", filter=~Q(satisfaction="")),
        "good": Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        "fair": Count("pk", filter=Q(satisfaction=Satisfaction.BASIC)),
        "bad": Count("pk", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
        "proc_ok": Count("pk", filter=Q(first_response_at__date__lte=F("procedural_due_on"))),
        "subst_ok": Count("pk", filter=Q(replied_at__date__lte=F("substantive_due_on"))),
    }


def _values(a: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "total": a["total"],
        "acceptance": _rate(a["accepted"], a["reviewed"]),
        "signin_on_time": _rate(a["signed_on_time"], a["signed"]),
        "completion_on_time": _rate(a["completed_on_time"], a["completed"]),
        "resolution": _rate(a["resolved"], a["completed"]),
        "satisfaction": _rate(a["good"] + a["fair"], a["rated"]),
        "reopen": _rate(a["reopened"], a["completed"] or a["rated"]),
        "procedural_7d": _rate(a["proc_ok"], a["total"]),
        "substantive_3m": _rate(a["subst_ok"], a["total"]),
        "good": a["good"],
        "fair": a["fair"],
        "bad": a["bad"],
    }


def unit_metrics(*, user: User | None, region: Region, period: str) -> tuple[list[UnitMetrics], UnitMetrics]:
    """Rows per lead unit for requests received in `period` (YYYY-MM), and the region's total row."""
    start, end = period_bounds(period)
    # the subtree as a list of ids: the (region, received_at) index then narrows the month directly
    region_ids = access.subtree_ids(region)
    base = access.visible_requests(user).filter(
        region_id__in=region_ids, received_at__gte=start, received_at__lt=end
    )
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in base.values("lead_unit_id", "lead_unit__name")
        .annotate(**_aggregate())
        .order_by("lead_unit__name")
    ]
    out = [UnitMetrics(r["lead_unit_id"], r["lead_unit__name"] or "(未分办)", _values(r)) for r in rows]
    # every figure is a count, so the region's total is the sum of the unit rows (one scan of the month, not two)
    total = {key: sum(r[key] for r in rows) for key in _aggregate()}
    return out, UnitMetrics(None, "合计", _values(total))


def metrics_xlsx(rows: list[UnitMetrics], total: UnitMetrics, period: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"诉求办理指标{period}"
    ws.append(xlsx_row(ws, ["单位", *[label for _, label in COLUMNS]]))
    for r in [*rows, total]:
        ws.append(xlsx_row(ws, [r.unit, *[r.values[key] for key, _ in COLUMNS]]))
    ws.column_dimensions["A"].width = 32
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
