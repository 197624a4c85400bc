"""Pages and API: scoping, refusals, and a pinned query count on the ledger page."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.projects import services
from luoshi.projects.models import Milestone, Project

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_ledger_lists_scoped_projects_with_badges(
    project: Project, other_project: Project, users: dict[str, Any]
) -> None:
    page = _client(users["admin"]).get(reverse("projects:index")).content.decode()
    assert project.name in page and other_project.name in page and 'class="badge red"' in page
    staff = _client(users["staff"]).get(reverse("projects:index")).content.decode()
    assert project.name in staff and other_project.name not in staff
    assert "新建项目" not in staff
    jz = _client(users["admin_jz"]).get(reverse("projects:index")).content.decode()
    assert project.name not in jz


def test_ledger_filters(project: Project, other_project: Project, users: dict[str, Any]) -> None:
    client = _client(users["leader"])
    url = reverse("projects:index")
    assert other_project.name not in client.get(url, {"colour": "red"}).content.decode()
    assert project.name not in client.get(url, {"level": "park"}).content.decode()
    assert project.name not in client.get(url, {"q": "智能装备"}).content.decode()
    assert other_project.name in client.get(url, {"q": "智能装备"}).content.decode()


def test_ledger_forbidden_for_enterprise_and_observer(users: dict[str, Any]) -> None:
    for who in ("enterprise", "observer"):
        assert _client(users[who]).get(reverse("projects:index")).status_code == 403


def test_detail_shows_timeline_problems_and_history(project: Project, users: dict[str, Any]) -> None:
    page = _client(users["leader"]).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "2026-07-10" in page and "按时限规则" in page and "变更记录" in page and "新建项目" in page and "project.created" not in page  # the history in Chinese
    assert "保存实际日期" not in page  # leaders read only


def test_detail_of_unrelated_project_is_404_for_staff(other_project: Project, users: dict[str, Any]) -> None:
    assert _client(users["staff"]).get(reverse("projects:detail", args=[other_project.pk])).status_code == 404


def test_page_writes_refused_for_leader_and_staff(project: Project, users: dict[str, Any]) -> None:
    for who in ("leader", "staff"):
        client = _client(users[who])
        assert client.get(reverse("projects:edit", args=[project.pk])).status_code == 403
        response = client.post(
            reverse("projects:milestone_actual", args=[project.pk]),
            {"kind": "started", "actual_date": "2026-03-01", "version": project.version},
            follow=True,
        )
        text = response.content.decode()
        assert "无权" in text or "只读" in text
        assert client.get(reverse("projects:import")).status_code == 403
    assert Milestone.objects.get(project=project, kind="started").actual_date is None


def test_admin_records_milestone_and_sees_order_error(project: Project, users: dict[str, Any]) -> None:
    client = _client(users["admin"])
    url = reverse("projects:milestone_actual", args=[project.pk])
    bad = client.post(
        url, {"kind": "started", "actual_date": "2025-12-01", "version": project.version}, follow=True
    )
    assert "开工不能早于签约" in bad.content.decode()
    client.post(url, {"kind": "started", "actual_date": "2026-03-01", "version": project.version})
    assert Milestone.objects.get(project=project, kind="started").actual_date == dt.date(2026, 3, 1)
    stale = client.post(
        url, {"kind": "registered", "actual_date": "2026-04-01", "version": project.version}, follow=True
    )
    assert "已被他人修改" in stale.content.decode()


def test_admin_creates_project_through_the_form(
    users: dict[str, Any], regions: dict[str, Any], units: dict[str, Any]
) -> None:
    response = _client(users["admin"]).post(
        reverse("projects:create"),
        {
            "code": "JM-NEW-1",
            "name": "荆门新项目",
            "level": "city",
            "region": regions["jingmen"].pk,
            "investment": "1000",
            "units": [units["jm_fgw"].pk],
            "signed_planned": "2026-12-01",
        },
    )
    project = Project.objects.get(code="JM-NEW-1")
    assert response.status_code == 302 and response["Location"] == reverse(
        "projects:detail", args=[project.pk]
    )


def test_staff_resolves_problem_from_the_page(
    other_project: Project, users: dict[str, Any], units: dict[str, Any]
) -> None:
    problem = services.problem_raise(
        user=users["admin"],
        project=other_project,
        description="用水接入慢",
        unit=units["jm_fgw"],
        due=services.today() + dt.timedelta(days=5),
    )
    page = _client(users["staff"]).get(reverse("projects:detail", args=[other_project.pk])).content.decode()
    assert "办结" in page
    assert _client(users["staff_other"]).post(
        reverse("projects:problem_resolve", args=[problem.pk]), {"resolution": "x", "version": problem.version}
    ).status_code in (302, 404)
    problem.refresh_from_db()
    assert problem.status == "open"
    without_version = _client(users["staff"]).post(
        reverse("projects:problem_resolve", args=[problem.pk]), {"resolution": "已接入"}
    )
    assert without_version.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "open"  # the optimistic lock is never skipped
    _client(users["staff"]).post(
        reverse("projects:problem_resolve", args=[problem.pk]), {"resolution": "已接入", "version": problem.version}
    )
    problem.refresh_from_db()
    assert problem.status == "resolved"


def test_export_page_downloads_xlsx(project: Project, users: dict[str, Any]) -> None:
    response = _client(users["leader"]).get(reverse("projects:export"), {"colour": "red"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.active.max_row == 2  # type: ignore[union-attr]


def test_ledger_query_count_is_pinned(
    users: dict[str, Any], regions: dict[str, Any], units: dict[str, Any], django_assert_num_queries: Any
) -> None:
    services.create_projects_bulk(5, regions["jingmen"], random.Random(1), units=[units["jm_fgw"]])
    client = _client(users["admin"])
    url = reverse("projects:index")
    client.get(url)
    # session, user, the user's region, count, regions for the filter, the page of projects, their units,
    # the unread-notification badge of the navigation
    with django_assert_num_queries(8):
        client.get(url)
    services.create_projects_bulk(60, regions["jingmen"], random.Random(2), units=[units["jm_jxj"]])
    with django_assert_num_queries(8):
        assert client.get(url, {"page": 2}).status_code == 200


# --- API -----------------------------------------------------------------------------------------------
def test_api_scoping_and_refusals(
    project: Project,
    other_project: Project,
    users: dict[str, Any],
    regions: dict[str, Any],
    units: dict[str, Any],
) -> None:
    staff = _client(users["staff"]).get("/api/projects/").json()
    assert [p["code"] for p in staff["items"]] == [project.code]
    assert _client(users["staff"]).get(f"/api/projects/{other_project.pk}").status_code == 404
    assert _client(users["enterprise"]).get("/api/projects/").status_code == 403
    body = {"code": "API-1", "name": "接口项目", "region_id": regions["jingmen"].pk}
    refused = _client(users["leader"]).post("/api/projects/", body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    patch = _client(users["staff"]).patch(
        f"/api/projects/{project.pk}", {"name": "x", "version": project.version}, content_type="application/json"
    )
    assert patch.status_code == 403
    assert not Project.objects.filter(code="API-1").exists()


def test_api_admin_flow(users: dict[str, Any], regions: dict[str, Any], units: dict[str, Any]) -> None:
    client = _client(users["admin"])
    created = client.post(
        "/api/projects/",
        {
            "code": "API-2",
            "name": "接口项目",
            "region_id": regions["jingmen"].pk,
            "unit_ids": [units["jm_fgw"].pk],
            "investment": "800",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    ok = client.post(
        f"/api/projects/{pk}/milestones/signed/actual",
        {"actual_date": "2026-05-06", "version": created.json()["version"]},
        content_type="application/json",
    ).json()
    assert ok["milestones"][1]["planned_date"] == "2026-11-06"
    bad = client.post(
        f"/api/projects/{pk}/milestones/registered/actual",
        {"actual_date": "2026-05-07", "version": ok["version"]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "开工" in bad.json()["message"]
    problem = client.post(
        f"/api/projects/{pk}/problems",
        {
            "description": "环评待批",
            "unit_id": units["jm_fgw"].pk,
            "due": (services.today() + dt.timedelta(days=9)).isoformat(),
        },
        content_type="application/json",
    )
    assert problem.status_code == 201
    leader = _client(users["leader"]).post(
        f"/api/projects/problems/{problem.json()['id']}/resolve",
        {"resolution": "x", "version": problem.json()["version"]},
        content_type="application/json",
    )
    assert leader.status_code == 403
    done = _client(users["staff"]).post(
        f"/api/projects/problems/{problem.json()['id']}/resolve",
        {"resolution": "环评已批复", "version": problem.json()["version"]},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "resolved"
