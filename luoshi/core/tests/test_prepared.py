"""core.prepared: a queryset compiled once per connection gives the same instances as the ORM, in one query,
with new values each time (dates and datetimes adapted as the compiler does), and refuses a value that is not a
parameter of its SQL."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from luoshi.accounts.models import User
from luoshi.core.prepared import Prepared

pytestmark = pytest.mark.django_db(transaction=True)


def users_query(username: str, since: dt.datetime) -> QuerySet[User]:
    return (
        User.objects.select_related("region", "unit__region")
        .annotate(recent=Exists(User.objects.filter(pk=OuterRef("pk"), date_joined__gte=since)))
        .filter(username=username)
        .order_by()[:1]
    )


PREPARED = Prepared(users_query, username="sentinel: no such user", since=dt.datetime(1901, 2, 3, tzinfo=dt.UTC))


def test_same_instances_as_the_orm_in_one_query(users: dict[str, Any]) -> None:
    long_ago = timezone.now() - dt.timedelta(days=3650)
    for name in ("admin", "staff", "enterprise"):
        orm = users_query(name, long_ago).first()
        assert orm is not None
        PREPARED.first(username=name, since=long_ago)  # compiled on first use
        with CaptureQueriesContext(connection) as ctx:
            got = PREPARED.first(username=name, since=long_ago)
            assert got is not None
            region = got.region.name if got.region is not None else None
            unit_region = got.unit.region.name if got.unit_id else None  # type: ignore[union-attr]
        assert len(ctx.captured_queries) == 1  # the related rows came along
        assert (got.pk, got.username, got.role, got.date_joined, got.recent) == (  # type: ignore[attr-defined]
            orm.pk, orm.username, orm.role, orm.date_joined, orm.recent,  # type: ignore[attr-defined]
        )
        assert region == (orm.region.name if orm.region is not None else None)
        assert unit_region == (orm.unit.region.name if orm.unit_id else None)  # type: ignore[union-attr]
        assert got.recent is True  # type: ignore[attr-defined]
    later = timezone.now() + dt.timedelta(days=1)
    assert PREPARED.first(username="admin", since=later).recent is False  # type: ignore[union-attr]
    assert PREPARED.first(username="nobody", since=long_ago) is None


def test_each_thread_compiles_for_its_own_connection(users: dict[str, Any]) -> None:
    since = timezone.now() - dt.timedelta(days=1)
    seen: list[Any] = []

    def other() -> None:
        try:
            found = PREPARED.first(username="staff", since=since)
            seen.append(found.pk if found else None)
        finally:
            connection.close()

    PREPARED.first(username="admin", since=since)
    th = threading.Thread(target=other)
    th.start()
    th.join()
    assert seen == [users["staff"].pk]


def test_a_value_that_is_not_a_parameter_is_refused(users: dict[str, Any]) -> None:
    wrong = Prepared(lambda username: User.objects.filter(username="admin"), username="sentinel: absent")
    with pytest.raises(ValueError, match="username"):
        wrong.first(username="admin")
