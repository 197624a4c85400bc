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


# --- PreparedInsert (ADR 0130) ---------------------------------------------------------------------------------
def _event(actor: User | None, n: int) -> Any:
    from luoshi.audit.models import AuditEvent

    return AuditEvent(
        actor_id=actor.pk if actor else None,
        actor_label=actor.get_username() if actor else "系统",
        interface="api",
        action="test.prepared",
        subject_type="accounts.user",
        subject_id=str(n),
        subject_label=f"第{n}条",
        after={"n": n, "文字": "中文", "when": "2026-12-04"},
        reason="测试",
    )


def test_a_prepared_insert_stores_what_save_stores_in_one_statement(users: dict[str, Any]) -> None:
    from django.db.models.signals import post_save, pre_save

    from luoshi.audit.models import AuditEvent
    from luoshi.core.prepared import PreparedInsert

    insert = PreparedInsert(AuditEvent)
    seen: list[tuple[str, Any]] = []

    def pre(sender: Any, instance: Any, **kw: Any) -> None:
        seen.append(("pre", instance.pk))

    def post(sender: Any, instance: Any, created: bool, **kw: Any) -> None:
        seen.append(("post", (instance.pk, created)))

    pre_save.connect(pre, sender=AuditEvent)
    post_save.connect(post, sender=AuditEvent)
    try:
        by_save = _event(users["admin"], 1)
        by_save.save(force_insert=True)
        first = _event(users["admin"], 2)
        assert insert.insert(first) is True
        compiled = insert._local.compiled
        with CaptureQueriesContext(connection) as ctx:
            second = _event(None, 3)
            assert insert.insert(second) is True
        assert insert._local.compiled is compiled  # compiled once for this connection
    finally:
        pre_save.disconnect(pre, sender=AuditEvent)
        post_save.disconnect(post, sender=AuditEvent)
    assert len(ctx.captured_queries) == 1 and ctx.captured_queries[0]["sql"].lstrip().upper().startswith("INSERT")
    assert seen[-2:] == [("pre", None), ("post", (second.pk, True))]
    assert first.pk and second.pk and second.pk != first.pk and not second._state.adding
    columns = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname not in ("id", "at", "subject_id")]
    stored = {e.subject_id: e for e in AuditEvent.objects.filter(action="test.prepared")}
    assert {k: getattr(stored["2"], k) for k in columns} == {
        **{k: getattr(stored["1"], k) for k in columns},
        "subject_label": "第2条",
        "after": {"n": 2, "文字": "中文", "when": "2026-12-04"},
    }
    assert stored["3"].actor_id is None and stored["3"].actor_label == "系统"
    assert stored["2"].at == first.at  # the default computed in Python, stored as given


def test_a_prepared_insert_ignoring_conflicts_says_when_a_unique_constraint_held_the_row() -> None:
    from luoshi.core.prepared import PreparedInsert
    from luoshi.orgs.models import Region

    insert = PreparedInsert(Region, ignore_conflicts=True)
    new = Region(code="t-prepared", name="预备市", level="city")
    assert insert.insert(new) is True and new.pk
    again = Region(code="t-prepared", name="另一个", level="city")
    assert insert.insert(again) is False and again.pk is None and again._state.adding
    assert list(Region.objects.filter(code="t-prepared").values_list("name", flat=True)) == ["预备市"]


def test_an_expression_value_goes_through_django_and_is_stored() -> None:
    from django.db.models import Value
    from django.db.models.functions import Upper

    from luoshi.core.prepared import PreparedInsert
    from luoshi.orgs.models import Region

    insert = PreparedInsert(Region)
    assert insert.insert(Region(code="t-plain", name="甲", level="city")) is True
    expressed = Region(code="t-expr", name=Upper(Value("abc")), level="city")
    assert insert.insert(expressed) is True and expressed.pk
    assert Region.objects.get(code="t-expr").name == "ABC"


# --- server-side prepared statements (ADR 0142) and update_row --------------------------------------------------
def _server_prepared(fragment: str) -> list[str]:
    with connection.cursor() as c:
        c.execute("SELECT statement FROM pg_prepared_statements")
        return [r[0] for r in c.fetchall() if fragment in r[0]]


def test_statements_are_prepared_on_postgresql_and_logged_as_django_logs_them(users: dict[str, Any]) -> None:
    """On PostgreSQL `cursor()` prepares each statement once per connection (it is in pg_prepared_statements
    after one call, and a second call prepares nothing new); CaptureQueriesContext sees it with its values, as
    it sees Django's own statements. Elsewhere it is Django's cursor."""
    from luoshi.core import prepared

    since = timezone.now() - dt.timedelta(days=1)
    with CaptureQueriesContext(connection) as ctx:
        PREPARED.first(username="staff", since=since)
    sql = ctx.captured_queries[-1]["sql"]
    assert sql.startswith("SELECT") and "'staff'" in sql, sql
    if connection.vendor != "postgresql":
        return
    assert len(_server_prepared('FROM "accounts_user"')) == 1
    PREPARED.first(username="admin", since=since)
    assert len(_server_prepared('FROM "accounts_user"')) == 1  # the same statement, run again
    with prepared.cursor() as c:
        c.execute("SELECT %s::int + 1 AS luoshi_prepared_probe", [41])
        assert c.fetchone()[0] == 42
    assert _server_prepared("luoshi_prepared_probe")


def test_with_prepared_off_statements_are_not_prepared(users: dict[str, Any], settings: Any) -> None:
    """LUOSHI_DB_PREPARED=0 (behind a transaction-mode pooler): Django's ordinary cursor, nothing prepared."""
    from luoshi.core import prepared

    settings.LUOSHI_DB_PREPARED = False
    with prepared.cursor() as c:
        c.execute("SELECT %s + 1 AS luoshi_unprepared_probe", [41])
        assert c.fetchone()[0] == 42
    if connection.vendor == "postgresql":
        assert not _server_prepared("luoshi_unprepared_probe")


def test_update_row_changes_what_update_changes_in_one_statement(users: dict[str, Any]) -> None:
    """`update_row` stores what `filter(pk=…).update(…)` stores (a date, text, a boolean; no signals, no
    auto_now), in one statement; an expression goes through Django's update() and is stored too."""
    from django.db.models import F

    from luoshi.core.prepared import update_row

    staff = users["staff"]
    joined = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    update_row(User, staff.pk, {"first_name": "甲", "is_active": True})  # compiled on first use
    with CaptureQueriesContext(connection) as ctx:
        n = update_row(User, staff.pk, {"first_name": "乙", "date_joined": joined})
    assert n == 1 and len(ctx.captured_queries) == 1
    assert ctx.captured_queries[0]["sql"].startswith("UPDATE")
    staff.refresh_from_db()
    assert (staff.first_name, staff.date_joined) == ("乙", joined)
    assert update_row(User, staff.pk, {"first_name": F("last_name")}) == 1
    staff.refresh_from_db()
    assert staff.first_name == staff.last_name
    assert update_row(User, -1, {"first_name": "无"}) == 0
