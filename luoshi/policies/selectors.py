"""Scoped reads for policies: every function takes the user and returns only what that user may see."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from luoshi.accounts.models import User
from luoshi.core.errors import AccessDenied, NotFound
from luoshi.policies import access, services
from luoshi.policies.engine.profile import ItemOutcome, Status, explain
from luoshi.policies.errors import PolicyError
from luoshi.policies.models import (
    EnterpriseProfile,
    PayoutBatch,
    PayoutState,
    Policy,
    PolicyItem,
    Push,
    RuleVersion,
)


def policies(user: User, q: str = "") -> QuerySet[Policy]:
    qs = Policy.objects.filter(access.policies_q(user)).distinct().select_related("region")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(document_number__icontains=q) | Q(issuers__icontains=q))
    return qs.annotate(n_items=Count("items", distinct=True))


def policy(user: User, pk: int) -> Policy:
    found = policies(user).filter(pk=pk).first()
    if found is None:
        if Policy.objects.filter(pk=pk).exists():
            raise AccessDenied("您无权查看该政策。", code=PolicyError.POLICY_NOT_VISIBLE)
        raise NotFound("找不到该政策。", code=PolicyError.POLICY_NOT_FOUND)
    return found


def items(user: User) -> QuerySet[PolicyItem]:
    return (PolicyItem.objects.filter(access.items_q(user))
            .select_related("policy", "department", "published_version").order_by("code"))


def item(user: User, pk: int) -> PolicyItem:
    found = items(user).filter(pk=pk).first()
    if found is None:
        if PolicyItem.objects.filter(pk=pk).exists():
            raise AccessDenied("您无权查看该事项:部门只能查看本部门兑现的事项。", code=PolicyError.ITEM_NOT_VISIBLE)
        raise NotFound("找不到该兑现事项。", code=PolicyError.ITEM_NOT_FOUND)
    return found


def versions(user: User, item_obj: PolicyItem) -> QuerySet[RuleVersion]:
    item(user, item_obj.pk)
    return item_obj.versions.select_related("created_by", "published_by").order_by("-number")


def version(user: User, pk: int) -> RuleVersion:
    found = RuleVersion.objects.select_related("item__policy__region", "item__department").filter(pk=pk).first()
    if found is None:
        raise NotFound("找不到该规则版本。", code=PolicyError.RULES_VERSION_NOT_FOUND)
    item(user, found.item_id)
    return found


def batches(user: User) -> QuerySet[PayoutBatch]:
    return (access.scoped_batches(user).select_related("item", "version", "checked_by", "confirmed_by", "drawn_by")
            .order_by("-drawn_at"))


def batch(user: User, pk: int) -> PayoutBatch:
    found = batches(user).filter(pk=pk).first()
    if found is None:
        if PayoutBatch.objects.filter(pk=pk).exists():
            raise AccessDenied("您无权查看该清单:只有兑现部门和营商办可以查看。", code=PolicyError.BATCH_NOT_VISIBLE)
        raise NotFound("找不到该清单。", code=PolicyError.BATCH_NOT_FOUND)
    return found


def my_pushes(user: User) -> QuerySet[Push]:
    enterprise = access.own_enterprise(user)
    return (Push.objects.filter(enterprise=enterprise).select_related("item__policy", "item__department", "version")
            .order_by("-created_at"))


def push(user: User, pk: int) -> Push:
    enterprise = access.own_enterprise(user)
    found = Push.objects.filter(pk=pk).select_related("item").first()
    if found is None:
        raise NotFound("找不到该推送。", code=PolicyError.PUSH_NOT_FOUND)
    if found.enterprise_id != enterprise.pk:
        raise AccessDenied("这不是贵企业的推送。", code=PolicyError.NOT_YOUR_PUSH)
    return found


@dataclass(frozen=True)
class MyResult:
    item: PolicyItem
    outcome: ItemOutcome
    reason: list[str]


def my_results(user: User) -> list[MyResult]:
    """政策体检 / 一企一策: every published item's result for the user's own firm, from the kept evaluation."""
    enterprise = access.own_enterprise(user)
    ev, item_rows = services.published_evaluation()
    try:
        row = ev.table.row_of(enterprise.pk)
    except KeyError:
        return []
    out = []
    for obj in item_rows:
        outcome = ev.outcome(row, obj.code)
        out.append(MyResult(obj, outcome, explain(outcome, ev.params)))
    order = {Status.ELIGIBLE: 0, Status.UNKNOWN: 1, Status.INELIGIBLE: 2}
    return sorted(out, key=lambda r: (order[r.outcome.status], r.item.code))


def my_profile(user: User) -> EnterpriseProfile | None:
    enterprise = access.own_enterprise(user)
    return EnterpriseProfile.objects.filter(enterprise=enterprise).first()


def profile(user: User, enterprise_id: int) -> EnterpriseProfile:
    found = EnterpriseProfile.objects.select_related("enterprise__region").filter(enterprise_id=enterprise_id).first()
    if found is None:
        raise NotFound("该企业尚无画像。", code=PolicyError.PROFILE_NOT_FOUND)
    access.require_profile_access(user, found.enterprise)
    return found


@dataclass(frozen=True)
class Reach:
    department: str
    items: int
    pushed: int
    opened: int
    applied: int
    useful: int
    granted: int
    amount: Decimal


def reach(user: User) -> list[Reach]:
    """Per paying department: pushed, opened, applied, granted, amount (scoped like the items)."""
    access.require_reach(user)
    scoped = items(user)
    pushes = (Push.objects.filter(item__in=scoped).values("item__department__name")
              .annotate(pushed=Count("id"), opened=Count("id", filter=Q(opened_at__isnull=False)),
                        applied=Count("id", filter=Q(applied_at__isnull=False)),
                        useful=Count("id", filter=Q(feedback="useful")),
                        granted_applications=Count("id", filter=Q(granted_at__isnull=False)),
                        granted_amount=Sum("granted_amount")))
    paid = (PayoutBatch.objects.filter(item__in=scoped).values("item__department__name")
            .annotate(granted=Count("payouts", filter=Q(payouts__state=PayoutState.PAID)),
                      amount=Sum("payouts__amount", filter=Q(payouts__state=PayoutState.PAID))))
    n_items = scoped.values("department__name").annotate(n=Count("id"))
    rows: dict[str, dict[str, object]] = {r["department__name"]: {"items": r["n"]} for r in n_items}
    for r in pushes:
        rows.setdefault(r["item__department__name"], {}).update(r)
    for g in paid:
        rows.setdefault(g["item__department__name"], {}).update(g)
    def num(v: dict[str, object], key: str) -> int:
        return int(v.get(key) or 0)  # type: ignore[call-overload]

    return [Reach(name, num(v, "items"), num(v, "pushed"), num(v, "opened"), num(v, "applied"), num(v, "useful"),
                  num(v, "granted") + num(v, "granted_applications"),
                  Decimal(str(v.get("amount") or 0)) + Decimal(str(v.get("granted_amount") or 0)))
            for name, v in sorted(rows.items())]


def applications(user: User) -> QuerySet[Push]:
    """Applications (申报) to the user's items, for the paying department."""
    return (Push.objects.filter(item__in=items(user), applied_at__isnull=False).select_related("item", "enterprise")
            .order_by("granted_at", "due_on", "applied_at"))
