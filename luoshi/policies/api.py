"""JSON API for policies at /api/policies/: the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Schema

from luoshi.accounts.models import User
from luoshi.core.bounds import Id
from luoshi.policies import selectors, services
from luoshi.policies.engine.profile import ItemOutcome, explain
from luoshi.policies.errors import PolicyError

router = Router(tags=["policies"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class ItemOut(Schema):
    id: int
    code: str
    title: str
    policy: str
    department: str
    mode: str
    mode_label: str
    published_version: int | None


def _item(i: Any) -> ItemOut:
    return ItemOut(id=i.pk, code=i.code, title=i.title, policy=i.policy.title, department=i.department.name,
                   mode=i.mode, mode_label=i.get_mode_display(),
                   published_version=i.published_version.number if i.published_version else None)


@router.get("/items", response=list[ItemOut])
def list_items(request: HttpRequest) -> list[ItemOut]:
    return [_item(i) for i in selectors.items(_user(request))[:500]]


class RuleIn(Schema):
    rule: dict[str, Any]
    cases: list[dict[str, Any]] = []


class CaseOut(Schema):
    case: str
    passed: bool
    expected: str
    got: str
    message: str


class VersionOut(Schema):
    id: int
    number: int
    status: str
    conditions: list[str]
    cases: list[CaseOut]


@router.post("/items/{item_id}/rule", response=VersionOut)
def draft_rule(request: HttpRequest, item_id: Id, body: RuleIn) -> VersionOut:
    user = _user(request)
    item = selectors.item(user, item_id)
    version = services.rule_draft(actor=user, item=item, rule=body.rule, cases=body.cases)
    check = services.rule_check(item=item, rule=version.rule, cases=version.cases)
    return VersionOut(id=version.pk, number=version.number, status=version.status, conditions=check.conditions,
                      cases=[CaseOut(case=c.case, passed=c.passed, expected=c.expected, got=c.got, message=c.message)
                             for c in check.cases])


class FirmOut(Schema):
    enterprise_id: int
    name: str
    amount: Decimal | None


class PreviewOut(Schema):
    eligible_before: int
    eligible_after: int
    money_before: Decimal
    money_after: Decimal
    gained: list[FirmOut]
    lost: list[FirmOut]


@router.get("/versions/{version_id}/preview", response=PreviewOut)
def preview(request: HttpRequest, version_id: Id) -> PreviewOut:
    user = _user(request)
    p = services.rule_preview(actor=user, version=selectors.version(user, version_id))
    return PreviewOut(eligible_before=p.eligible_before, eligible_after=p.eligible_after,
                      money_before=p.money_before, money_after=p.money_after,
                      gained=[FirmOut(**c.__dict__) for c in p.gained], lost=[FirmOut(**c.__dict__) for c in p.lost])


@router.post("/versions/{version_id}/publish", response=VersionOut)
def publish(request: HttpRequest, version_id: Id) -> VersionOut:
    user = _user(request)
    v = services.rule_publish(actor=user, version=selectors.version(user, version_id))
    return VersionOut(id=v.pk, number=v.number, status=v.status, conditions=[], cases=[])


class BatchOut(Schema):
    id: int
    item: str
    status: str
    status_label: str
    total: Decimal
    lines: int


def _batch(b: Any) -> BatchOut:
    return BatchOut(id=b.pk, item=b.item.code, status=b.status, status_label=b.get_status_display(), total=b.total,
                    lines=b.payouts.filter(state="pending").count() + b.payouts.filter(state="paid").count())


@router.get("/batches", response=list[BatchOut])
def list_batches(request: HttpRequest) -> list[BatchOut]:
    return [_batch(b) for b in selectors.batches(_user(request))[:200]]


@router.post("/items/{item_id}/batches", response=BatchOut)
def draw(request: HttpRequest, item_id: Id) -> BatchOut:
    user = _user(request)
    return _batch(services.batch_draw(actor=user, item=selectors.item(user, item_id)))


@router.post("/batches/{batch_id}/{action}", response=BatchOut)
def batch_action(request: HttpRequest, batch_id: Id, action: str) -> BatchOut:
    user = _user(request)
    batch = selectors.batch(user, batch_id)
    step = {"check": services.batch_check, "confirm": services.batch_confirm, "pay": services.batch_pay}.get(action)
    if step is None:
        from luoshi.core.errors import NotFound

        raise NotFound(code=PolicyError.BATCH_ACTION_UNKNOWN)
    return _batch(step(actor=user, batch=batch))


class OutcomeOut(Schema):
    code: str
    title: str
    status: str
    amount: float | None
    failing: list[str]
    unknown_fields: list[str]
    reason: list[str]


def _outcome(o: ItemOutcome, reason: list[str]) -> OutcomeOut:
    return OutcomeOut(code=o.item.code, title=o.item.title, status=str(o.status), amount=o.amount,
                      failing=list(o.failing), unknown_fields=list(o.unknown_fields), reason=reason)


@router.get("/mine", response=list[OutcomeOut])
def mine(request: HttpRequest) -> list[OutcomeOut]:
    """我的政策: every published item's result for the caller's own firm (enterprise users only)."""
    return [_outcome(r.outcome, r.reason) for r in selectors.my_results(_user(request))]


class PushOut(Schema):
    id: int
    item: str
    kind: str
    status: str
    reason: str
    created_at: dt.datetime
    feedback: str


@router.get("/pushes", response=list[PushOut])
def pushes(request: HttpRequest) -> list[PushOut]:
    return [PushOut(id=p.pk, item=p.item.code, kind=p.kind, status=p.status, reason=p.reason,
                    created_at=p.created_at, feedback=p.feedback) for p in selectors.my_pushes(_user(request))[:200]]


class FeedbackIn(Schema):
    useful: bool


@router.post("/pushes/{push_id}/feedback", response=PushOut)
def feedback(request: HttpRequest, push_id: Id, body: FeedbackIn) -> PushOut:
    user = _user(request)
    p = services.push_feedback(actor=user, push=selectors.push(user, push_id), useful=body.useful)
    return PushOut(id=p.pk, item=p.item.code, kind=p.kind, status=p.status, reason=p.reason,
                   created_at=p.created_at, feedback=p.feedback)


class CalculatorIn(Schema):
    profile: dict[str, Any]


@router.post("/calculator", response=list[OutcomeOut])
def calculator(request: HttpRequest, body: CalculatorIn) -> list[OutcomeOut]:
    """政策计算器: ``{"profile": {field: value}}`` (engine field names) against every published item; nothing saved."""
    params = services.parameter_set()
    return [_outcome(o, explain(o, params)) for o in services.calculator(data=body.profile)]


class ReachOut(Schema):
    department: str
    items: int
    pushed: int
    opened: int
    applied: int
    useful: int
    granted: int
    amount: Decimal


@router.get("/reach", response=list[ReachOut])
def reach(request: HttpRequest) -> list[ReachOut]:
    return [ReachOut(**r.__dict__) for r in selectors.reach(_user(request))]
