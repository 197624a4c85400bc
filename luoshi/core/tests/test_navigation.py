"""The main navigation highlights exactly the entry a page belongs to."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from luoshi.core.context_processors import active_entry_url

pytestmark = pytest.mark.django_db


def test_the_nearest_entry_wins() -> None:
    urls = ["/", "/supervision/mine/", "/supervision/", "/plans/"]
    assert active_entry_url("/supervision/mine/", urls) == "/supervision/mine/"
    assert active_entry_url("/supervision/mine/workbook.xlsx", urls) == "/supervision/mine/"
    assert active_entry_url("/supervision/tasks/3/", urls) == "/supervision/"
    assert active_entry_url("/", urls) == "/"
    assert active_entry_url("/elsewhere/", urls) is None


@pytest.mark.parametrize("path", ["/supervision/mine/", "/supervision/", "/"])
def test_one_entry_is_current_on_each_page(client: Client, users: dict[str, Any], path: str) -> None:
    client.force_login(users["staff"])
    html = client.get(path).content.decode()
    current = re.findall(r'<a href="([^"]+)" class="active" aria-current="page">', html)
    assert current == [path]
