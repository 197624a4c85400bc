"""Exports: the cockpit's figures as .xlsx, and the quarterly monitoring report as .docx in 公文 layout with
its charts drawn on the server (matplotlib, Agg backend, the CJK font of Debian's fonts-noto-cjk; no browser,
no network).

The 公文 layout (GB/T 9704) comes from the shared writer `luoshi.core.gongwen`; the chart pictures are put in
after it renders.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from luoshi.core.sanitize import xlsx_row
from luoshi.dashboard.charts import Chart

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


def cjk_font_path() -> Path:
    for candidate in CJK_FONT_CANDIDATES:
        if Path(candidate).exists():
            return Path(candidate)
    raise RuntimeError("找不到中文字体(Noto Sans CJK)。请安装 Debian 软件包 fonts-noto-cjk 后再生成报告。")


# --- charts as images ----------------------------------------------------------------------------------------
def chart_png(chart: Chart, width_in: float = 6.3, height_in: float = 3.0) -> bytes:
    """Draw one chart from its table (the same numbers the page shows) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    plt.rcParams["font.family"] = name
    plt.rcParams["axes.unicode_minus"] = False
    fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=150)
    try:
        labels = [str(r[0])[:16] for r in chart.rows]
        values = [[(v if isinstance(v, int | float) else 0) for v in r[1:]] for r in chart.rows]
        if chart.kind == "ring":
            colours = {"绿灯": "#1a7f37", "黄灯": "#d4a72c", "红灯": "#cf222e"}
            data = [v[0] for v in values]
            if sum(data) > 0:
                ax.pie(
                    data,
                    labels=[f"{lab} {d:g}" for lab, d in zip(labels, data, strict=False)],
                    colors=[colours.get(lab, "#888888") for lab in labels],
                    wedgeprops={"width": 0.4},
                )
            ax.set_aspect("equal")
        elif chart.kind == "line":
            for i, col in enumerate(chart.columns[1:]):
                ax.plot(
                    labels, [float(v[i]) if v[i] else float("nan") for v in values], marker="o", label=col
                )
            ax.legend(fontsize=7)
            ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        elif len(chart.columns) > 3:  # grouped bars: the first two value columns side by side
            ys = list(range(len(labels)))[::-1]
            ax.barh(
                [y + 0.2 for y in ys],
                [v[0] for v in values],
                height=0.4,
                color="#2f6fb0",
                label=chart.columns[1],
            )
            ax.barh(
                [y - 0.2 for y in ys],
                [v[1] for v in values],
                height=0.4,
                color="#1a7f37",
                label=chart.columns[2],
            )
            ax.set_yticks(ys, labels, fontsize=7)
            ax.legend(fontsize=7)
        else:  # bar, calendar (by month)
            ax.barh(labels[::-1], [v[0] for v in values][::-1], color="#2f6fb0")
            for y, v in enumerate([v[0] for v in values][::-1]):
                ax.text(v, y, f" {v:g}", va="center", fontsize=7)
            ax.tick_params(axis="y", labelsize=7)
        ax.set_title(chart.title, fontsize=10)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


# --- cockpit as .xlsx ----------------------------------------------------------------------------------------
def cockpit_xlsx(cockpit: Any) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "监测概览"
    ws.append(xlsx_row(ws, [f"{cockpit.region.name}营商环境监测 · {cockpit.period.label()}"]))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(xlsx_row(ws, ["板块", "指标", "数值", "单位", "分子", "分母", "上期", "口径"]))
    for f in cockpit.figures:
        ws.append(xlsx_row(ws,
            [
                f.section,
                f.label,
                f.value,
                f.measure_unit,
                f.numerator,
                f.denominator,
                f.previous,
                f.description,
            ]
        ))
    ws.column_dimensions["B"].width = 20
    ws.column_dimensions["H"].width = 60
    bs = wb.create_sheet("分类明细")
    bs.append(xlsx_row(bs, ["指标", "分类", "数值", "计数"]))
    for f in cockpit.figures:
        for b in f.buckets:
            if not b.bucket.startswith("day:"):
                bs.append(xlsx_row(bs, [f.label, b.label, b.value, b.numerator]))
    cs = wb.create_sheet("下级区域")
    cs.append(xlsx_row(cs, ["区域", *[c.label for c in cockpit.columns]]))
    for row in cockpit.children:
        cs.append(xlsx_row(cs,
            [row.name, *[row.figures[c.key].value if c.key in row.figures else None for c in cockpit.columns]]
        ))
    us = wb.create_sheet("单位")
    us.append(xlsx_row(us, ["单位", "综合得分", *[c.label for c in cockpit.columns]]))
    for row in cockpit.units:
        us.append(xlsx_row(us,
            [
                row.name,
                row.score if row.score is not None else "本期无到期事项",
                *[row.figures[c.key].value if c.key in row.figures else None for c in cockpit.columns],
            ]
        ))
    for chart in cockpit.charts:
        sheet = wb.create_sheet(chart.title[:28].replace("/", "-"))
        sheet.append(xlsx_row(sheet, chart.columns))
        for r in chart.rows:
            sheet.append(xlsx_row(sheet, list(r)))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- quarterly report as .docx (公文) ------------------------------------------------------------------------
CHART_MARK = "〔图表:{}〕"


def quarterly_docx(cockpit: Any, rankings: Any, problems: list[tuple[str, str]]) -> bytes:
    """The quarterly report as a 公文 (GB/T 9704 layout by `luoshi.core.gongwen`): summary, the charts as
    images drawn on the server, rankings (十优十差) and the problem list. The shared writer knows paragraphs,
    headings and tables; each chart is a marked paragraph replaced by its picture after rendering."""
    from django.utils import timezone

    from luoshi.core.gongwen import Gongwen, Heading, Para, Table, render

    region, period = cockpit.region, cockpit.period
    head = {f.key: f for f in cockpit.figures}
    bits = []
    for f in cockpit.figures:
        if f.headline and f.value is not None:
            prev = f"(上期 {f.previous:g}{f.measure_unit})" if f.previous is not None else ""
            bits.append(f"{f.label}{f.display()}{f.measure_unit}{prev}")
    body: list[Any] = [
        Heading("一、总体情况"),
        Para(f"本季度({period.label()}),{region.name}各项监测指标情况如下:" + ";".join(bits) + "。"),
    ]
    colour = head.get("supervision.colour")
    if colour is not None and colour.buckets:
        body.append(
            Para("在办督办任务中," + "、".join(f"{b.label}{b.numerator:g}项" for b in colour.buckets) + "。")
        )
    body.append(Heading("二、图表分析"))
    charts = {c.key: c for c in cockpit.charts}
    for n, chart in enumerate(cockpit.charts, start=1):
        body.append(Heading(f"({_cn(n)}){chart.title}", 2))
        body.append(Para(CHART_MARK.format(chart.key), indent=False))
    body.append(Heading("三、单位排名(十优十差)"))
    body.append(Para(rankings.formula))
    for title, rows in (("(一)排名前列", rankings.top), ("(二)排名靠后", rankings.bottom)):
        body.append(Heading(title, 2))
        body.append(
            Table(
                ["名次", "单位", "综合得分", "较上期"],
                [[str(r.rank), r.name, f"{r.score:g}", _movement(r.movement)] for r in rows]
                or [["—", "无", "—", "—"]],
            )
        )
    if rankings.nothing_due:
        body.append(
            Para(
                "本期无到期事项、不参与排名的单位:"
                + "、".join(r.name for r in rankings.nothing_due[:30])
                + "。"
            )
        )
    body.append(Heading("四、问题清单"))
    if problems:
        body.extend(Para(f"{n}. {what}({who})") for n, (what, who) in enumerate(problems, start=1))
    else:
        body.append(Para("本期无逾期未销号任务。"))
    issuer = f"{region.name}优化营商环境工作领导小组办公室"
    data = render(
        Gongwen(
            issuer=issuer,
            number=f"{region.name}营商监〔{period.start.year}〕{(period.start.month - 1) // 3 + 1}号",
            title=f"{region.name}营商环境监测季度报告({period.label()})",
            body=body,
            issued_at=timezone.now(),
        )
    )
    return _insert_charts(data, charts)


def _insert_charts(data: bytes, charts: dict[str, Chart]) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    doc = Document(io.BytesIO(data))
    for paragraph in doc.paragraphs:
        text = paragraph.text.strip()
        for key, chart in charts.items():
            if text == CHART_MARK.format(key):
                for run in paragraph.runs:
                    run.text = ""
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.paragraph_format.line_spacing = None
                paragraph.runs[0].add_picture(io.BytesIO(chart_png(chart)), width=Mm(150))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _movement(m: int | None) -> str:
    if m is None:
        return "—"
    return f"↑{m}" if m > 0 else (f"↓{-m}" if m < 0 else "持平")


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九十"
    return digits[n] if 0 <= n <= 10 else str(n)
