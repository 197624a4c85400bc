"""Rename to test_import.py when the kernel (luoshi.core.imports) is merged: it passes against the kernel branch.

Profile import through the shared importer: idempotent upserts, every bad row listed, nothing half-written,
failed credit-code checks flagged (not rejected); through the page as a department."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from luoshi.core.errors import ImportFailed
from luoshi.orgs.credit_code import make_credit_code
from luoshi.orgs.models import Enterprise
from luoshi.policies import services
from luoshi.policies.importing import read_rows
from luoshi.policies.models import EnterpriseProfile

HEADER = "统一社会信用代码,企业名称,注册地区代码,行业代码,从业人数,营业收入(万元)\r\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\r\n" for r in rows)).encode("gb18030")


def test_import_is_idempotent_and_flags_bad_check_characters(policy_setup: dict[str, Any],
                                                             users: dict[str, Any], regions: dict[str, Any]) -> None:
    good = make_credit_code(random.Random(4), "420800")
    flagged = policy_setup["a"].credit_code  # the fixture's code fails its check: imported, flagged
    data = _csv(f"{good.lower()},荆门丙新材料有限公司,t420800,C2614,45,3200", f"{flagged},,t420800,C3911,81,5100")
    rows = read_rows("画像.csv", data)
    report = services.profiles_import(actor=users["staff"], rows=rows, source="税务局", authoritative=True,
                                      as_of=services.today())
    assert (report.created, report.updated) == (1, 1)
    assert any("荆门甲科技" in f for f in report.flagged)
    new = EnterpriseProfile.objects.get(enterprise__credit_code=good)
    assert new.data["employees"] == 45 and new.provenance["employees"]["source"] == "税务局"
    again = services.profiles_import(actor=users["staff"], rows=rows, source="税务局", authoritative=True,
                                     as_of=services.today())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_bad_file_lists_every_row_and_writes_nothing(policy_setup: dict[str, Any], users: dict[str, Any]) -> None:
    before = Enterprise.objects.count()
    rows = read_rows("画像.csv", _csv(",无代码公司,t420800,C2614,1,1", "91420800MA4K00000X,新公司,999999,C2614,很多,1"))
    with pytest.raises(ImportFailed) as exc:
        services.profiles_import(actor=users["staff"], rows=rows, source="税务局", authoritative=True,
                                 as_of=services.today())
    problems = {(p["row"], p["column"]) for p in exc.value.details}
    assert {(2, "统一社会信用代码"), (3, "注册地区代码"), (3, "从业人数")} <= problems
    assert Enterprise.objects.count() == before
    with pytest.raises(Exception, match="不能更新或导入"):
        services.profiles_import(actor=users["enterprise"], rows=[], source="x", authoritative=True,
                                 as_of=services.today())


def test_import_page(policy_setup: dict[str, Any], users: dict[str, Any]) -> None:
    client = Client()
    client.force_login(users["staff"])
    good = make_credit_code(random.Random(8), "420800")
    upload = SimpleUploadedFile("画像.csv", _csv(f"{good},荆门丁科技有限公司,t420800,I6513,12,300"))
    page = client.post("/policies/profiles/import/", {"source": "人社局", "file": upload}).content.decode()
    assert "新建 1 家" in page
    client.force_login(users["enterprise"])
    assert client.get("/policies/profiles/import/").status_code == 403
