"""The dashboard's policy figures (policies/metrics.py) against a direct count of the same facts in the database:
pushes, applications, and grants of both kinds (an application granted by its department, a 免申即享 list paid),
with their amounts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from luoshi.dashboard.engine import Period
from luoshi.dashboard.providers import RecordQuery
from luoshi.policies import metrics, services
from luoshi.policies.models import Payout, PayoutState, Push

SOURCES = {s.key: s for s in metrics.SOURCES}


def _period() -> Period:
    today = dt.date.today()
    return Period("year", dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))


def _totals(key: str, period: Period) -> dict[str, float]:
    """Per bucket ("" = the figure itself), the sum over regions (region rows only: units are a second view)."""
    out: dict[str, float] = defaultdict(float)
    for row in SOURCES[key].tally(period):
        if row.region_id is not None:
            out[row.bucket] += row.tally.numerator
    return dict(out)


def _grant_both_ways(published: dict[str, Any], users: dict[str, Any]) -> None:
    services.push_item(item_id=published["auto"].pk)
    batch = services.batch_draw(actor=users["staff"], item=published["auto"])
    services.batch_check(actor=users["staff"], batch=batch)
    services.batch_confirm(actor=users["admin"], batch=batch)
    services.batch_pay(actor=users["staff"], batch=batch)
    other = published["other"]
    other.mode, other.payment_limit_workdays = "fast", 5
    other.save()
    rule = {"all": [{"id": "用工", "field": "employees", "op": ">=", "value": 20}]}
    services.rule_publish(actor=users["admin"], push=False,
                          version=services.rule_draft(actor=users["admin"], item=other, rule=rule))
    services.push_item(item_id=other.pk)
    push = Push.objects.get(item=other, enterprise=published["b"])
    services.push_apply(actor=users["enterprise_other"], push=push)
    services.push_grant(actor=users["staff_other"], push=push, amount=Decimal("12345.67"))


def test_reach_granted_and_amount_match_a_direct_count(published: dict[str, Any], users: dict[str, Any]) -> None:
    _grant_both_ways(published, users)
    period = _period()
    granted_pushes = Push.objects.filter(granted_at__isnull=False)
    paid = Payout.objects.filter(state=PayoutState.PAID)
    assert granted_pushes.count() == 1 and paid.count() == 1  # one of each kind, so neither may be dropped

    reach = _totals("policies.reach", period)
    assert reach[""] == Push.objects.count()
    assert reach["stage:applied"] == Push.objects.filter(applied_at__isnull=False).count() == 1
    assert reach["stage:granted"] == granted_pushes.count() + paid.count() == 2

    granted = _totals("policies.granted", period)
    assert granted == {"": 2.0, "grant:applied": 1.0, "grant:automatic": 1.0}

    direct = (granted_pushes.aggregate(s=Sum("granted_amount"))["s"] + paid.aggregate(s=Sum("amount"))["s"])
    amount = _totals("policies.amount", period)
    assert direct == Decimal("212345.67")
    assert amount[""] == pytest.approx(float(direct / 10000))
    assert amount["grant:applied"] == pytest.approx(1.234567) and amount["grant:automatic"] == pytest.approx(20.0)

    units: dict[int | None, float] = defaultdict(float)
    for row in SOURCES["policies.amount"].tally(period):
        if row.unit_id is not None and not row.bucket:
            units[row.unit_id] += row.tally.numerator
    assert units == pytest.approx({published["auto"].department_id: 20.0, published["other"].department_id: 1.234567})

    # the records behind 兑现: both granted firms, each through its own kind
    records = SOURCES["policies.granted"].records
    assert records(users["admin"], RecordQuery(None, None, period, bucket="stage:granted")).total == 2
    assert records(users["admin"], RecordQuery(None, None, period, bucket="grant:applied")).total == 1
    assert records(users["admin"], RecordQuery(None, None, period, bucket="grant:automatic")).total == 1
    # a department sees only its own items' records
    assert records(users["staff_other"], RecordQuery(None, None, period, bucket="stage:granted")).total == 1
