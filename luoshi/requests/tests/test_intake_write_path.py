"""The lean intake path (ADR 0110): one API intake is four SQL statements (the token, the request inserted with
ON CONFLICT DO NOTHING, its metrics delta, its audit event), the office is told by a coalesced background job
after the commit, and that job notifies each office account exactly once however often it runs. The time an intake
takes is measured by bench/requests.py, never asserted here."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from luoshi.accounts.services import token_create
from luoshi.audit.models import AuditEvent
from luoshi.notifications.models import Notification
from luoshi.requests.models import MetricsDelta, Request

pytestmark = pytest.mark.django_db

INTAKE_QUERY_LIMIT = 4  # token, INSERT ... ON CONFLICT DO NOTHING RETURNING, metrics delta, audit event
JOB_QUERY_LIMIT = 5  # the pending requests (locked), the office accounts' regions and recipients, the rows, the flag
CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")

BODY: dict[str, Any] = {
    "enterprise_name": "荆门丙物流有限公司",
    "contact_name": "李四",
    "contact_phone": "13912345678",
    "title": "货车通行证办理难",
    "text": "园区内物流企业货车通行证办理周期长,请协调。",
    "channel": "hotline",
    "region_code": "t420800",
}


def statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith(CONTROL)]


def post(client: Client, token: str, body: dict[str, Any], key: str) -> Any:
    return client.post(
        "/api/requests/",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def office_told(req: Request) -> list[tuple[int, str]]:
    return sorted(
        Notification.objects.filter(kind="request.filed", subject_id=str(req.pk)).values_list("user_id", "channel")
    )


def test_one_api_intake_is_four_statements_and_its_notification_a_job(
    users: dict[str, Any], national_admin: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = Client()
    token = token_create(user=users["admin"], name="12345")
    with django_capture_on_commit_callbacks(execute=True):  # warm: region cache, content types, URL resolver
        assert post(client, token, {**BODY, "title": "预热"}, key="warm").status_code == 201
    deltas = MetricsDelta.objects.count()
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks() as callbacks:
        response = post(client, token, BODY, key="k-1")
    assert response.status_code == 201, response.content
    sql = statements(ctx)
    assert len(sql) <= INTAKE_QUERY_LIMIT, "\n".join(sql)
    req = Request.objects.get(pk=response.json()["id"])
    assert not office_told(req)  # not inline: after the commit, as a job
    assert AuditEvent.objects.filter(action="request.filed", subject_id=str(req.pk)).count() == 1
    assert MetricsDelta.objects.count() == deltas + 1  # the metrics roll-up still follows the new request
    assert len(callbacks) == 1 and req.office_pending
    with CaptureQueriesContext(connection) as job_ctx:
        callbacks[0]()  # huey runs jobs immediately in tests: the coalesced job itself
    assert len(statements(job_ctx)) <= JOB_QUERY_LIMIT, "\n".join(statements(job_ctx))
    # the office of 荆门 and of 湖北 above it, in-app (no e-mail address on these accounts); not 荆州's
    expected = sorted((u.pk, "in_app") for u in (users["admin"], national_admin))
    assert office_told(req) == expected
    req.refresh_from_db()
    assert not req.office_pending


def test_one_run_tells_the_office_of_every_pending_request_in_a_fixed_number_of_statements(
    users: dict[str, Any], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from luoshi.notifications.services import subject_type_id
    from luoshi.requests.notify import office_of_new

    client = Client()
    token = token_create(user=users["admin"], name="12345")
    tokens = [token, token_create(user=users["admin_jz"], name="12345")]
    bodies = [BODY, {**BODY, "region_code": "t421000"}]  # 荆门, and 荆州 by its own office
    with django_capture_on_commit_callbacks():  # the jobs are not run: the requests stay pending
        filed = [
            post(client, tokens[i % 2], {**bodies[i % 2], "title": f"诉求{i}"}, key=f"b-{i}") for i in range(6)
        ]
    assert all(r.status_code == 201 for r in filed), [r.content for r in filed]
    subject_type_id(Request)  # the content type, cached after its first read (steady state)
    with CaptureQueriesContext(connection) as ctx:
        created = office_of_new()
    assert created == 6 and len(statements(ctx)) <= JOB_QUERY_LIMIT, "\n".join(statements(ctx))
    for i, response in enumerate(filed):
        req = Request.objects.get(pk=response.json()["id"])
        office = users["admin"] if i % 2 == 0 else users["admin_jz"]
        assert office_told(req) == [(office.pk, "in_app")]  # each region's own office, nobody else's
    assert office_of_new() == 0


def test_the_office_is_told_once_however_often_the_job_runs_or_the_client_retries(
    users: dict[str, Any], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from luoshi.requests.tasks import notify_office_of_new

    users["admin"].email = "office@example.cn"
    users["admin"].save(update_fields=["email"])
    client = Client()
    token = token_create(user=users["admin"], name="12345")
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, token, BODY, key="once")
    with django_capture_on_commit_callbacks(execute=True) as again_callbacks:
        again = post(client, token, BODY, key="once")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again_callbacks == []  # a retry answered with the stored request queues nothing
    req = Request.objects.get(pk=first.json()["id"])
    told = office_told(req)
    assert told == [(users["admin"].pk, "email"), (users["admin"].pk, "in_app")]
    # the job retried by huey or run again by its periodic safety net: nothing pending, nothing created
    assert notify_office_of_new.call_local() == 0
    # a save that wrote the flag back (loaded before the job cleared it): the event key still holds
    Request.objects.filter(pk=req.pk).update(office_pending=True)
    assert notify_office_of_new.call_local() == 0
    assert office_told(req) == told
    assert not Request.objects.get(pk=req.pk).office_pending
    assert Notification.objects.filter(kind="request.filed").count() == 2
    assert AuditEvent.objects.filter(action="request.filed", subject_id=str(req.pk)).count() == 1


def test_a_region_created_after_a_miss_is_found(users: dict[str, Any]) -> None:
    """The per-process region cache keeps no miss, and a region saved in this process clears it."""
    from luoshi.directory.services import region_create
    from luoshi.orgs.models import RegionLevel
    from luoshi.requests.services.intake import region_by_code

    assert region_by_code("t-new") is None
    region = region_create(code="t-new", name="新区", level=RegionLevel.COUNTY, parent=users["admin"].region)
    assert region_by_code("t-new") == region
    region.name = "新区二"
    region.save(update_fields=["name"])
    found = region_by_code("t-new")
    assert found is not None and found.name == "新区二"
