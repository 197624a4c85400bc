"""The plans JSON API: same services and scoping as the pages, refusals as {code, message}."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from luoshi.accounts.services import token_create
from luoshi.plans.models import Measure, Plan, PlanStatus
from luoshi.plans.tests.conftest import SMALL_PLAN

pytestmark = pytest.mark.django_db

ROWS: list[tuple[str, list[str], list[str]]] = [
    ("推行企业开办一网通办,企业开办时间压缩至1个工作日以内。", ["市发改委"], []),
    ("新建人才公寓500套以上。", ["市住房保障中心"], []),
]


def api(user: Any) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_create(user=user, name='test')}"})


def test_list_and_detail_are_scoped(users: dict[str, Any], make_plan: Any) -> None:
    plan = make_plan(ROWS)
    listed = api(users["admin"]).get("/api/plans/").json()
    assert [p["id"] for p in listed] == [plan.pk] and listed[0]["measure_count"] == 2
    detail = api(users["leader"]).get(f"/api/plans/{plan.pk}").json()
    assert detail["measures"][1]["unit_links"][0]["status"] == "unknown"
    assert api(users["staff"]).get("/api/plans/").json() == []  # drafts are not shown to staff
    assert api(users["admin_jz"]).get(f"/api/plans/{plan.pk}").status_code == 404
    refused = api(users["enterprise"]).get("/api/plans/")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert Client().get("/api/plans/").status_code == 401


def test_import_multipart_then_patch_with_version_and_publish(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api(users["admin"])
    response = client.post(
        "/api/plans/import",
        {"file": SimpleUploadedFile("方案.txt", SMALL_PLAN.encode()), "region": regions["jingmen"].code},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "done" and body["plan"]
    plan = Plan.objects.get(pk=body["plan"])
    empty = client.post(f"/api/plans/{plan.pk}/publish", {}, content_type="application/json")
    assert empty.status_code == 422 and "version" in empty.json()["message"]  # the lock is never skipped
    blocked = client.post(
        f"/api/plans/{plan.pk}/publish", {"version": plan.version}, content_type="application/json"
    )
    assert blocked.status_code == 409 and blocked.json()["code"] == "invalid_transition"
    for m in Measure.objects.filter(plan=plan).exclude(unresolved_units=[]):
        patched = client.patch(
            f"/api/plans/measures/{m.pk}",
            {"version": m.version, "lead_units": ["市发改委"]},
            content_type="application/json",
        )
        assert patched.status_code == 200 and patched.json()["unresolved_units"] == []
        stale = client.patch(
            f"/api/plans/measures/{m.pk}",
            {"version": m.version, "title": "x"},
            content_type="application/json",
        )
        assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    plan.refresh_from_db()
    published = client.post(
        f"/api/plans/{plan.pk}/publish", {"version": plan.version}, content_type="application/json"
    )
    assert published.status_code == 200 and published.json()["status"] == PlanStatus.PUBLISHED
    export = client.get(f"/api/plans/{plan.pk}/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_api_refusals(users: dict[str, Any], regions: dict[str, Any], make_plan: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan = make_plan(ROWS)
    m = Measure.objects.get(plan=plan, seq=1)
    leader = api(users["leader"])
    assert (
        leader.patch(
            f"/api/plans/measures/{m.pk}", {"version": 1, "title": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        leader.post(
            f"/api/plans/{plan.pk}/publish", {"version": plan.version}, content_type="application/json"
        ).status_code
        == 403
    )
    upload = leader.post(
        "/api/plans/import",
        {"file": SimpleUploadedFile("a.txt", SMALL_PLAN.encode()), "region": regions["jingmen"].code},
    )
    assert upload.status_code == 403
    bad = api(users["admin"]).post(
        "/api/plans/import",
        {"file": SimpleUploadedFile("a.txt", b"\x00\x01" * 10), "region": regions["jingmen"].code},
    )
    assert bad.status_code == 400 and bad.json()["code"] == "import_failed" and bad.json()["message"]
    assert Plan.objects.count() == 1
