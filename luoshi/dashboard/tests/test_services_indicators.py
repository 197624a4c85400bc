"""The indicator system: .xlsx import (all or nothing), editing with a version check, units reporting with
evidence, computed indicators filling themselves, colours and the weighted roll-up, 溯源 and 督办."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from luoshi.dashboard.tests.conftest import TODAY

pytestmark = pytest.mark.django_db

HEADER = [
    "编码",
    "上级编码",
    "指标名称",
    "权重",
    "牵头单位",
    "周期",
    "计量单位",
    "方向",
    "目标值",
    "预警值",
    "先进值",
    "数据来源",
    "计算口径",
    "说明",
]


def _xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


TREE = [
    ["1", "", "督查督办", 60, "", "月", "", "越高越好", None, None, None, "单位填报", "", ""],
    [
        "1.1",
        "1",
        "按期完成率",
        100,
        "",
        "月",
        "%",
        "越高越好",
        90,
        50,
        98,
        "系统计算",
        "supervision.on_time_rate",
        "",
    ],
    ["2", "", "政务服务", 40, "", "月", "", "越高越好", None, None, None, "单位填报", "", ""],
    ["2.1", "2", "企业开办时间", 100, "市发改委", "月", "天", "越低越好", 1, 3, 0.5, "单位填报", "", ""],
]


@pytest.fixture
def tree(refreshed: dict[str, Any], users: dict[str, Any], regions: dict[str, Any]) -> dict[str, Any]:
    from luoshi.dashboard import services
    from luoshi.dashboard.models import Indicator

    result = services.indicators_import(
        user=users["admin"], region=regions["jingmen"], data=_xlsx(TREE), filename="指标.xlsx"
    )
    assert (result.created, result.updated) == (4, 0)
    services.refresh(today=TODAY, periods=services.periods_to_refresh(TODAY, {"month": 1}))
    return {i.code: i for i in Indicator.objects.filter(region=regions["jingmen"])}


def test_import_builds_the_tree_and_computed_values_fill_themselves(
    tree: dict[str, Any], regions: dict[str, Any], users: dict[str, Any]
) -> None:
    from luoshi.dashboard.models import IndicatorValue

    assert tree["1.1"].parent == tree["1"] and tree["2.1"].lead_unit.name == "荆门市发展和改革委员会"
    v = IndicatorValue.objects.get(
        indicator=tree["1.1"], region=regions["jingmen"], period_start=dt.date(2026, 6, 1)
    )
    assert (v.value, v.colour, v.source) == (40.0, "red", "computed")
    assert "预警值 50%" in v.colour_reason


def test_import_refuses_the_whole_file_and_lists_every_problem(
    refreshed: dict[str, Any], users: dict[str, Any], regions: dict[str, Any]
) -> None:
    from luoshi.core.errors import ImportFailed
    from luoshi.dashboard import services
    from luoshi.dashboard.models import Indicator

    bad: list[list[Any]] = [
        ["1", "", "好指标", 10, "", "季", "%", "越高越好", 90, 80, 95, "单位填报", "", ""],
        [
            "2",
            "9",
            "上级不存在",
            "十",
            "不存在的局",
            "半年",
            "%",
            "向上",
            "九十",
            None,
            None,
            "系统计算",
            "no.such",
            "",
        ],
    ]
    with pytest.raises(ImportFailed) as info:
        services.indicators_import(
            user=users["admin"], region=regions["jingmen"], data=_xlsx(bad), filename="错.xlsx"
        )
    columns = {p["column"] for p in info.value.details}
    assert {"上级编码", "权重", "牵头单位", "周期", "方向", "目标值", "计算口径"} <= columns
    assert not Indicator.objects.exists()


def test_only_the_office_of_the_region_imports(
    refreshed: dict[str, Any], users: dict[str, Any], regions: dict[str, Any]
) -> None:
    from luoshi.core.errors import AccessDenied
    from luoshi.dashboard import services

    for who in ("leader", "staff", "admin_jz"):
        with pytest.raises(AccessDenied):
            services.indicators_import(
                user=users[who], region=regions["jingmen"], data=_xlsx(TREE), filename="x.xlsx"
            )


def test_the_lead_unit_reports_with_evidence_others_may_not(
    tree: dict[str, Any], users: dict[str, Any], regions: dict[str, Any], monkeypatch: Any
) -> None:
    from django.utils import timezone

    from luoshi.core.errors import AccessDenied, ValidationFailed
    from luoshi.dashboard import engine, selectors, services

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    june = engine.period_containing("month", TODAY)
    ind = tree["2.1"]
    with pytest.raises(AccessDenied):
        services.value_report(
            user=users["staff_other"],
            indicator=ind,
            region=regions["jingmen"],
            period=june,
            value=2,
            evidence="x",
        )
    with pytest.raises(AccessDenied):
        services.value_report(
            user=users["leader"], indicator=ind, region=regions["jingmen"], period=june, value=2, evidence="x"
        )
    with pytest.raises(ValidationFailed, match="佐证"):
        services.value_report(
            user=users["staff"], indicator=ind, region=regions["jingmen"], period=june, value=2
        )
    with pytest.raises(ValidationFailed, match="不是数字"):
        services.value_report(
            user=users["staff"],
            indicator=ind,
            region=regions["jingmen"],
            period=june,
            value="两天",
            evidence="x",
        )
    with pytest.raises(ValidationFailed, match="自动计算"):
        services.value_report(
            user=users["admin"],
            indicator=tree["1.1"],
            region=regions["jingmen"],
            period=june,
            value=1,
            evidence="x",
        )
    v = services.value_report(
        user=users["staff"],
        indicator=ind,
        region=regions["jingmen"],
        period=june,
        value="2",
        evidence="6月开办统计",
        evidence_file=("开办统计.pdf", io.BytesIO(b"%PDF-1.4 test")),
    )
    assert (v.colour, v.score, v.unit) == (
        "yellow",
        50.0,
        users["staff"].unit,
    ) and v.evidence_name == "开办统计.pdf"
    t = selectors.indicator_tree(users["leader"], on=TODAY)
    rows = {r.indicator.code: r for r in t.rows}
    # 1.1: 40% of a 90% target → 44.4; 2.1: 50; roll-up 0.6 × 44.4 + 0.4 × 50
    assert rows["1"].score == 44.4 and rows["2"].score == 50.0
    assert t.total_score == pytest.approx(0.6 * 44.4 + 0.4 * 50, abs=0.1) and t.total_colour == "red"


def test_editing_checks_the_version_and_recolours(
    tree: dict[str, Any], users: dict[str, Any], regions: dict[str, Any]
) -> None:
    from luoshi.core.errors import AccessDenied, Conflict
    from luoshi.dashboard import services
    from luoshi.dashboard.models import IndicatorValue

    ind = tree["1.1"]
    with pytest.raises(AccessDenied):
        services.indicator_update(
            user=users["leader"], indicator=ind, version=ind.version, changes={"target": 30}
        )
    services.indicator_update(
        user=users["admin"], indicator=ind, version=ind.version, changes={"target": 30, "warning_value": 20}
    )
    v = IndicatorValue.objects.get(indicator=ind, region=regions["jingmen"], period_start=dt.date(2026, 6, 1))
    assert v.colour == "green"
    with pytest.raises(Conflict):
        services.indicator_update(
            user=users["admin"], indicator=ind, version=ind.version, changes={"target": 50}
        )


def test_trace_lists_units_weakest_first_and_one_click_opens_a_notice(
    tree: dict[str, Any], users: dict[str, Any], regions: dict[str, Any], monkeypatch: Any
) -> None:
    from django.test import Client
    from django.utils import timezone

    from luoshi.supervision.models import SupervisionNotice

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    from luoshi.dashboard import selectors

    trace = selectors.indicator_trace(users["admin"], tree["1.1"].pk, period_text="2026-06")
    names = [r.name for r in trace.units]
    assert names[0] == "荆门市经济和信息化局"  # 0 of 1 on time, before 发改委's 1 of 3
    assert trace.can_escalate and not selectors.indicator_trace(users["leader"], tree["1.1"].pk).can_escalate
    leader, admin = Client(), Client()
    leader.force_login(users["leader"])
    admin.force_login(users["admin"])
    unit = refreshed_unit = users["staff_other"].unit
    payload = {"key": "supervision.on_time_rate", "unit": unit.pk, "kind": "month", "period": "2026-06"}
    leader.post("/dashboard/escalate/", payload)
    assert not SupervisionNotice.objects.exists()
    r = admin.post("/dashboard/escalate/", payload)
    notice = SupervisionNotice.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/supervision/notices/{notice.pk}/")
    assert notice.unit == refreshed_unit and notice.tasks.count() == 1
    page = admin.get(r["Location"]).content.decode()
    assert f"已向{unit.name}发出督办单 {notice.number}。" in page  # the success message names the notice


def test_a_damaged_workbook_is_refused_in_chinese(users: dict[str, Any], regions: dict[str, Any]) -> None:
    from luoshi.core.errors import DomainError
    from luoshi.dashboard import services

    with pytest.raises(DomainError) as info:
        services.indicators_import(
            user=users["admin"], region=regions["jingmen"], data=b"not a zip", filename="坏.xlsx"
        )
    assert "坏.xlsx" in info.value.message or "文件" in info.value.message
