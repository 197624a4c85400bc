"""Reads for the office's account management: the accounts of the admin's region subtree, who is locked out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from luoshi.accounts import access
from luoshi.accounts.models import User
from luoshi.core.errors import AccessDenied, NotFound
from luoshi.orgs.models import Region, Unit


def accounts_for(actor: User, *, q: str = "", role: str = "", active: str = "") -> QuerySet[User]:
    access.accounts_policy.require(actor, "account.list", message="只有营商办管理员可以管理账号。")
    qs = User.objects.filter(access.account_scope_q(actor)).select_related("region", "unit", "enterprise")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(unit__name__icontains=q))
    if role:
        qs = qs.filter(role=role)
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    return qs.order_by("region__path", "unit__name", "username")


def account_get(actor: User, pk: int) -> User:
    access.accounts_policy.require(actor, "account.list", message="只有营商办管理员可以管理账号。")
    row = User.objects.filter(access.account_scope_q(actor), pk=pk).select_related("region", "unit").first()
    if row is None:
        raise NotFound("未找到该账号,或它不在您的管辖区域内。")
    return row


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """The usernames django-axes locks out now (too many wrong passwords within the cool-off)."""
    from axes.models import AccessAttempt

    names = list(usernames)
    if not names:
        return set()
    cool_off = dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    return set(
        AccessAttempt.objects.filter(
            username__in=names,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=timezone.now() - cool_off,
        ).values_list("username", flat=True)
    )


def assignable_units(actor: User) -> QuerySet[Unit]:
    if actor.is_superuser:
        return Unit.objects.filter(is_active=True).select_related("region").order_by("region__path", "name")
    if actor.region is None:
        raise AccessDenied("您的账号未指定管辖区域。")
    return (
        Unit.objects.filter(access.subtree_q(actor.region), is_active=True)
        .select_related("region")
        .order_by("region__path", "name")
    )


def assignable_regions(actor: User) -> QuerySet[Region]:
    if actor.is_superuser:
        return Region.objects.order_by("path")
    if actor.region is None:
        raise AccessDenied("您的账号未指定管辖区域。")
    return access.region_subtree(actor.region).order_by("path")
