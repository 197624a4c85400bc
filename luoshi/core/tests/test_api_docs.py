"""The API docs need a login and load every asset from the platform itself (no internet, no CDN)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_docs_and_schema_need_a_login(client: Any) -> None:
    for url in ("/api/docs", "/api/openapi.json"):
        response = client.get(url)
        assert response.status_code in (302, 401, 403), url


def test_docs_load_local_assets_only(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users["staff"])
    html = client.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(not u.startswith(("http://", "https://", "//")) for u in urls), urls
    for u in urls:
        if u.endswith(".js"):
            assert client.get(u).status_code == 200, u
    assert client.get("/api/openapi.json").status_code == 200
