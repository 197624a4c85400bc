"""我的任务 in pages of 50: a total order (no row on two pages, none skipped), the filter kept in the pager's
links, only the user's own unit on every page, and a fixed number of queries whatever the page."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from luoshi.supervision.models import Assignment
from luoshi.supervision.tests.test_scale_queries import PAGE_QUERY_LIMIT, statements

MINE = 120  # the staff unit's open tasks in the `many` fixture (conftest)


def _rows(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-assignment="(\d+)"', html)]


def _get(client: Client, path: str) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    return resp, statements(ctx)


def test_pages_of_fifty_in_a_total_order_with_the_pager(many: dict[str, Any], users: dict[str, Any]) -> None:
    staff = Client()
    staff.force_login(users["staff"])
    staff.get("/supervision/mine/")  # warm (calendar cache, templates)
    seen: list[int] = []
    for n in (1, 2, 3):
        resp, sql = _get(staff, f"/supervision/mine/?page={n}")
        assert len(sql) <= PAGE_QUERY_LIMIT, sql
        html = resp.content.decode()
        rows = _rows(html)
        assert len(rows) == (50 if n < 3 else MINE - 100)
        assert f"第 {n} / 3 页" in html and f"共 {MINE} 项任务" in html
        assert ("下一页" in html) == (n < 3) and ("上一页" in html) == (n > 1)
        seen += rows
    # no row on two pages, none skipped, and only the unit's own assignments
    assert len(seen) == len(set(seen)) and set(seen) == many["mine"]
    # the order: still owed first, then (same period) deadline, task, key
    owed = [a for a in seen if a not in many["reported"]]
    assert seen[: len(owed)] == owed
    order = list(
        Assignment.objects.filter(pk__in=seen)
        .order_by("task__deadline", "task_id", "pk")
        .values_list("pk", flat=True)
    )
    assert owed == [a for a in order if a in owed] and seen[len(owed) :] == [a for a in order if a not in owed]
    # the same page twice is the same rows
    assert _rows(_get(staff, "/supervision/mine/?page=2")[0].content.decode()) == seen[50:100]


def test_filter_survives_paging(many: dict[str, Any], users: dict[str, Any]) -> None:
    staff = Client()
    staff.force_login(users["staff"])
    html = staff.get("/supervision/mine/?pending=1").content.decode()
    owed = MINE - len(many["reported"])
    assert f"共 {owed} 项任务" in html and "第 1 / 2 页" in html and 'name="pending" value="1" checked' in html
    assert "?pending=1&page=2" in html  # the pager's link keeps the filter
    page2 = staff.get("/supervision/mine/?pending=1&page=2").content.decode()
    assert "?pending=1&page=1" in page2 and 'value="1" checked' in page2
    rows = _rows(html) + _rows(page2)
    assert len(rows) == owed == len(set(rows)) and not set(rows) & many["reported"]
    assert set(rows) <= many["mine"]


def test_another_units_tasks_never_on_any_page(many: dict[str, Any], users: dict[str, Any]) -> None:
    other = Client()
    other.force_login(users["staff_other"])  # jm_jxj
    seen = []
    for n in (1, 2, 99):  # 99: past the end shows the last page, never someone else's rows
        html = other.get(f"/supervision/mine/?page={n}").content.decode()
        seen += _rows(html)
        assert not set(_rows(html)) & many["mine"]
    assert set(seen) == many["other"]
    assert all(Assignment.objects.get(pk=a).unit_id == users["staff_other"].unit_id for a in seen)
    admin = Client()
    admin.force_login(users["admin"])
    assert admin.get("/supervision/mine/?page=2").status_code == 403  # not unit staff: refused, no rows
