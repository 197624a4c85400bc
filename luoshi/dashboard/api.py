"""JSON API of the dashboard, at /api/dashboard/: the cockpit's figures (same selectors as the pages)."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja import Router, Schema

from luoshi.accounts.models import User
from luoshi.core.bounds import Id
from luoshi.dashboard import selectors

router = Router(tags=["dashboard"])


class BucketOut(Schema):
    bucket: str
    label: str
    value: float | None
    numerator: float
    records_url: str


class FigureOut(Schema):
    key: str
    label: str
    section: str
    measure_unit: str
    value: float | None
    numerator: float
    denominator: float | None
    previous: float | None
    records_url: str
    buckets: list[BucketOut]


class CockpitOut(Schema):
    region: str
    region_id: int
    period: str
    kind: str
    figures: list[FigureOut]


@router.get("/figures", response=CockpitOut)
def figures(request: HttpRequest, region: Id | None = None, kind: str = "", period: str = "") -> CockpitOut:
    """Every figure of a region's cockpit for a period (`kind` week/month/quarter/year, `period` 2026-05 …)."""
    c = selectors.cockpit(cast(User, request.user), region, kind, period)
    return CockpitOut(
        region=c.region.name,
        region_id=c.region.pk,
        period=c.period.key,
        kind=c.period.kind,
        figures=[
            FigureOut(
                key=f.key,
                label=f.label,
                section=f.section,
                measure_unit=f.measure_unit,
                value=f.value,
                numerator=f.numerator,
                denominator=f.denominator,
                previous=f.previous,
                records_url=f.url,
                buckets=[
                    BucketOut(
                        bucket=b.bucket,
                        label=b.label,
                        value=b.value,
                        numerator=b.numerator,
                        records_url=b.url,
                    )
                    for b in f.buckets
                    if not b.bucket.startswith("day:")
                ],
            )
            for f in c.figures
        ],
    )
