"""The requests provider: volume by channel, on-time, satisfaction and reopen rates from dated fields,
scoped record lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.dashboard.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests_made(regions: dict[str, Any], units: dict[str, Any], county: Any) -> list[Any]:
    from luoshi.requests.models import Request

    tz = dt.timezone(dt.timedelta(hours=8))

    def make(
        n: int,
        region: Any,
        channel: str,
        due: dt.date,
        done: dt.date | None,
        rating: str = "",
        reopen: int = 0,
    ) -> Any:
        return Request.objects.create(
            number=f"T{n:04d}",
            region=region,
            enterprise_name="荆门甲科技有限公司",
            contact_name="张三",
            contact_phone="13800000000",
            channel=channel,
            category="approval",
            title=f"诉求{n}",
            received_at=dt.datetime(2026, 6, 2, 9, tzinfo=tz),
            due_on=due,
            lead_unit=units["jm_fgw"],
            completed_at=dt.datetime.combine(done, dt.time(10), tzinfo=tz) if done else None,
            satisfaction=rating,
            reopen_count=reopen,
        )

    return [
        make(1, regions["jingmen"], "hotline", dt.date(2026, 6, 9), dt.date(2026, 6, 8), "satisfied"),
        make(2, regions["jingmen"], "hotline", dt.date(2026, 6, 9), dt.date(2026, 6, 12), "unsatisfied", 1),
        make(3, county, "web", dt.date(2026, 6, 10), None),
    ]


def test_request_figures_match_direct_counts(
    requests_made: list[Any], regions: dict[str, Any], users: dict[str, Any]
) -> None:
    from luoshi.dashboard import selectors, services
    from luoshi.dashboard.models import FigureSnapshot

    services.refresh(today=TODAY, periods=services.periods_to_refresh(TODAY, {"month": 1}))

    def snap(key: str, bucket: str = "") -> Any:
        return FigureSnapshot.objects.get(
            key=key,
            bucket=bucket,
            period_kind="month",
            period_start=dt.date(2026, 6, 1),
            region=regions["jingmen"],
        )

    assert snap("requests.by_channel").numerator == 3
    assert snap("requests.by_channel", "channel:hotline").numerator == 2
    assert snap("requests.by_channel", "channel:hotline").bucket_label == "12345热线"
    on_time = snap("requests.on_time_rate")
    assert (on_time.numerator, on_time.denominator) == (1, 3)
    assert snap("requests.satisfaction").value == 50.0
    assert snap("requests.reopen_rate").value == 50.0
    rec = selectors.records(
        users["leader"], "requests.by_channel", bucket="channel:hotline", kind="month", period_text="2026-06"
    )
    assert rec.listing.total == 2 and rec.counted == 2
    other = selectors.records(
        users["staff_other"],
        "requests.by_channel",
        unit_id=users["staff_other"].unit_id,
        kind="month",
        period_text="2026-06",
    )
    assert other.listing.total == 0  # another unit's requests are not listed
