"""The /api/orgs/ endpoints: same scoping as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from luoshi.audit.models import AuditEvent
from luoshi.orgs.models import UnitAlias


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_regions_and_units(users: dict[str, Any], units: dict[str, Any]) -> None:
    client = _client(users["leader"])
    regions = client.get("/api/orgs/regions").json()
    assert {r["code"] for r in regions} == {"t420000", "t420800"}
    found = client.get("/api/orgs/units", {"q": "发改"}).json()
    assert [u["name"] for u in found] == ["荆门市发展和改革委员会"]
    assert found[0]["aliases"] == ["市发改委"]


def test_resolve(users: dict[str, Any], units: dict[str, Any]) -> None:
    client = _client(users["admin"])
    body = client.get("/api/orgs/resolve", {"name": "市发改委等", "region": "t420800"}).json()
    assert body["status"] == "resolved" and body["unit"]["name"] == "荆门市发展和改革委员会"
    body = client.get("/api/orgs/resolve", {"name": "市城管委", "region": "t420800"}).json()
    assert body["status"] == "unknown" and body["unit"] is None
    response = client.get("/api/orgs/resolve", {"name": "市发改委", "region": "t421000"})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


@pytest.mark.parametrize("who", ["staff", "enterprise", "observer"])
def test_api_refuses_other_roles(who: str, users: dict[str, Any], units: dict[str, Any]) -> None:
    client = _client(users[who])
    for url in ("/api/orgs/regions", "/api/orgs/units", f"/api/orgs/units/{units['jm_fgw'].pk}"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "forbidden" and "无权" in response.json()["message"]


def test_api_requires_authentication(db: Any) -> None:
    assert Client().get("/api/orgs/regions").status_code == 401


def test_admin_adds_alias_and_leader_is_refused(users: dict[str, Any], units: dict[str, Any]) -> None:
    unit = units["jm_fgw"]
    url = f"/api/orgs/units/{unit.pk}/aliases"
    response = _client(users["leader"]).post(url, {"alias": "发改"}, content_type="application/json")
    assert response.status_code == 403
    response = _client(users["admin"]).post(url, {"alias": "发改"}, content_type="application/json")
    assert response.status_code == 200 and "发改" in response.json()["aliases"]
    assert UnitAlias.objects.filter(unit=unit, alias="发改").exists()
    assert AuditEvent.objects.get(action="unit.alias_added").interface == "api"


def test_confirm_endpoint(users: dict[str, Any], units: dict[str, Any]) -> None:
    response = _client(users["admin"]).post(
        "/api/orgs/confirm",
        {"name": "市审批局", "region": "t420800", "full_name": "荆门市行政审批局"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["name"] == "荆门市行政审批局" and response.json()["verified"] is True
    response = _client(users["admin_jz"]).post(
        "/api/orgs/confirm", {"name": "市数据局", "region": "t420800"}, content_type="application/json"
    )
    assert response.status_code == 403
