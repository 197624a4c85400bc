"""Plan pages through the Django test client: who sees what, upload, inline review edits, refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from luoshi.plans.models import Measure, Plan, PlanStatus
from luoshi.plans.tests.conftest import SMALL_PLAN

pytestmark = pytest.mark.django_db

ROWS: list[tuple[str, list[str], list[str]]] = [
    ("推行企业开办一网通办,企业开办时间压缩至1个工作日以内。", ["市发改委"], []),
    ("完善重大项目审批绿色通道。实行容缺受理。", ["市经信局"], []),
    ("新建人才公寓500套以上。", ["市住房保障中心"], []),
]


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_plan_list_per_role(users: dict[str, Any], make_plan: Any) -> None:
    draft = make_plan(ROWS, title="草稿方案")
    published = make_plan(ROWS[:1], title="已发布方案")
    Plan.objects.filter(pk=published.pk).update(status=PlanStatus.PUBLISHED)
    admin_page = client_for(users["admin"]).get("/plans/").content.decode()
    assert "草稿方案" in admin_page and "已发布方案" in admin_page and "导入方案" in admin_page
    staff_page = client_for(users["staff"]).get("/plans/").content.decode()
    assert "已发布方案" in staff_page and "草稿方案" not in staff_page and "导入方案" not in staff_page
    assert "草稿方案" not in client_for(users["admin_jz"]).get("/plans/").content.decode()
    assert client_for(users["leader"]).get(f"/plans/{draft.pk}/").status_code == 200
    assert client_for(users["staff"]).get(f"/plans/{draft.pk}/").status_code == 404
    for who in ("enterprise", "observer"):
        assert client_for(users[who]).get("/plans/").status_code == 403
        assert client_for(users[who]).get(f"/plans/{published.pk}/").status_code == 403


def test_upload_page_imports_a_small_file_and_opens_the_review(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    client = client_for(users["admin"])
    assert "上传并解析" in client.get("/plans/upload/").content.decode()
    upload = SimpleUploadedFile("测试方案.txt", SMALL_PLAN.encode())
    response = client.post("/plans/upload/", {"file": upload, "region": regions["jingmen"].pk})
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'id="source"' in page and '<mark id="src-' in page
    assert "未知" in page and "市住房保障中心" in page and "确认为新单位" in page
    assert "发布为督办任务" in page


def test_upload_refusals(users: dict[str, Any], regions: dict[str, Any]) -> None:
    assert client_for(users["leader"]).get("/plans/upload/").status_code == 403
    assert client_for(users["staff"]).post("/plans/upload/", {}).status_code == 403
    client = client_for(users["admin"])
    bad = SimpleUploadedFile("坏文件.txt", b"")
    response = client.post("/plans/upload/", {"file": bad, "region": regions["jingmen"].pk})
    assert "空" in response.content.decode() and Plan.objects.count() == 0
    binary = SimpleUploadedFile("坏文件.docx", b"PK\x03\x04 not a zip")
    response = client.post("/plans/upload/", {"file": binary, "region": regions["jingmen"].pk})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    other = client.post(
        "/plans/upload/",
        {"file": SimpleUploadedFile("a.txt", SMALL_PLAN.encode()), "region": regions["jingzhou"].pk},
    )
    assert other.status_code == 200 and Plan.objects.count() == 0  # 荆州 is not offered to a 荆门 admin


def test_inline_edit_assign_and_conflict(
    users: dict[str, Any], make_plan: Any, units: dict[str, Any]
) -> None:
    plan = make_plan(ROWS)
    m = Measure.objects.get(plan=plan, seq=3)
    client = client_for(users["admin"])
    form = client.get(f"/plans/measures/{m.pk}/edit/", HTTP_HX_REQUEST="true").content.decode()
    assert 'name="text"' in form and "在光标处拆分" in form
    data = {
        "version": 1,
        "title": "",
        "text": "新建人才公寓600套以上。",
        "lead_units_text": "市发改委",
        "co_units_text": "",
        "deadline": "2025-12-31",
        "deadline_phrase": "年底前",
        "targets": "人才公寓|>=|600|套",
    }
    row = client.post(f"/plans/measures/{m.pk}/edit/", data, HTTP_HX_REQUEST="true").content.decode()
    assert "新建人才公寓600套以上" in row and "已识别" in row and "≥ 600套" in row
    m.refresh_from_db()
    assert m.version == 2 and m.targets[0]["value"] == 600
    stale = client.post(f"/plans/measures/{m.pk}/edit/", data, HTTP_HX_REQUEST="true").content.decode()
    assert "已被他人修改" in stale
    first = Measure.objects.get(plan=plan, seq=1)
    Measure.objects.filter(pk=first.pk).update(
        unit_links=[{**first.unit_links[0], "status": "unknown", "unit": None, "unit_name": ""}]
    )
    row = client.post(
        f"/plans/measures/{first.pk}/assign/",
        {"version": 1, "name": "市发改委", "role": "lead", "unit": units["jm_fgw"].name},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "已识别" in row


def test_review_writes_are_refused_to_readers(users: dict[str, Any], make_plan: Any) -> None:
    plan = make_plan(ROWS)
    m = Measure.objects.get(plan=plan, seq=1)
    for who in ("leader", "staff", "admin_jz"):
        client = client_for(users[who])
        assert client.post(f"/plans/measures/{m.pk}/edit/", {"version": 1, "text": "x"}).status_code in (
            403,
            404,
        )
        assert client.post(f"/plans/measures/{m.pk}/delete/", {"version": 1}).status_code in (403, 404)
        assert client.post(f"/plans/{plan.pk}/publish/").status_code in (403, 404)
    leader_page = client_for(users["leader"]).get(f"/plans/{plan.pk}/").content.decode()
    assert "发布为督办任务" not in leader_page and "编辑" not in leader_page
    assert Measure.objects.get(pk=m.pk).version == 1


def test_split_merge_delete_redirect_back_to_the_review(users: dict[str, Any], make_plan: Any) -> None:
    plan = make_plan(ROWS)
    client = client_for(users["admin"])
    m = Measure.objects.get(plan=plan, seq=2)
    response = client.post(f"/plans/measures/{m.pk}/split/", {"version": 1, "at": m.text.index("实行")})
    assert response.status_code == 302 and plan.measures.count() == 4
    response = client.post(f"/plans/measures/{m.pk}/merge/", {"version": 2}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == f"/plans/{plan.pk}/"
    assert plan.measures.count() == 3
    last = Measure.objects.get(plan=plan, seq=3)
    refused = client.post(
        f"/plans/measures/{last.pk}/merge/", {"version": last.version}, HTTP_HX_REQUEST="true"
    )
    assert "没有可合并的下一条" in refused.content.decode()
    client.post(f"/plans/measures/{last.pk}/delete/", {"version": last.version})
    assert plan.measures.count() == 2


def test_publish_and_confirm_unit_pages(users: dict[str, Any], make_plan: Any) -> None:
    plan = make_plan(ROWS)
    client = client_for(users["admin"])
    assert client.post(f"/plans/{plan.pk}/publish/").status_code == 400  # no version: never published
    refused = client.post(f"/plans/{plan.pk}/publish/", {"version": plan.version})
    assert refused.status_code == 409 and "未确认" in refused.content.decode()
    client.post(
        f"/plans/{plan.pk}/units/confirm/", {"name": "市住房保障中心", "full_name": "荆门市住房保障服务中心"}
    )
    plan.refresh_from_db()
    undated = client.post(f"/plans/{plan.pk}/publish/", {"version": plan.version})
    assert undated.status_code == 409 and "3 条举措未写明完成时限" in undated.content.decode()
    client.post(f"/plans/{plan.pk}/deadlines/default/")
    plan.refresh_from_db()
    response = client.post(f"/plans/{plan.pk}/publish/", {"version": plan.version})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    staff_page = client_for(users["staff"]).get(f"/plans/{plan.pk}/").content.decode()
    assert "本单位" in staff_page  # 市发改委 leads measure 1


def test_import_progress_fragment_redirects_when_done(
    users: dict[str, Any], regions: dict[str, Any], small_plan_file: Path
) -> None:
    from luoshi.plans.services import plan_import_start

    imp = plan_import_start(small_plan_file, region=regions["jingmen"], actor=users["admin"])
    client = client_for(users["admin"])
    assert "解析完成" in client.get(f"/plans/imports/{imp.pk}/").content.decode()
    fragment = client.get(f"/plans/imports/{imp.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment["HX-Redirect"] == f"/plans/{imp.plan_id}/"
    assert client_for(users["leader"]).get(f"/plans/imports/{imp.pk}/").status_code == 403


def test_review_page_shows_the_audit_history(users: dict[str, Any], make_plan: Any) -> None:
    from luoshi.plans import services

    plan = make_plan(ROWS)
    measure = plan.measures.get(seq=1)
    services.measure_update(
        measure=measure,
        actor=users["admin"],
        version=measure.version,
        changes={"text": "推行企业开办一网通办。"},
    )
    html = client_for(users["admin"]).get(f"/plans/{plan.pk}/").content.decode()
    assert "变更记录" in html and "修改举措" in html and "plan.measure_updated" not in html  # in Chinese


def test_review_page_says_why_and_lists_the_measures_to_check_first(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    client = client_for(users["admin"])
    upload = SimpleUploadedFile("测试方案.txt", SMALL_PLAN.encode())
    client.post("/plans/upload/", {"file": upload, "region": regions["jingmen"].pk})
    plan = Plan.objects.get()
    measures = list(plan.measures.order_by("seq"))
    assert all(m.reasons for m in measures)
    assert {r["field"] for r in measures[0].reasons} >= {"section", "text"}
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert page.count("<summary>为什么") == len(measures)
    assert "请核对" in page
    # measures with something to check come first, each group in document order
    import re

    from luoshi.plans.selectors import review_checks

    shown = [int(x) for x in re.findall(r'<article class="measure[^"]*" id="m-(\d+)"', page)]
    by_pk = {m.pk: m for m in measures}
    flags = [bool(review_checks(by_pk[pk])) for pk in shown]
    assert any(flags) and not all(flags)
    assert flags == sorted(flags, reverse=True)
    unknown = next(m for m in measures if "市住房保障中心" in m.lead_units_text)
    assert review_checks(unknown) and shown.index(unknown.pk) < flags.count(True)
