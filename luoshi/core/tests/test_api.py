"""The JSON API: schema at a stable URL, token and session auth, errors with a code and a Chinese message."""

from typing import Any

import pytest
from django.test import Client

from luoshi.accounts.models import ApiToken
from luoshi.accounts.services import token_create

pytestmark = pytest.mark.django_db


@pytest.mark.django_db
def test_openapi_schema_is_served(client: Client, users: dict[str, Any]) -> None:
    client.force_login(users["staff"])  # the schema needs a login
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "luoshi API"
    assert "/api/me/" in schema["paths"]


def test_token_auth(users: dict[str, Any]) -> None:
    raw = token_create(user=users["staff"], name="test")
    response = Client().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    body = response.json()
    assert (
        body["username"] == "staff" and body["role"] == "staff" and body["unit"] == "荆门市发展和改革委员会"
    )
    assert ApiToken.objects.get(user=users["staff"]).last_used_at is not None
    # only a digest is stored
    assert not ApiToken.objects.filter(digest=raw).exists()


def test_revoked_or_wrong_token_is_refused_with_code_and_chinese_message(users: dict[str, Any]) -> None:
    raw = token_create(user=users["staff"], name="test")
    ApiToken.objects.filter(user=users["staff"]).update(revoked=True)
    for header in (f"Bearer {raw}", "Bearer nonsense", None):
        headers = {"Authorization": header} if header else {}
        response = Client().get("/api/me/", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
        assert "登录" in response.json()["message"]


def test_session_auth_for_pages(client: Client, users: dict[str, Any]) -> None:
    client.force_login(users["leader"])
    assert client.get("/api/me/").json()["role"] == "leader"
