"""Policy pages and API as each role: what they show, and the refusals (403) for other departments and firms."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from luoshi.policies import services
from luoshi.policies.models import PayoutBatch, Push, RuleVersion
from luoshi.policies.tests.conftest import HIGH_TECH_CASES, HIGH_TECH_RULE


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_office_library_editor_preview_and_publish(published: dict[str, Any], users: dict[str, Any],
                                                   django_capture_on_commit_callbacks: Any) -> None:
    c = client_for(users["admin"])
    assert "荆门市支持科技创新若干政策" in c.get("/policies/library/").content.decode()
    item = published["auto"]
    page = c.get(f"/policies/items/{item.pk}/rule/").content.decode()
    assert "第三条 对新认定的高新技术企业" in page and "全部通过" in page
    checked = c.post(f"/policies/items/{item.pk}/rule/", {"rule": "all:\n  - {field: tags, op: has_tag, tag: 高新技术企业}\n",
                                                          "cases": "[]", "action": "check"}, HTTP_HX_REQUEST="true")
    assert "【条件1】具有「高新技术企业」资质" in checked.content.decode()
    bad = c.post(f"/policies/items/{item.pk}/rule/", {"rule": "all:\n  - {field: nope, op: has_tag}\n", "cases": "[]",
                                                      "action": "check"})
    assert "字段「nope」不存在" in bad.content.decode()
    saved = c.post(f"/policies/items/{item.pk}/rule/", {"rule": json.dumps(HIGH_TECH_RULE, ensure_ascii=False),
                                                        "cases": json.dumps(HIGH_TECH_CASES, ensure_ascii=False),
                                                        "action": "save"})
    v2 = RuleVersion.objects.get(item=item, number=2)
    assert saved.status_code == 302 and saved["Location"] == f"/policies/versions/{v2.pk}/preview/"
    preview = c.get(saved["Location"]).content.decode()
    assert "发布第 2 版并推送给企业" in preview
    with django_capture_on_commit_callbacks(execute=True):
        done = c.post(f"/policies/versions/{v2.pk}/publish/")
    assert done.status_code == 302
    assert Push.objects.filter(version=v2).count() == 2


def test_department_pages_are_scoped(published: dict[str, Any], users: dict[str, Any]) -> None:
    item = published["auto"]
    staff, other = client_for(users["staff"]), client_for(users["staff_other"])
    assert "高新技术企业认定奖励" in staff.get("/policies/department/").content.decode()
    assert "高新技术企业认定奖励" not in other.get("/policies/department/").content.decode()
    assert other.get(f"/policies/items/{item.pk}/").status_code == 403
    assert other.post(f"/policies/items/{item.pk}/draw/").status_code == 403
    assert staff.post(f"/policies/items/{item.pk}/draw/").status_code == 302
    batch = PayoutBatch.objects.get(item=item)
    assert other.get(f"/policies/batches/{batch.pk}/").status_code == 403
    assert staff.post(f"/policies/batches/{batch.pk}/", {"action": "check"}).status_code == 302
    staff.post(f"/policies/batches/{batch.pk}/", {"action": "confirm"})  # same person: refused with a message
    batch.refresh_from_db()
    assert batch.status == "checked"
    client_for(users["admin"]).post(f"/policies/batches/{batch.pk}/", {"action": "confirm"})
    staff.post(f"/policies/batches/{batch.pk}/", {"action": "pay"})
    batch.refresh_from_db()
    assert batch.status == "paid"
    assert staff.get(f"/policies/items/{item.pk}/rule/").status_code == 403  # departments do not write rules


def test_enterprise_sees_its_own_policies_only(published: dict[str, Any], users: dict[str, Any]) -> None:
    services.push_item(item_id=published["auto"].pk)
    mine = client_for(users["enterprise"]).get("/policies/mine/").content.decode()
    assert "高新技术企业认定奖励" in mine and "贵企业符合「高新技术企业认定奖励」" in mine
    theirs = client_for(users["enterprise_other"]).get("/policies/mine/").content.decode()
    assert "差一项" in theirs and "荆门甲科技" not in theirs
    push_a = Push.objects.get(enterprise=published["a"])
    assert client_for(users["enterprise_other"]).post(f"/policies/pushes/{push_a.pk}/",
                                                      {"action": "useful"}).status_code == 403
    assert client_for(users["enterprise"]).get("/policies/library/").status_code == 200  # public policies
    assert client_for(users["staff"]).get("/policies/mine/").status_code == 403


def test_calculator_page(published: dict[str, Any], users: dict[str, Any]) -> None:
    page = client_for(users["enterprise"]).post("/policies/calculator/", {
        "region": "420801", "credit_status": "良好", "tags": ["高新技术企业"]}).content.decode()
    assert "符合" in page and "可享受 200,000.00 元" in page


def test_api_same_services_and_refusals(published: dict[str, Any], users: dict[str, Any]) -> None:
    item = published["auto"]
    admin, other = client_for(users["admin"]), client_for(users["staff_other"])
    r = admin.post(f"/api/policies/items/{item.pk}/rule", {"rule": HIGH_TECH_RULE, "cases": HIGH_TECH_CASES},
                   content_type="application/json")
    assert r.status_code == 200, r.json()
    assert r.json()["number"] == 2 and all(c["passed"] for c in r.json()["cases"])
    v2 = r.json()["id"]
    assert admin.get(f"/api/policies/versions/{v2}/preview").json()["eligible_after"] == 1
    assert other.post(f"/api/policies/versions/{v2}/publish").status_code == 403
    assert admin.post(f"/api/policies/versions/{v2}/publish").json()["status"] == "published"
    assert other.post(f"/api/policies/items/{item.pk}/batches").status_code == 403
    staff = client_for(users["staff"])
    batch = staff.post(f"/api/policies/items/{item.pk}/batches").json()
    assert batch["lines"] == 1 and batch["status"] == "drawn"
    assert staff.post(f"/api/policies/batches/{batch['id']}/check").json()["status"] == "checked"
    same = staff.post(f"/api/policies/batches/{batch['id']}/confirm")
    assert same.status_code == 409 and "不能与初核人为同一人" in same.json()["message"]
    mine = client_for(users["enterprise"]).get("/api/policies/mine").json()
    assert mine[0]["status"] == "符合"
    assert client_for(users["staff"]).get("/api/policies/mine").status_code == 403
    calc = client_for(users["enterprise"]).post("/api/policies/calculator", {"profile": {"region": "420801"}},
                                                content_type="application/json").json()
    assert calc[0]["status"] == "待核实" and calc[0]["unknown_fields"] == ["tags", "credit_status"]
