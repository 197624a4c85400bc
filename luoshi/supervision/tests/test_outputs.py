"""Documents opened and checked: the dispatch report (.docx), the ledger (.xlsx), the 督办单 (.docx)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from luoshi.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from luoshi.supervision import selectors, services
from luoshi.supervision.models import Assignment, NoticeStatus, Task
from luoshi.supervision.services import exports

pytestmark = pytest.mark.django_db


@pytest.fixture
def swept(tasks: list[Task], users: dict[str, Any], units: dict[str, Any]) -> list[Task]:
    a = Assignment.objects.get(task=tasks[0], unit=units["jm_fgw"])
    services.report_file(
        assignment=a,
        user=users["staff"],
        period_start=dt.date(2026, 5, 1),
        narrative="推进中",
        percent=40,
        problems="用地指标需市自然资源局协调",
        today=dt.date(2026, 5, 29),
    )
    services.sweep(dt.date(2026, 6, 2))
    return tasks


def _text(doc: Any) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_dispatch_docx(swept: list[Task], users: dict[str, Any]) -> None:
    data = selectors.dispatch_data(
        users["admin"], selectors.parse_period("2026-05"), today=dt.date(2026, 5, 31)
    )
    doc = Document(io.BytesIO(exports.dispatch_docx(data)))
    text = _text(doc)
    assert "调度通报(2026年5月)" in doc.paragraphs[2].text  # masthead, 发文字号, then the title
    assert "截至2026年5月31日,纳入调度的任务共2项" in text  # a past period: its last day
    assert "红灯任务(" in text and swept[1].title in text
    assert "荆门市发展和改革委员会" in text and "综合得分" in text
    assert "用地指标需市自然资源局协调" in text
    assert "未按期报送" in text


def test_ledger_xlsx(swept: list[Task], users: dict[str, Any]) -> None:
    wb = load_workbook(io.BytesIO(exports.ledger_xlsx(selectors.ledger_for_export(users["admin"]))))
    ws = wb["任务台账"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:L3"
    assert ws.column_dimensions["C"].width == 40
    assert [c.value for c in ws[1]][:3] == ["序号", "方案", "任务名称"]
    assert ws.cell(row=2, column=4).value == "荆门市发展和改革委员会"
    assert ws.cell(row=3, column=6).value == "长期坚持"
    assert ws.cell(row=2, column=8).value in ("红灯", "黄灯", "绿灯")


def test_report_command_writes_both(swept: list[Task], tmp_path: Path) -> None:
    from luoshi.cli import main

    docx_path, xlsx_path = tmp_path / "r.docx", tmp_path / "r.xlsx"
    assert main(["supervision", "report", "--period", "2026-05", "-o", str(docx_path)]) == 0
    assert (
        main(
            [
                "supervision",
                "report",
                "--period",
                "2026-05",
                "--plan",
                str(swept[0].plan_id),
                "-o",
                str(xlsx_path),
            ]
        )
        == 0
    )
    assert "调度通报" in Document(str(docx_path)).paragraphs[2].text
    assert load_workbook(xlsx_path)["任务台账"].max_row == 3
    assert main(["supervision", "report", "--period", "2026-13", "-o", str(docx_path)]) == 1
    assert main(["supervision", "report", "--period", "2026-05", "-o", str(tmp_path / "r.pdf")]) == 1


def test_dispatch_refused_to_staff(swept: list[Task], users: dict[str, Any]) -> None:
    with pytest.raises(AccessDenied):
        selectors.dispatch_data(users["staff"], selectors.parse_period("2026-05"))


def test_notice_lifecycle_and_docx(swept: list[Task], users: dict[str, Any], units: dict[str, Any]) -> None:
    today = dt.date(2026, 6, 2)
    with pytest.raises(AccessDenied):
        services.notice_issue(
            user=users["staff"],
            unit=units["jm_fgw"],
            tasks=[swept[0]],
            reply_deadline=dt.date(2026, 6, 10),
            today=today,
        )
    with pytest.raises(ValidationFailed):  # 发改委 does not hold the ongoing task
        services.notice_issue(
            user=users["admin"],
            unit=units["jm_fgw"],
            tasks=[swept[1]],
            reply_deadline=dt.date(2026, 6, 10),
            today=today,
        )
    notice = services.notice_issue(
        user=users["admin"],
        unit=units["jm_fgw"],
        tasks=[swept[0]],
        reply_deadline=dt.date(2026, 6, 10),
        requirement="请于限期内说明进展",
        today=today,
    )
    second = services.notice_issue(
        user=users["admin"],
        unit=units["jm_fgw"],
        tasks=[swept[0]],
        reply_deadline=dt.date(2026, 6, 10),
        today=today,
    )
    assert notice.number == "荆门市营商督〔2026〕1号" and second.number.endswith("2号")
    doc = Document(io.BytesIO(services.notice_docx(notice)))
    text = _text(doc)
    assert "督办单" in text and notice.number in text and swept[0].title in text
    assert "2026年6月10日" in text and "荆门市发展和改革委员会" in text
    with pytest.raises(InvalidTransition):
        services.notice_close(user=users["admin"], notice=notice)
    with pytest.raises(AccessDenied):
        services.notice_answer(user=users["staff_other"], notice=notice, answer="不是我们的")
    notice = services.notice_answer(user=users["staff"], notice=notice, answer="已召开专题会,六月底前完成")
    assert notice.status == NoticeStatus.ANSWERED
    notice = services.notice_close(user=users["admin"], notice=notice)
    assert notice.status == NoticeStatus.CLOSED
    from luoshi.notifications.models import Notification

    assert Notification.objects.filter(user=users["staff"], kind="notice").exists()


def test_scoreboard_says_no_assessed_work_and_top_bottom_never_share_a_unit() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    idle = selectors.UnitScore(1, "市档案馆", held=2)
    assert not idle.assessed and idle.score_label == "本期无考核任务"
    busy = selectors.UnitScore(2, "市发改委", held=2, due=1, done_on_time=1)
    assert busy.assessed and busy.score_label == "100.0"

    scores = st.lists(
        st.builds(
            selectors.UnitScore,
            unit_id=st.integers(1, 10_000),
            unit=st.text("甲乙丙丁", min_size=1, max_size=3),
            held=st.integers(0, 5),
            due=st.integers(0, 5),
            done_on_time=st.integers(0, 5),
            overdue=st.integers(0, 5),
            reports_expected=st.integers(0, 5),
            reports_on_time=st.integers(0, 5),
            returns=st.integers(0, 2),
        ),
        max_size=25,
        unique_by=lambda s: s.unit_id,
    )

    @settings(
        max_examples=100,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(scores)
    def check(units: list[selectors.UnitScore]) -> None:
        top, bottom = selectors.top_bottom(units)
        assert not {u.unit_id for u in top} & {u.unit_id for u in bottom}
        assert all(u.assessed for u in [*top, *bottom])
        assert len(top) <= 10 and len(bottom) <= 10

    check()


def test_dispatch_page_totals_add_up(swept: list[Task], users: dict[str, Any]) -> None:
    from django.test import Client

    client = Client()
    client.force_login(users["admin"])
    page = client.get("/supervision/report/?period=2026-05").content.decode()
    assert "截至 2026年5月31日" in page  # a past period: its last day, never a later one
    data = selectors.dispatch_data(
        users["admin"], selectors.parse_period("2026-05"), today=dt.date(2026, 5, 31)
    )
    s = data.summary
    assert s["signed_off"] + s["in_progress"] + s["requested"] + s["overdue"] == s["total"]
    response = client.get("/supervision/report/?period=2026-05&format=docx")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
