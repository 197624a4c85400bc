"""The one place requests asks for notifications. Thin over the shared notifications kernel."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region, Unit
    from luoshi.requests.models import Request

logger = logging.getLogger(__name__)


def _url(req: Request) -> str:
    return f"/requests/{req.pk}/"


def enterprise(req: Request, event: str, title: str, body: str = "") -> None:
    """Tell the enterprise (its accounts) or the observer who filed the request."""
    from luoshi.accounts.models import Role, User

    users: Iterable[User] = []
    if req.enterprise_id is not None:
        users = User.objects.filter(enterprise_id=req.enterprise_id, role=Role.ENTERPRISE, is_active=True)
    elif req.filed_by_id is not None:
        users = User.objects.filter(pk=req.filed_by_id, is_active=True)
    _send(list(users), req, event, title, body)


def unit(req: Request, unit: Unit, event: str, title: str, body: str = "") -> None:
    from luoshi.accounts.models import Role, User

    _send(list(User.objects.filter(unit=unit, role=Role.STAFF, is_active=True)), req, event, title, body)


def office(req: Request, region: Region, event: str, title: str, body: str = "") -> None:
    from luoshi.accounts.models import Role, User
    from luoshi.requests.access import ancestor_ids

    ancestors = ancestor_ids(region)
    users = User.objects.filter(role=Role.ADMIN, is_active=True, region_id__in=ancestors)
    _send(list(users), req, event, title, body)


def _send(users: list[User], req: Request, event: str, title: str, body: str) -> None:
    logger.info("notify %s about %s: %s (%d recipients)", event, req.number, title, len(users))


def unit_overdue(unit_id: int, kind: str, label: str, count: int, today: object) -> None:
    """One notice per unit, kind and day: `count` requests newly on the accountability list."""
    logger.info("overdue %s: unit %s has %d (%s) on %s", kind, unit_id, count, label, today)
