"""No framework page reaches a user: 403, 404, 500 and a failed CSRF check render the platform's own Chinese pages
(in its layout, with a way back), with DEBUG off; under /api/ they answer JSON with a Chinese message."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

FRAMEWORK_MARKS = (
    "Not Found",
    "Server Error",
    "Forbidden",
    "CSRF verification failed",
    "Page not found",
    "DEBUG",
)


@pytest.fixture(autouse=True)
def _urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "luoshi.core.tests.error_urls"
    settings.DEBUG = False


def _assert_platform_page(response: Any, status: int, *words: str) -> str:
    assert response.status_code == status
    html: str = response.content.decode()
    assert "营商环境行动方案落实平台" in html  # the platform's layout
    assert "回到首页" in html  # a way back
    for word in words:
        assert word in html, word
    for mark in FRAMEWORK_MARKS:
        assert mark not in html, mark
    return html


def test_404_page_is_chinese_in_the_layout(client: Client, users: dict[str, Any]) -> None:
    client.force_login(users["staff"])
    html = _assert_platform_page(client.get("/no-such-page/"), 404, "页面不存在", "未找到您要访问的页面")
    assert "主导航" in html  # signed-in users keep their navigation


def test_404_page_for_anonymous_visitors(client: Client) -> None:
    _assert_platform_page(client.get("/no-such-page/"), 404, "页面不存在")


def test_403_page(client: Client, users: dict[str, Any]) -> None:
    client.force_login(users["staff"])
    _assert_platform_page(client.get("/test-errors/forbidden/"), 403, "无权访问", "返回上一页")


def test_500_page_without_framework_traceback(users: dict[str, Any]) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(users["staff"])
    html = _assert_platform_page(client.get("/test-errors/boom/"), 500, "系统错误", "请稍后重试")
    assert "a bug on purpose" not in html and "Traceback" not in html


def test_csrf_failure_page_says_what_to_do(users: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/",
        {"username": "staff", "password": TEST_PASSWORD},
        HTTP_REFERER="http://testserver/accounts/login/",
    )
    html = _assert_platform_page(response, 403, "页面已过期", "暂存在本浏览器中", "重新登录")
    assert 'href="http://testserver/accounts/login/"' in html  # back to the form


def test_csrf_failure_of_a_signed_in_form(users: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["admin"])
    response = client.post("/accounts/logout/", {})
    _assert_platform_page(response, 403, "页面已过期", "返回原页面")


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/no-such-endpoint/", 404, "not_found"),
        ("/api/test-errors/forbidden/", 403, "forbidden"),
        ("/api/test-errors/boom/", 500, "server_error"),
    ],
)
def test_api_answers_json_in_chinese(users: dict[str, Any], path: str, status: int, code: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(users["admin"])
    response = client.get(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body


def test_api_csrf_failure_is_json_in_chinese(users: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["staff"])
    response = client.post("/api/requests/", data="{}", content_type="application/json")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "csrf_failed" and "安全校验" in body["message"]


def test_api_object_not_found_is_chinese(users: dict[str, Any]) -> None:
    client = Client()
    client.force_login(users["admin"])
    body = client.get("/api/supervision/tasks/999999").json()
    assert body["code"] == "not_found" and "Not Found" not in body["message"]
