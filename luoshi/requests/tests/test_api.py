"""The intake API: 201 then 200 on retry, never a second request, even when the calls race (real threads)."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client

from luoshi.accounts.services import token_create
from luoshi.requests.models import Request

BODY: dict[str, Any] = {
    "enterprise_name": "荆门丙物流有限公司",
    "contact_name": "李四",
    "contact_phone": "13912345678",
    "title": "货车通行证办理难",
    "text": "园区内物流企业货车通行证办理周期长,请协调。",
    "channel": "hotline",
    "region_code": "t420800",
}


def post(token: str, body: dict[str, Any], key: str = "") -> Any:
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().post("/api/requests/", data=json.dumps(body), content_type="application/json", **headers)


@pytest.mark.django_db
def test_retry_returns_the_same_request(users: dict[str, Any]) -> None:
    token = token_create(user=users["admin"], name="12345")
    first = post(token, BODY, key="abc")
    again = post(token, BODY, key="abc")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["contact_phone"] == "139****5678"
    changed = post(token, {**BODY, "text": "另一件事"}, key="abc")
    assert changed.status_code == 409 and "Idempotency-Key" in changed.json()["message"]
    by_ext = post(token, {**BODY, "external_id": "GD-1"})
    by_ext2 = post(token, {**BODY, "external_id": "GD-1"})
    assert (by_ext.status_code, by_ext2.status_code) == (201, 200)
    clash = post(token, {**BODY, "external_id": "GD-1", "title": "别的"})
    assert clash.status_code == 409 and "外部工单号" in clash.json()["message"]
    assert Request.objects.count() == 2


@pytest.mark.django_db
def test_bad_credit_code_is_a_clear_400(users: dict[str, Any]) -> None:
    token = token_create(user=users["admin"], name="12345")
    response = post(token, {**BODY, "credit_code": "91420800MA00000000"})
    assert response.status_code == 400 and "位" in response.json()["message"]


@pytest.mark.django_db
def test_enterprise_cannot_read_another_firms_request(users: dict[str, Any]) -> None:
    from luoshi.requests.services import RequestInput, request_file

    req, _ = request_file(user=users["enterprise"], data=RequestInput(**{**BODY, "region_code": ""}))
    other = token_create(user=users["enterprise_other"], name="x")
    own = token_create(user=users["enterprise"], name="y")
    response = Client().get(f"/api/requests/{req.pk}", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert response.status_code == 404
    contact = Client().post(f"/api/requests/{req.pk}/contact", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert contact.status_code == 404
    mine = Client().get(f"/api/requests/{req.pk}", HTTP_AUTHORIZATION=f"Bearer {own}")
    assert mine.json()["contact_phone"] == "13912345678"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("field", ["key", "external_id"])
def test_racing_posts_file_one_request(users: dict[str, Any], field: str) -> None:
    token = token_create(user=users["admin"], name="12345")
    n = 6
    barrier = threading.Barrier(n)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    body = {**BODY, "external_id": "RACE-1"} if field == "external_id" else BODY

    retries: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            for attempt in range(50):
                try:
                    response = post(token, body, key="race" if field == "key" else "")
                    break
                except OperationalError:
                    # SQLite's shared-cache test database refuses a second writer ("table is locked") instead of
                    # waiting as a file database does; the client retries. PostgreSQL waits on the unique index.
                    retries.append(attempt)
                    time.sleep(0.05)
            results.append((response.status_code, response.json().get("id")))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    codes = sorted(code for code, _ in results)
    assert len(codes) == n and set(codes) <= {200, 201} and codes.count(201) <= 1
    assert len({pk for _, pk in results}) == 1
    assert Request.objects.count() == 1
    if connection.vendor == "postgresql":
        assert not retries and codes.count(201) == 1
