"""Intake from every channel: the web form, the JSON API (idempotent), observers, bulk 12345 imports."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, TYPE_CHECKING, Any

import phonenumbers
from django.db import transaction
from django.utils import timezone

from luoshi.accounts.access import region_contains
from luoshi.audit.services import record, snapshot
from luoshi.calendar import deadlines
from luoshi.core.errors import AccessDenied, Conflict, ValidationFailed
from luoshi.core.limits import guard_text
from luoshi.core.prepared import PreparedInsert
from luoshi.orgs.credit_code import credit_code_problem
from luoshi.orgs.models import Enterprise, Region
from luoshi.requests import access, notify
from luoshi.requests.errors import RequestError
from luoshi.requests.events import RequestEvent
from luoshi.requests.models import ArrearsClaim, Category, Channel, Request

if TYPE_CHECKING:
    from luoshi.accounts.models import User

FILED_FIELDS = ["number", "region", "enterprise", "channel", "category", "title", "status", "external_id"]
PROCEDURAL_REPLY_DAYS = 7  # 7日内程序性回复 (calendar days)
SUBSTANTIVE_ANSWER_MONTHS = 3  # 3个月内实体性答复


@dataclass
class RequestInput:
    """What a caller files. `region_code` is needed only when neither the enterprise nor the user has one."""

    enterprise_name: str
    contact_name: str
    contact_phone: str
    title: str
    text: str
    channel: str = Channel.WEB
    category: str = Category.OTHER
    credit_code: str = ""
    region_code: str = ""
    external_id: str = ""
    received_at: dt.datetime | None = None
    debtor_name: str = ""
    amount_claimed: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def content_hash(self) -> str:
        data = asdict(self)
        data.pop("received_at")
        data.pop("extra")
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()


def normalise_phone(raw: str) -> str:
    """A valid Chinese mobile or fixed-line number in national digits (phonenumbers), or ValidationFailed."""
    text = (raw or "").strip()
    if not text:
        raise ValidationFailed("请填写联系电话。", code=RequestError.PHONE_MISSING)
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationFailed(
            f"联系电话“{text}”不是有效的电话号码,请填写手机号或带区号的固定电话。",
            code=RequestError.PHONE_INVALID,
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed(f"联系电话“{text}”不是有效的电话号码,请填写手机号或带区号的固定电话。", code=RequestError.PHONE_INVALID)
    if number.country_code == 86:
        return (
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            .replace(" ", "")
            .replace("-", "")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _clean(data: RequestInput, user: User | None) -> dict[str, Any]:
    problems: list[str] = []

    def text(value: str, label: str, limit: int, required: bool = True) -> str:
        value = (value or "").strip()
        if required and not value:
            problems.append(f"请填写{label}。")
        if len(value) > limit:
            problems.append(f"{label}不能超过 {limit} 个字。")
        return value

    out: dict[str, Any] = {
        "enterprise_name": text(data.enterprise_name, "企业名称", 200),
        "contact_name": text(data.contact_name, "联系人", 50),
        "title": text(data.title, "诉求标题", 200),
        "text": text(data.text, "诉求内容", 20000),
    }
    try:
        out["contact_phone"] = normalise_phone(data.contact_phone)
    except ValidationFailed as exc:
        problems.append(exc.message)
    code = (data.credit_code or "").strip().upper()
    if code:
        problem = credit_code_problem(code)
        if problem:
            problems.append(problem)
    out["credit_code"] = code
    if data.channel not in Channel.values:
        problems.append(f"来源渠道“{data.channel}”无效,应为:{'、'.join(Channel.labels)}。")
    if data.category not in Category.values:
        problems.append(f"诉求类别“{data.category}”无效,应为:{'、'.join(Category.labels)}。")
    if access.is_observer(user) and data.channel != Channel.OBSERVER:
        data.channel = Channel.OBSERVER
    out["channel"] = data.channel
    out["category"] = data.category
    external = (data.external_id or "").strip()
    if len(external) > 64:
        problems.append("外部工单号不能超过 64 个字符。")
    out["external_id"] = external or None
    if data.category == Category.ARREARS:
        out["debtor_name"] = text(data.debtor_name, "欠款单位(拖欠账款诉求必填)", 200)
        try:
            amount = Decimal(str(data.amount_claimed).replace(",", "").strip())
            if amount <= 0:
                raise InvalidOperation
            out["amount_claimed"] = amount
        except (InvalidOperation, ValueError):
            problems.append("拖欠账款诉求请填写主张金额(大于 0 的数字,单位元)。")
    if problems:
        raise ValidationFailed(
            problems[0] if len(problems) == 1 else "诉求有误:" + ";".join(problems), details=problems,
            code=RequestError.REQUEST_INVALID,
        )
    return out


def _region_and_enterprise(
    data: RequestInput, user: User | None, code: str
) -> tuple[Region, Enterprise | None]:
    enterprise: Enterprise | None = None
    if user is not None and access.is_enterprise(user):
        if user.enterprise_id is None:
            raise AccessDenied("您的账号尚未关联企业,不能提交诉求。", code=RequestError.NO_ENTERPRISE)
        enterprise = user.enterprise
        assert enterprise is not None
        if code and code != enterprise.credit_code:
            raise AccessDenied("企业用户只能为本企业提交诉求:统一社会信用代码与您的企业不符。", code=RequestError.NOT_YOUR_ENTERPRISE)
    elif code:
        enterprise = Enterprise.objects.filter(credit_code=code).select_related("region").first()
    region: Region | None = None
    if data.region_code:
        region = region_by_code(data.region_code)
        if region is None:
            raise ValidationFailed(f"区域代码“{data.region_code}”不存在。", code=RequestError.REGION_UNKNOWN)
    elif enterprise is not None:
        region = enterprise.region
    elif user is not None and user.region_id is not None:
        region = user.region
    elif user is not None and user.unit_id is not None:
        assert user.unit is not None
        region = user.unit.region
    if region is None:
        raise ValidationFailed("无法确定诉求所属区域:请填写企业的统一社会信用代码或区域代码。", code=RequestError.REGION_UNDETERMINED)
    if (
        user is not None
        and access.files_for_own_region_only(user)
        and not region_contains(user.region, region)
    ):
        raise AccessDenied("您只能为本辖区的企业受理诉求。", code=RequestError.ENTERPRISE_OUTSIDE_REGION)
    return region, enterprise


REGION_CACHE_SECONDS = 60.0
_regions: dict[str, tuple[float, Region | None]] = {}


def region_by_code(code: str) -> Region | None:
    """The region of a `region_code`, kept per process for REGION_CACHE_SECONDS: every API intake names one,
    and the administrative tree is per deployment, not per request. A region saved or deleted in this process
    clears the cache at once (`forget_regions`, connected in apps.py); other processes see the change within
    the minute. The instance is shared read-only between requests."""
    now = time.monotonic()
    hit = _regions.get(code)
    if hit is not None and now - hit[0] < REGION_CACHE_SECONDS:
        return hit[1]
    region = Region.objects.filter(code=code).first()
    if region is not None:  # an unknown code is not kept: it may be created next
        _regions[code] = (now, region)
    return region


def forget_regions(**kwargs: Any) -> None:
    """`post_save`/`post_delete` of a Region: drop this process's cached regions."""
    _regions.clear()


NUMBER_ATTEMPTS = 5


def new_number(at: dt.datetime) -> str:
    return f"SQ{timezone.localdate(at):%Y%m%d}{secrets.token_hex(3).upper()}"


def _same(existing: Request, digest: str, what: str) -> Request:
    if existing.content_hash != digest:
        raise Conflict(
            f"{what}已用于诉求 {existing.number},但本次提交的内容与之不同;"
            "重试请原样提交,新的诉求请使用新的编号。",
            details={"request": existing.pk, "number": existing.number},
            code=RequestError.RESUBMITTED_DIFFERENTLY,
        )
    return existing


@guard_text
def request_file(
    *,
    user: User | None,
    data: RequestInput,
    idempotency_key: str = "",
    files: Sequence[tuple[str, IO[bytes] | Any]] = (),
) -> tuple[Request, bool]:
    """File a request. Returns (request, created). A retry with the same Idempotency-Key or external_id and the same
    content returns the request filed first (created False), even when the two calls race: the unique constraints
    decide, and the loser reads the winner's row."""
    if access.is_leader(user):
        raise AccessDenied("领导账号为只读,不能提交诉求。", code=RequestError.LEADER_READ_ONLY)
    key = (idempotency_key or "").strip()[:128] or None
    digest = data.content_hash()
    clean = _clean(data, user)
    external = clean["external_id"]
    region, enterprise = _region_and_enterprise(data, user, clean["credit_code"])
    now = timezone.now()
    received = data.received_at or now
    day = timezone.localdate(received)
    req = Request(
        region=region,
        enterprise=enterprise,
        enterprise_name=enterprise.name if enterprise is not None else clean["enterprise_name"],
        credit_code=enterprise.credit_code if enterprise is not None else clean["credit_code"],
        contact_name=clean["contact_name"],
        contact_phone=clean["contact_phone"],
        channel=clean["channel"],
        category=clean["category"],
        title=clean["title"],
        text=clean["text"],
        filed_by=user,
        external_id=external,
        idempotency_key=key,
        content_hash=digest,
        received_at=received,
        procedural_due_on=day + dt.timedelta(days=PROCEDURAL_REPLY_DAYS),
        substantive_due_on=deadlines.add_months(day, SUBSTANTIVE_ANSWER_MONTHS),
        office_pending=True,
    )
    with transaction.atomic():
        for attempt in range(NUMBER_ATTEMPTS):
            req.number = new_number(received)
            if _insert_new(req):
                break
            # nothing inserted: a unique constraint held. A retry (or a racing first call) of this key or work
            # order is answered with the stored request; on PostgreSQL the insert waited for the racing
            # transaction to commit, so its row is visible to this next statement.
            existing = _find_existing(user, key, external, digest)
            if existing is not None:
                return existing, False
            if attempt == NUMBER_ATTEMPTS - 1 or not Request.objects.filter(number=req.number).exists():
                # not a known constraint (SQLite's OR IGNORE also skips other violations): let save() say why
                req.save(force_insert=True)
                break
            # another request drew the same number (6 random hex digits a day): draw again
        if clean["category"] == Category.ARREARS:
            ArrearsClaim.objects.create(
                request=req, debtor_name=clean["debtor_name"], amount_claimed=clean["amount_claimed"]
            )
        if files:
            from luoshi.requests.services.files import store_attachment

            for name, stream in files:
                store_attachment(request=req, name=name, stream=stream, user=user, purpose="intake")
        record(actor=user, action=RequestEvent.FILED, subject=req, after=snapshot(req, FILED_FIELDS))
    # the office is told by a coalesced background job after the commit (ADR 0110): off the intake's path, one
    # run for all the requests of about a second; the request carries the flag (`office_pending`, set below)
    transaction.on_commit(notify.office_of_new_soon)
    return req, True


_INSERT_REQUEST = PreparedInsert(Request, ignore_conflicts=True)  # compiled once per connection (core.prepared)


def _insert_new(req: Request) -> bool:
    """INSERT the request unless a unique constraint (number, external_id, filer + Idempotency-Key) already holds
    it: ON CONFLICT DO NOTHING RETURNING id, one statement, no savepoint, no look-up first, its SQL compiled once
    per connection (ADR 0130). True when inserted (its id set, `pre_save`/`post_save` sent as `save()` sends
    them: the metrics roll-up follows)."""
    return _INSERT_REQUEST.insert(req)


def _find_existing(user: User | None, key: str | None, external: str | None, digest: str) -> Request | None:
    if external:
        row = Request.objects.filter(external_id=external).first()
        if row is not None:
            return _same(row, digest, f"外部工单号“{external}”")
    if key:
        row = Request.objects.filter(filed_by=user, idempotency_key=key).first()
        if row is not None:
            return _same(row, digest, f"Idempotency-Key“{key}”")
    return None
