"""NUL bytes and lone surrogates never reach a service: 400 with a Chinese message, on pages and the API."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.core.sanitize import BadInput, cell, clean_text, finite_number

pytestmark = pytest.mark.django_db


def test_nul_in_a_search_answers_400_not_500(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users["staff"])
    for url in ("/api/supervision/tasks?q=%00", "/supervision/?q=a%00b", "/audit/?subject=%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "空字符" in response.content.decode()


def test_lone_surrogate_in_json_answers_400(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users["admin"])
    for body in ('{"name": "\\ud800"}', '{"name": "a\\u0000b"}'):
        response = client.post("/api/orgs/units", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "bad_characters"


def test_nul_in_a_form_field_answers_400(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users["admin"])
    response = client.post("/plans/upload/", {"year": "2026\x00"})
    assert response.status_code == 400


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_clean_text_keeps_nothing_unstorable(text: str) -> None:
    out = clean_text(text)
    assert all(ch in "\t\n\r" or ord(ch) >= 32 for ch in out)
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in out)
    out.encode("utf-8")  # always encodable
    safe = cell(text)
    assert not str(safe).startswith(("=", "+", "-", "@"))


def test_finite_number_refuses_nan_inf_and_overflow() -> None:
    for bad in ("nan", "inf", "-inf", "1e308", 1e400, "abc", None):
        with pytest.raises(BadInput):
            finite_number(bad, label="完成值")
    assert finite_number("12.5") == 12.5


def test_cells_starting_with_formula_characters_are_text() -> None:
    assert cell('=HYPERLINK("http://x","点我")') == '\'=HYPERLINK("http://x","点我")'
    assert cell("@SUM(A1)") == "'@SUM(A1)" and cell("-1+2") == "'-1+2" and cell("市发改委") == "市发改委"
    assert cell(12) == 12
