"""No input answers 500 (issue 15): numbers, dates, pages/limits and ids out of range, and a missing or non-numeric
optimistic-lock version, through the real API and pages. One property test per family (hypothesis); the bounds
themselves live once in luoshi/core/bounds.py. Runs on SQLite and PostgreSQL alike (the lead runs both)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

HUGE_INTS = st.one_of(
    st.integers(min_value=2**63 - 10, max_value=2**80),
    st.integers(max_value=-1, min_value=-(2**80)),
    st.sampled_from([0, -1, -5, 2**63, -(2**63) - 1, 10**20]),
)
BAD_NUMBERS = st.sampled_from(["nan", "NaN", "inf", "-inf", "Infinity", "1e308", "-1e308", "1e400", "1e13"])
BAD_MONTHS = st.one_of(
    st.sampled_from(["0001-01", "9999-12", "0000-01", "10000-01", "2026-13", "-1-01", "2026-00", "abc"]),
    st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1, 1899) | st.integers(2200, 9999), st.integers(1, 12)),
)


def _ok_or_refused(response: Any, *allowed: int) -> None:
    assert response.status_code in (allowed or (400, 404, 422)), (response.status_code, response.content[:300])
    if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
        body = response.json()
        assert body["message"] and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


# --- numbers -------------------------------------------------------------------------------------------------
@FUZZ
@given(value=BAD_NUMBERS)
def test_a_non_finite_or_overflowing_target_actual_is_refused(
    value: str, client: Any, users: dict[str, Any], tasks: list[Any]
) -> None:
    from luoshi.supervision.models import Assignment, ProgressReport

    task = tasks[0]
    assignment = Assignment.objects.get(task=task, unit=users["staff"].unit)
    client.force_login(users["staff"])
    body = {
        "assignment_id": assignment.pk,
        "period_start": "2026-01-01",
        "narrative": "进展",
        "percent": 10,
        "actuals": {"新增返乡创业": value},
    }
    response = client.post(f"/api/supervision/tasks/{task.pk}/reports", json.dumps(body), "application/json")
    _ok_or_refused(response, 400, 422)
    # as a bare JSON number too (Python's json writes NaN / Infinity)
    body["actuals"] = {"新增返乡创业": float(value)}
    response = client.post(f"/api/supervision/tasks/{task.pk}/reports", json.dumps(body), "application/json")
    _ok_or_refused(response, 400, 422)
    # and through the page
    response = client.post(
        f"/supervision/tasks/{task.pk}/report/",
        {"assignment": assignment.pk, "period_start": "2026-01-01", "narrative": "进展", "percent": "10",
         "actual_0": value},
    )
    assert response.status_code in (302, 400)
    assert not ProgressReport.objects.filter(task=task).exists()


# --- dates ---------------------------------------------------------------------------------------------------
@FUZZ
@given(period=BAD_MONTHS)
def test_a_period_out_of_range_is_refused(period: str, client: Any, users: dict[str, Any]) -> None:
    client.force_login(users["admin"])
    _ok_or_refused(client.get("/api/supervision/scoreboard", {"period": period}), 400, 422)
    _ok_or_refused(client.get("/api/dashboard/figures", {"period": period}), 400, 422)
    for url in ("/supervision/scoreboard/", "/supervision/report/", "/dashboard/"):
        assert client.get(url, {"period": period}).status_code in (200, 400), (url, period)


@FUZZ
@given(start=st.sampled_from(["9999-12-01", "0001-01-01", "9999-12-31", "2200-01-01", "1899-12-01"]))
def test_a_report_period_out_of_range_is_refused(
    start: str, client: Any, users: dict[str, Any], tasks: list[Any]
) -> None:
    from luoshi.supervision.models import Assignment

    task = tasks[0]
    assignment = Assignment.objects.get(task=task, unit=users["staff"].unit)
    client.force_login(users["staff"])
    body = {"assignment_id": assignment.pk, "period_start": start, "narrative": "进展", "percent": 10}
    response = client.post(f"/api/supervision/tasks/{task.pk}/reports", json.dumps(body), "application/json")
    _ok_or_refused(response, 400, 422)
    response = client.post(
        f"/supervision/tasks/{task.pk}/report/",
        {"assignment": assignment.pk, "period_start": start, "narrative": "进展", "percent": "10"},
    )
    assert response.status_code in (302, 400)


def test_the_service_refuses_a_period_past_the_calendar(users: dict[str, Any], tasks: list[Any]) -> None:
    from luoshi.core.errors import ValidationFailed
    from luoshi.supervision.models import Assignment
    from luoshi.supervision.services import report_file

    assignment = Assignment.objects.get(task=tasks[0], unit=users["staff"].unit)
    with pytest.raises(ValidationFailed, match="超出允许范围"):
        report_file(
            assignment=assignment, user=users["staff"], period_start=dt.date(9999, 12, 1), narrative="x",
            percent=1, actuals={}, problems="", files=[], today=dt.date(9999, 12, 31),
        )


# --- pages, limits, offsets ----------------------------------------------------------------------------------
@FUZZ
@given(n=HUGE_INTS)
def test_huge_or_negative_pages_and_limits_never_answer_500(n: int, client: Any, users: dict[str, Any]) -> None:
    client.force_login(users["admin"])
    for url, params in (
        ("/api/supervision/tasks", {"page": n}),
        ("/api/supervision/tasks", {"page_size": n}),
        ("/api/projects/", {"page": n, "page_size": n}),
        ("/api/requests/", {"page": n}),
        ("/api/orgs/units", {"limit": n, "offset": n}),
        ("/api/plans/", {"limit": n, "offset": n}),
    ):
        _ok_or_refused(client.get(url, params), 422)
    for url in ("/supervision/", "/plans/", "/projects/", "/audit/", "/notifications/", "/supervision/notices/"):
        assert client.get(url, {"page": n}).status_code == 200, url


def test_the_literal_probe_values(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users["admin"])
    assert client.get("/api/supervision/tasks?page=99999999999999999999").status_code == 422
    assert client.get("/api/orgs/units?limit=-5&offset=-5").status_code == 422
    assert client.get("/supervision/?page=99999999999999999999").status_code == 200


# --- ids -----------------------------------------------------------------------------------------------------
@FUZZ
@given(n=HUGE_INTS)
def test_ids_out_of_range_are_refused_before_the_permission_check(
    n: int, client: Any, users: dict[str, Any]
) -> None:
    # the enterprise user may not touch tasks or projects at all: a bad id still answers 422, not 403 or 500
    client.force_login(users["enterprise"])
    if n >= 0:  # a path segment cannot hold a minus sign: those never route
        _ok_or_refused(client.get(f"/api/supervision/tasks/{n}"), 404, 422)
    body = {"region_id": users["admin"].region_id, "code": "X1", "name": "项目", "unit_ids": [1, n]}
    response = client.post("/api/projects/", json.dumps(body), "application/json")
    in_range = 1 <= n < 2**63
    assert response.status_code in ((400, 403, 404) if in_range else (422,)), response.content[:300]
    client.force_login(users["admin"])
    _ok_or_refused(client.get("/api/supervision/tasks", {"plan": n, "unit": n}), *((200,) if in_range else (422,)))
    assert client.get("/supervision/", {"plan": n, "unit": n}).status_code == 200
    assert client.post("/notifications/", {"id": [str(n)]}).status_code in (200, 302)


def test_an_id_list_holding_minus_2_pow_63_minus_1_is_refused_before_the_permission_check(
    client: Any, users: dict[str, Any]
) -> None:
    client.force_login(users["observer"])
    body = {"region_id": 1, "code": "X1", "name": "项目", "unit_ids": [-9223372036854775809]}
    response = client.post("/api/projects/", json.dumps(body), "application/json")
    assert response.status_code == 422
    assert "unit_ids" in response.json()["message"]


# --- the optimistic lock's version ---------------------------------------------------------------------------
@pytest.mark.parametrize("version", [None, "abc", "", "1.5", "-1", "99999999999999999999"])
def test_sign_off_without_a_valid_version_is_refused(
    version: str | None, client: Any, users: dict[str, Any], tasks: list[Any]
) -> None:
    from luoshi.supervision.models import Task

    task = tasks[0]
    before = Task.objects.get(pk=task.pk)
    client.force_login(users["staff"])  # the lead unit: allowed to start the task, given a version
    data = {"action": "start"} | ({} if version is None else {"version": version})
    response = client.post(f"/supervision/tasks/{task.pk}/action/", data)
    assert response.status_code in (302, 400)
    after = Task.objects.get(pk=task.pk)
    assert (after.status, after.version) == (before.status, before.version)
    body: dict[str, Any] = {"to": "in_progress"} | ({} if version is None else {"version": version})
    response = client.post(f"/api/supervision/tasks/{task.pk}/transition", json.dumps(body), "application/json")
    assert response.status_code == 422
    assert "version" in response.json()["message"]
    assert Task.objects.get(pk=task.pk).version == before.version
    # the control: with the version it goes through
    client.post(f"/supervision/tasks/{task.pk}/action/", {"action": "start", "version": before.version})
    assert Task.objects.get(pk=task.pk).status == "in_progress"


def test_services_require_the_version_from_pages_and_the_api_only(users: dict[str, Any], tasks: list[Any]) -> None:
    from luoshi.core.errors import ValidationFailed
    from luoshi.core.interface import Interface, interface
    from luoshi.supervision.services import task_transition

    task = tasks[0]
    for kind in (Interface.PAGE, Interface.API):
        with interface(kind), pytest.raises(ValidationFailed, match="版本号"):
            task_transition(task=task, to="in_progress", user=users["staff"], expected_version=None)
    with interface(Interface.JOB):  # a job holds the row it just read
        assert task_transition(task=task, to="in_progress", user=users["staff"]).status == "in_progress"


def test_plan_publish_without_a_version_is_refused(client: Any, users: dict[str, Any], regions: dict[str, Any]) -> None:
    from luoshi.plans.models import Plan, PlanStatus

    plan = Plan.objects.create(region=regions["jingmen"], title="草稿方案", status=PlanStatus.DRAFT)
    client.force_login(users["admin"])
    for data in ({}, {"version": "abc"}):
        client.post(f"/plans/{plan.pk}/publish/", data)
        assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    for body in ("", "{}", '{"version": "abc"}'):
        response = client.post(f"/api/plans/{plan.pk}/publish", body, "application/json")
        assert response.status_code == 422, body
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
