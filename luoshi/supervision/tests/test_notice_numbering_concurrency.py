"""Parallel 督办单 issuing gets consecutive serials, never a duplicate (5 of 24 parallel requests answered 500)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_issuing_numbers_each_notice_once(
    tasks: list[Any], users: dict[str, Any], units: dict[str, Any]
) -> None:
    from luoshi.supervision.models import SupervisionNotice
    from luoshi.supervision.services import notice_issue

    # an in-memory SQLite test database is one shared connection: there the serial path alone is exercised
    n = 1 if connection.vendor == "sqlite" and connection.is_in_memory_db() else 12  # type: ignore[attr-defined]
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def issue(wait: bool = True) -> None:
        try:
            if wait:
                barrier.wait()
            notice_issue(
                user=users["admin"],
                unit=units["jm_fgw"],
                tasks=[tasks[0]],
                reply_deadline=dt.date(2099, 1, 1),
                today=dt.date(2026, 3, 2),
            )
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    issue(wait=False)  # one more after the rush
    assert not errors, errors
    serials = sorted(SupervisionNotice.objects.filter(year=2026).values_list("serial", flat=True))
    assert serials == list(range(1, n + 2))
