"""Exports read back: the cockpit .xlsx holds the figures the page shows; the quarterly .docx (公文 layout)
holds the summary, the charts as images drawn on the server, the rankings and the problem list."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _leader(users: dict[str, Any]) -> Client:
    c = Client()
    c.force_login(users["leader"])
    return c


def test_cockpit_xlsx_has_the_figures(refreshed: dict[str, Any], users: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    r = _leader(users).get("/dashboard/export.xlsx", {"kind": "month", "period": "2026-06"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["监测概览"]
    rows = {row[1]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["按期完成率"][2] == 40.0 and rows["按期完成率"][4:6] == (2, 5)
    assert rows["逾期未销号"][2] == 2
    assert "下级区域" in wb.sheetnames and "单位" in wb.sheetnames
    units = {row[0]: row for row in wb["单位"].iter_rows(min_row=2, values_only=True)}
    assert "荆门市发展和改革委员会" in units


def test_quarterly_report_docx_reads_back(refreshed: dict[str, Any], users: dict[str, Any]) -> None:
    from docx import Document

    r = _leader(users).get("/dashboard/report.docx", {"period": "2026-06-15"})
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "荆门市营商环境监测季度报告" in text and "2026年第2季度" in text
    assert "按期完成率40.0%" in text
    for heading in ("一、总体情况", "二、图表分析", "三、单位排名(十优十差)", "四、问题清单"):
        assert heading in text
    assert "出台信用修复办法" in text  # an overdue task in the problem list
    images = [rel for rel in doc.part.rels.values() if "image" in rel.reltype]
    assert len(images) >= 2
    assert all(rel.target_part.blob[:8] == b"\x89PNG\r\n\x1a\n" for rel in images)
    margin = doc.sections[0].top_margin
    assert margin is not None and margin.mm == pytest.approx(37, abs=0.5)
    assert len(doc.tables) == 2 and doc.tables[0].rows[0].cells[1].text == "单位"


def test_chart_images_render_chinese_without_a_browser() -> None:
    from luoshi.dashboard.charts import Chart
    from luoshi.dashboard.exports import chart_png

    png = chart_png(Chart("x", "红黄绿分布", "ring", {}, ["状态", "数量"], [["绿灯", 3], ["红灯", 1]]))
    assert png[:4] == b"\x89PNG" and len(png) > 5000
