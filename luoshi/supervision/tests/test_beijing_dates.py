"""Everything shown or written is Asia/Shanghai: the clock at 23:30 UTC on 31 December is 1 January in Beijing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.test import Client

from luoshi.audit.models import AuditEvent
from luoshi.supervision import services
from luoshi.supervision.models import Task

pytestmark = pytest.mark.django_db

LATE_UTC = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)  # 2027-01-01 07:30 in Beijing


def test_notice_number_document_page_and_audit_use_the_beijing_date(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    from docx import Document

    with time_machine.travel(LATE_UTC, tick=False):
        notice = services.notice_issue(
            user=users["admin"], unit=units["jm_fgw"], tasks=[tasks[0]], reply_deadline=dt.date(2027, 1, 8)
        )
        assert notice.number == "荆门市营商督〔2027〕1号"  # the Beijing year, not 2026
        texts = [p.text for p in Document(io.BytesIO(services.notice_docx(notice))).paragraphs]
        assert "2027年1月1日" in texts and "2026年12月31日" not in texts
        client = Client()
        client.force_login(users["admin"])
        page = client.get(f"/supervision/notices/{notice.pk}/").content.decode()
        detail = client.get(f"/supervision/tasks/{tasks[0].pk}/").content.decode()
        response = client.get(f"/supervision/notices/{notice.pk}/docx/")
    assert "2027-01-01 07:30" in detail  # the audit trail on the task page, in Beijing time
    assert "2026-12-31 23:30" not in detail
    assert "荆门市营商督〔2027〕1号" in page
    event = AuditEvent.objects.get(action="notice.issued")
    assert event.at.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == dt.date(2027, 1, 1)
    from urllib.parse import unquote

    assert unquote(response["Content-Disposition"].split("UTF-8''")[1]) == "荆门市营商督〔2027〕1号.docx"


def test_django_blank_choice_is_chinese() -> None:
    from django.db.models.fields import BLANK_CHOICE_LABEL
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"


def test_import_progress_page_loads_the_progress_bar_styles(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    from luoshi.plans.models import PlanImport

    imp = PlanImport.objects.create(
        region=regions["jingmen"],
        source_name="a.docx",
        source_sha256="x",
        created_by=users["admin"],
        progress=40,
    )
    client = Client()
    client.force_login(users["admin"])
    page = client.get(f"/plans/imports/{imp.pk}/").content.decode()
    assert "plans/plans.css" in page and 'class="progress-bar' in page and 'data-progress="40"' in page
