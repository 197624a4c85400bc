"""The overdue sweep: requests past their sign-in, reply or completion limit land on the accountability list
(问责清单) with the unit and the person, once per request, kind and round (set-based INSERT … SELECT, safe to run
twice); the units and the office are notified once per unit, kind and day.

- 超时未签收: assigned and not signed by `signin_due_at`.
- 超时未答复: signed, not replied, not paused, past `due_on` (the class limit with pauses and extensions).
- 超时未办结: not completed by the 3-month substantive answer date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from luoshi.audit.services import record
from luoshi.requests.events import RequestEvent
from luoshi.requests.models import AccountabilityEntry, AccountabilityKind, Request, RequestStatus


@dataclass
class SweepResult:
    today: dt.date
    new: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {"date": self.today.isoformat(), "new": self.new, "total_new": sum(self.new.values())}


def _sql(kind: str) -> str:
    req = Request._meta.db_table
    acc = AccountabilityEntry._meta.db_table
    head = f"INSERT INTO {acc} (request_id, kind, round, unit_id, person_id, due_at, due_on, found_on) "
    tail = " ON CONFLICT (request_id, kind, round) DO NOTHING"
    if kind == AccountabilityKind.SIGNIN:
        return (
            head + f"SELECT id, %s, reopen_count, lead_unit_id, NULL, signin_due_at, NULL, %s FROM {req} "
            "WHERE status = %s AND signin_due_at < %s" + tail
        )
    if kind == AccountabilityKind.REPLY:
        return (
            head + f"SELECT id, %s, reopen_count, lead_unit_id, signed_by_id, NULL, due_on, %s FROM {req} "
            "WHERE status = %s AND paused_since IS NULL AND due_on < %s" + tail
        )
    return (
        head
        + f"SELECT id, %s, reopen_count, lead_unit_id, signed_by_id, NULL, substantive_due_on, %s FROM {req} "
        "WHERE status IN (%s, %s) AND substantive_due_on < %s" + tail
    )


def sweep(*, now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    today = timezone.localdate(now)
    ops = connection.ops
    d_today = ops.adapt_datefield_value(today)
    result = SweepResult(today)
    with transaction.atomic(), connection.cursor() as cur:
        before = AccountabilityEntry.objects.filter(found_on=today).count()
        cur.execute(
            _sql(AccountabilityKind.SIGNIN),
            [
                AccountabilityKind.SIGNIN.value,
                d_today,
                RequestStatus.ASSIGNED.value,
                ops.adapt_datetimefield_value(now),
            ],
        )
        cur.execute(
            _sql(AccountabilityKind.REPLY),
            [AccountabilityKind.REPLY.value, d_today, RequestStatus.IN_PROGRESS.value, d_today],
        )
        cur.execute(
            _sql(AccountabilityKind.COMPLETION),
            [
                AccountabilityKind.COMPLETION.value,
                d_today,
                RequestStatus.IN_PROGRESS.value,
                RequestStatus.REPLIED.value,
                d_today,
            ],
        )
        fresh = AccountabilityEntry.objects.filter(found_on=today).count() - before
        counts: Counter[tuple[int | None, str]] = Counter()
        if fresh:
            rows = AccountabilityEntry.objects.filter(found_on=today).values_list("unit_id", "kind")
            counts.update(rows)
            for (_unit, kind), n in counts.items():
                result.new[kind] = result.new.get(kind, 0) + n
        if fresh:
            # one audit event per sweep that found something: the entries themselves are the list
            marker = AccountabilityEntry.objects.filter(found_on=today).order_by("-pk").first()
            assert marker is not None
            record(
                actor=None,
                action=RequestEvent.OVERDUE,
                subject=marker,
                after={"date": today, "found": fresh, "by_kind": dict(result.new)},
            )
        transaction.on_commit(lambda: _notify(today, counts))
    return result


def _notify(today: dt.date, counts: Counter[tuple[int | None, str]]) -> None:
    from luoshi.requests import notify

    labels = dict(AccountabilityKind.choices)
    for (unit_id, kind), n in counts.items():
        if unit_id is not None:
            notify.unit_overdue(unit_id, kind, labels[kind], n, today)
