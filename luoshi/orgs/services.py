"""Writes to the org directory."""

from __future__ import annotations

from django.db import transaction

from luoshi.orgs.models import Region, RegionLevel


@transaction.atomic
def region_create(*, code: str, name: str, level: RegionLevel | str, parent: Region | None = None,
                  short_name: str = "") -> Region:
    """Create a region and set its materialised path (ancestor ids) for subtree queries."""
    region = Region.objects.create(code=code, name=name, level=level, parent=parent, short_name=short_name)
    region.path = f"{parent.path if parent else '/'}{region.pk}/"
    region.save(update_fields=["path"])
    return region
