"""Which directory and account rows' audit history a user may read (``audit_scope_module``; see
``luoshi.audit.scopes``), and who may open the audit trail at all (``reads_trail``: office staff, leaders and
department staff). Department staff see their own unit; office staff and leaders their region subtree's units,
regions and enterprises; an office admin the accounts of their region subtree, everyone else their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from luoshi.accounts.access import (
    is_office_admin,
    is_reader,
    is_staff_role,
    region_subtree,
    region_subtree_q,
    subtree_q,
)
from luoshi.accounts.models import ApiToken, User
from luoshi.orgs.models import Enterprise, Region, Unit


def reads_trail(user: Any) -> bool:
    return bool(is_reader(user) or is_staff_role(user))


def _units(user: Any) -> QuerySet[Any]:
    if is_staff_role(user):
        return Unit.objects.filter(pk=user.unit_id or 0)
    return Unit.objects.filter(region_subtree_q(user)) if is_reader(user) else Unit.objects.none()


def _regions(user: Any) -> QuerySet[Any]:
    if not is_reader(user) or user.region is None:
        return Region.objects.none()
    return region_subtree(user.region)


def _enterprises(user: Any) -> QuerySet[Any]:
    return Enterprise.objects.filter(region_subtree_q(user)) if is_reader(user) else Enterprise.objects.none()


def _users(user: Any) -> QuerySet[Any]:
    if not is_office_admin(user) or user.region is None:
        return User.objects.filter(pk=user.pk)
    region = user.region
    return User.objects.filter(
        subtree_q(region, "region") | subtree_q(region, "unit__region") | subtree_q(region, "enterprise__region")
    )


def _tokens(user: Any) -> QuerySet[Any]:
    return ApiToken.objects.filter(user__in=_users(user))


SCOPES = {
    "orgs.unit": _units,
    "orgs.region": _regions,
    "orgs.enterprise": _enterprises,
    "accounts.user": _users,
    "accounts.apitoken": _tokens,
}
