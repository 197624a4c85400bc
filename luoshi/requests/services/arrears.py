"""拖欠账款: a claim per request records the debtor and the amounts claimed, confirmed and paid with dates; it stays
open until 清零 (paid in full) or a documented settlement (协议化解)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from luoshi.audit.services import record
from luoshi.core.errors import InvalidTransition, ValidationFailed
from luoshi.core.sanitize import xlsx_row
from luoshi.requests import access
from luoshi.requests.errors import RequestError
from luoshi.requests.events import RequestEvent
from luoshi.requests.models import ArrearsClaim, ArrearsPayment, ArrearsStatus

if TYPE_CHECKING:
    from luoshi.accounts.models import User


def _amount(value: Any, what: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{what}应为数字(单位元)。", code=RequestError.AMOUNT_INVALID) from None
    if amount <= 0:
        raise ValidationFailed(f"{what}应大于 0。", code=RequestError.AMOUNT_INVALID)
    return amount.quantize(Decimal("0.01"))


def _may_change(user: User | None, claim: ArrearsClaim) -> None:
    req = claim.request
    access.require_see(user, req)
    if not access.handles(user, req):
        raise access.AccessDenied(code=RequestError.ARREARS_ROLE_REFUSED)


def paid_total(claim: ArrearsClaim) -> Decimal:
    total = claim.payments.aggregate(s=Sum("amount"))["s"]
    return Decimal(total or 0)


def arrears_confirm(*, user: User | None, claim: ArrearsClaim, amount: Any, on: dt.date) -> ArrearsClaim:
    _may_change(user, claim)
    value = _amount(amount, "确认金额")
    with transaction.atomic():
        c = ArrearsClaim.objects.select_for_update().get(pk=claim.pk)
        if c.status != ArrearsStatus.OPEN:
            raise InvalidTransition(f"该欠款已{c.get_status_display()}。", code=RequestError.ARREARS_CLOSED)
        before = {"amount_confirmed": c.amount_confirmed}
        c.amount_confirmed, c.confirmed_on = value, on
        c.save(update_fields=["amount_confirmed", "confirmed_on"])
        record(
            actor=user,
            action=RequestEvent.ARREARS_RECORDED,
            subject=c.request,
            before=before,
            after={"amount_confirmed": value, "confirmed_on": on},
        )
    return c


def arrears_pay(
    *, user: User | None, claim: ArrearsClaim, amount: Any, on: dt.date, note: str = ""
) -> ArrearsPayment:
    """Record a payment; when the confirmed amount is paid in full the claim is 清零."""
    _may_change(user, claim)
    value = _amount(amount, "支付金额")
    with transaction.atomic():
        c = ArrearsClaim.objects.select_for_update().get(pk=claim.pk)
        if c.status != ArrearsStatus.OPEN:
            raise InvalidTransition(f"该欠款已{c.get_status_display()},不能再登记支付。", code=RequestError.ARREARS_CLOSED)
        owed = c.amount_confirmed if c.amount_confirmed is not None else c.amount_claimed
        paid = paid_total(c)
        if paid + value > owed:
            raise ValidationFailed(f"支付金额合计 {paid + value} 元超过应付金额 {owed} 元。", code=RequestError.PAYMENT_EXCEEDS_OWED)
        pay = ArrearsPayment.objects.create(
            claim=c, amount=value, paid_on=on, note=note[:200], recorded_by=user
        )
        after: dict[str, Any] = {
            "payment": pay.pk,
            "amount": value,
            "paid_on": on,
            "paid_total": paid + value,
        }
        if paid + value == owed and c.amount_confirmed is not None:
            c.status, c.closed_on = ArrearsStatus.CLEARED, on
            c.save(update_fields=["status", "closed_on"])
            after["status"] = c.status
        record(actor=user, action=RequestEvent.ARREARS_PAYMENT, subject=c.request, after=after)
    return pay


def arrears_settle(*, user: User | None, claim: ArrearsClaim, note: str, on: dt.date) -> ArrearsClaim:
    """Close with a documented settlement (协议化解): the agreement is required."""
    _may_change(user, claim)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写化解协议的内容(协议编号、约定金额与期限)。", code=RequestError.AGREEMENT_MISSING)
    with transaction.atomic():
        c = ArrearsClaim.objects.select_for_update().get(pk=claim.pk)
        if c.status != ArrearsStatus.OPEN:
            raise InvalidTransition(f"该欠款已{c.get_status_display()}。", code=RequestError.ARREARS_CLOSED)
        c.status, c.settlement_note, c.closed_on = ArrearsStatus.SETTLED, note, on
        c.save(update_fields=["status", "settlement_note", "closed_on"])
        record(
            actor=user,
            action=RequestEvent.ARREARS_CLOSED,
            subject=c.request,
            after={"status": c.status},
            reason=note,
        )
    return c


def ledger(user: User | None) -> QuerySet[Any]:
    """Per debtor: claims, amounts claimed / confirmed / paid, open count."""
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))
    return (
        ArrearsClaim.objects.filter(request__in=access.visible_requests(user).values("pk"))
        .values("debtor_name")
        .annotate(
            claims=Sum(Value(1)),
            open=Sum(Value(1), filter=Q(status=ArrearsStatus.OPEN)),
            claimed=Coalesce(Sum("amount_claimed"), zero),
            confirmed=Coalesce(Sum("amount_confirmed"), zero),
        )
        .order_by("-claimed", "debtor_name")
    )


def claims_of(user: User | None, debtor: str = "") -> QuerySet[ArrearsClaim]:
    qs = (
        ArrearsClaim.objects.filter(request__in=access.visible_requests(user).values("pk"))
        .select_related("request")
        .prefetch_related("payments")
    )
    if debtor:
        qs = qs.filter(debtor_name=debtor)
    return qs.order_by("debtor_name", "request__received_at")


def ledger_xlsx(user: User | None, debtor: str = "") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "拖欠账款台账"
    ws.append(xlsx_row(ws,
        [
            "欠款主体",
            "诉求编号",
            "企业",
            "主张金额(元)",
            "确认金额(元)",
            "确认日期",
            "已付金额(元)",
            "支付记录",
            "状态",
            "办结日期",
            "化解说明",
        ]
    ))
    for c in claims_of(user, debtor):
        pays = list(c.payments.all())
        ws.append(xlsx_row(ws,
            [
                c.debtor_name,
                c.request.number,
                c.request.enterprise_name,
                float(c.amount_claimed),
                float(c.amount_confirmed) if c.amount_confirmed is not None else None,
                c.confirmed_on,
                float(sum((p.amount for p in pays), Decimal(0))),
                ";".join(f"{p.paid_on:%Y-%m-%d} {p.amount}" for p in pays),
                c.get_status_display(),
                c.closed_on,
                c.settlement_note,
            ]
        ))
    for col, width in zip("ABCDEFGHIJK", (28, 20, 28, 14, 14, 12, 14, 40, 10, 12, 30), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
