"""Pages and API: scoping, refusals, pinned query counts on the list pages, actions through the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from luoshi.supervision import services
from luoshi.supervision.models import Task, TaskStatus

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def many(make_plan: Any, users: dict[str, Any]) -> list[Task]:
    specs = [
        {
            "text": f"第{i}项任务,年底前完成。",
            "deadline": dt.date(2026, 12, 31),
            "lead": ["jm_fgw"],
            "co": ["jm_jxj"],
        }
        for i in range(30)
    ]
    return services.tasks_sync_from_plan(
        plan=make_plan(specs), actor=users["admin"], today=dt.date(2026, 1, 5)
    )


def test_ledger_query_count_is_pinned(
    many: list[Task], users: dict[str, Any], django_assert_num_queries: Any
) -> None:
    c = client_for(users["admin"])
    c.get("/supervision/")  # warm the session
    # 10: the page's plans are read by primary key after the page (no join), the navigation's unread badge, and
    # the office's region subtree ids once (the plan and unit options filter tasks by them, not by a path join);
    # 12 with the rows' reasons (ADR 0095): the calendar's version token once per request and each region of the
    # page once, not once per row
    with django_assert_num_queries(12):
        r = c.get("/supervision/?colour=&q=第")
    assert r.status_code == 200
    assert r.content.decode().count("data-task=") == 30


def test_ledger_query_count_for_unit_staff(
    many: list[Task], users: dict[str, Any], django_assert_num_queries: Any
) -> None:
    c = client_for(users["staff"])
    c.get("/supervision/")
    # as above: plans by primary key after the page, the unread badge, the reasons' calendar token and region
    with django_assert_num_queries(11):
        r = c.get("/supervision/")
    assert r.content.decode().count("data-task=") == 30


def test_api_list_query_count(
    many: list[Task], users: dict[str, Any], django_assert_num_queries: Any
) -> None:
    c = client_for(users["leader"])
    c.get("/api/supervision/tasks")
    with django_assert_num_queries(8):  # 6 + the reasons' calendar token and region, once per request
        r = c.get("/api/supervision/tasks?page_size=20")
    assert r.json()["count"] == 30 and len(r.json()["items"]) == 20


def test_ledger_scoping(tasks: list[Task], users: dict[str, Any]) -> None:
    assert "data-task=" in client_for(users["admin"]).get("/supervision/").content.decode()
    assert "data-task=" not in client_for(users["admin_jz"]).get("/supervision/").content.decode()
    assert client_for(users["enterprise"]).get("/supervision/").status_code == 403
    assert client_for(users["admin_jz"]).get(f"/supervision/tasks/{tasks[0].pk}/").status_code == 404
    assert client_for(users["staff"]).get(f"/supervision/tasks/{tasks[1].pk}/").status_code == 404
    assert client_for(users["staff_other"]).get(f"/supervision/tasks/{tasks[1].pk}/").status_code == 200
    assert client_for(users["admin_jz"]).get(f"/api/supervision/tasks/{tasks[0].pk}").status_code == 404
    assert client_for(users["staff"]).get("/api/supervision/tasks").json()["count"] == 1


def test_filters(tasks: list[Task], users: dict[str, Any], units: dict[str, Any]) -> None:
    c = client_for(users["admin"])
    Task.objects.filter(pk=tasks[0].pk).update(colour="red")
    body = c.get("/supervision/?colour=red").content.decode()
    assert f'data-task="{tasks[0].pk}"' in body and f'data-task="{tasks[1].pk}"' not in body
    body = c.get(f"/supervision/?unit={units['jm_fgw'].pk}").content.decode()
    assert body.count("data-task=") == 1
    body = c.get("/supervision/?q=政务服务").content.decode()
    assert f'data-task="{tasks[1].pk}"' in body and body.count("data-task=") == 1
    body = c.get("/supervision/?status=overdue").content.decode()
    assert "data-task=" not in body
    htmx = c.get("/supervision/?colour=red", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in htmx and "data-task=" in htmx


def test_actions_through_pages(tasks: list[Task], users: dict[str, Any], units: dict[str, Any]) -> None:
    task = tasks[0]
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.IN_PROGRESS)
    staff = client_for(users["staff"])
    r = staff.post(
        f"/supervision/tasks/{task.pk}/action/", {"action": "request", "evidence": "已完成", "version": 1}
    )
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.SIGN_OFF_REQUESTED
    leader = client_for(users["leader"])
    r = leader.post(f"/supervision/tasks/{task.pk}/action/", {"action": "sign_off", "version": task.version})
    assert r.status_code == 403
    admin = client_for(users["admin"])
    r = admin.post(
        f"/supervision/tasks/{task.pk}/action/", {"action": "sign_off", "version": task.version - 1}
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.SIGN_OFF_REQUESTED  # stale version refused
    assert "已被他人修改" in admin.get(f"/supervision/tasks/{task.pk}/").content.decode()
    admin.post(f"/supervision/tasks/{task.pk}/action/", {"action": "sign_off", "version": task.version})
    task.refresh_from_db()
    assert task.status == TaskStatus.SIGNED_OFF


def test_issue_notice_from_page(tasks: list[Task], users: dict[str, Any], units: dict[str, Any]) -> None:
    admin = client_for(users["admin"])
    r = admin.post(
        f"/supervision/tasks/{tasks[0].pk}/notice/",
        {"unit": units["jm_fgw"].pk, "reply_deadline": "2099-01-01", "requirement": "请加快"},
    )
    assert r.status_code == 302
    notice_url = r["Location"]
    assert "督办单" in admin.get(notice_url).content.decode()
    docx = admin.get(notice_url + "docx/")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert client_for(users["staff_other"]).get(notice_url).status_code == 404
    assert (
        client_for(users["staff"])
        .post(
            f"/supervision/tasks/{tasks[0].pk}/notice/",
            {"unit": units["jm_fgw"].pk, "reply_deadline": "2099-01-01"},
        )
        .status_code
        == 403
    )


def test_scoreboard_page_and_api(tasks: list[Task], users: dict[str, Any], units: dict[str, Any]) -> None:
    services.sweep(dt.date(2026, 6, 2))
    r = client_for(users["leader"]).get("/supervision/scoreboard/?period=2026-05")
    body = r.content.decode()
    assert r.status_code == 200 and "综合得分 = 40" in body and "荆门市经济和信息化局" in body
    assert "echarts" in body and "trend-data" in body
    assert client_for(users["staff"]).get("/supervision/scoreboard/").status_code == 403
    data = client_for(users["admin"]).get("/api/supervision/scoreboard?period=2026-05").json()
    jxj = next(s for s in data if s["unit_id"] == units["jm_jxj"].pk)
    assert jxj["held"] == 2 and jxj["reports_expected"] == 2 and jxj["reports_on_time"] == 0
    assert client_for(users["enterprise"]).get("/api/supervision/sweep").status_code == 403
    assert client_for(users["admin"]).get("/api/supervision/sweep").json()["date"] == "2026-06-02"


def test_my_tasks_and_home(tasks: list[Task], users: dict[str, Any]) -> None:
    staff = client_for(users["staff"])
    body = staff.get("/supervision/mine/").content.decode()
    assert tasks[0].title[:20] in body and "待报送" in body
    home = staff.get("/").content.decode()
    assert "本期待报送进展" in home
    assert "红灯任务" in client_for(users["leader"]).get("/").content.decode()
    assert client_for(users["admin"]).get("/supervision/mine/").status_code == 403
