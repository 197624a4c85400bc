"""The ledger export is the ledger import's format: export, open with openpyxl, import again."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from luoshi.core.errors import AccessDenied, NotFound
from luoshi.plans import selectors, services
from luoshi.plans.tests.conftest import seed_path

pytestmark = pytest.mark.django_db


def test_export_opens_in_openpyxl_and_reimports_to_the_same_ledger(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    plan = services.plan_import(seed_path("000"), region=regions["jingmen"], actor=users["admin"])
    first = plan.measures.get(seq=1)
    services.measure_update(
        measure=first,
        actor=users["admin"],
        version=1,
        changes={"co_units_text": ["市财政局"], "title": "产业链工作体系"},
    )
    content = selectors.plan_ledger_xlsx(users["admin"], plan)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    header_at = next(i for i, row in enumerate(rows) if row and "举措内容" in row)
    header = list(rows[header_at])
    body = rows[header_at + 1 :]
    assert len(body) == plan.measures.count()
    text_col, lead_col = header.index("举措内容"), header.index("牵头单位")
    assert body[0][text_col] == first.text and body[0][lead_col] == "市发改委、市经信局"

    again = services.plan_import(
        SimpleUploadedFile("任务清单.xlsx", content), region=regions["jingmen"], actor=users["admin"]
    )
    original = list(plan.measures.order_by("seq"))
    reimported = list(again.measures.order_by("seq"))
    assert [m.text for m in reimported] == [m.text for m in original]
    assert [m.lead_units_text for m in reimported] == [m.lead_units_text for m in original]
    assert [m.deadline for m in reimported] == [m.deadline for m in original]
    assert reimported[0].co_units_text == ["市财政局"] and reimported[0].title == "产业链工作体系"


@pytest.mark.parametrize(
    ("who", "error"), [("enterprise", AccessDenied), ("observer", AccessDenied), ("admin_jz", NotFound)]
)
def test_export_is_scoped(users: dict[str, Any], regions: dict[str, Any], who: str, error: type) -> None:
    plan = services.plan_import(seed_path("000"), region=regions["jingmen"], actor=users["admin"])
    with pytest.raises(error):
        selectors.plan_ledger_xlsx(users[who], plan)
