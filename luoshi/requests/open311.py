"""Open311 GeoReport v2 facade (JSON): `services.json`, `requests.json` (GET list, POST file), `requests/<id>.json`,
over the same selectors and services as the pages, so existing civic clients can file and read requests.

Authentication: `api_key` (a luoshi API token) as a parameter, or the browser session. Contacts are never exposed.
Errors are GeoReport error lists: ``[{"code": 400, "description": "..."}]``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from luoshi.accounts.models import ApiToken, User
from luoshi.core.errors import DomainError
from luoshi.requests import access, selectors, services
from luoshi.requests.models import Category, Channel, Request

DESCRIPTIONS: dict[str, str] = {
    Category.CONSULT: "政策咨询",
    Category.COMPLAINT: "投诉举报",
    Category.SUGGESTION: "意见建议",
    Category.APPROVAL: "审批服务问题",
    Category.FACTORS: "用地、用工、融资等要素保障",
    Category.ENFORCEMENT: "执法监管问题",
    Category.ARREARS: "政府机构、国有企业拖欠企业账款",
    Category.OTHER: "其他诉求",
}


def _error(code: int, description: str) -> JsonResponse:
    return JsonResponse(
        [{"code": code, "description": description}],
        status=code,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )


def _ok(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _caller(request: HttpRequest) -> User | None:
    key = request.GET.get("api_key") or request.POST.get("api_key") or ""
    if key:
        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(key), revoked=False, user__is_active=True)
            .first()
        )
        return row.user if row else None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None  # type: ignore[return-value]


def services_json(request: HttpRequest) -> JsonResponse:
    return _ok(
        [
            {
                "service_code": value,
                "service_name": label,
                "description": DESCRIPTIONS.get(value, label),
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": "企业诉求",
            }
            for value, label in Category.choices
        ]
    )


def _as_open311(r: Request) -> dict[str, Any]:
    return {
        "service_request_id": str(r.pk),
        "status": "open" if r.is_open else "closed",
        "status_notes": r.reply_text or r.review_reason or r.get_status_display(),
        "service_name": r.get_category_display(),
        "service_code": r.category,
        "description": r.text,
        "agency_responsible": r.lead_unit.name if r.lead_unit else "",
        "service_notice": r.number,
        "requested_datetime": r.received_at.isoformat(),
        "updated_datetime": (
            r.closed_at or r.replied_at or r.assigned_at or r.reviewed_at or r.received_at
        ).isoformat(),
        "expected_datetime": r.due_on.isoformat() if r.due_on else None,
        "address": r.region.name,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _date(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


@csrf_exempt
def requests_json(request: HttpRequest) -> JsonResponse:
    user = _caller(request)
    if user is None:
        return _error(401, "请提供有效的 api_key。")
    if request.method == "POST":
        return _file(request, user)
    qs = selectors.request_list(user).select_related("region", "lead_unit")
    g = request.GET
    if g.get("service_request_id"):
        ids = [int(x) for x in g["service_request_id"].split(",") if x.strip().isdigit()]
        qs = qs.filter(pk__in=ids)
    if g.get("service_code"):
        qs = qs.filter(category__in=g["service_code"].split(","))
    if g.get("status") in ("open", "closed"):
        from luoshi.requests.models import OPEN_STATUSES

        qs = (
            qs.filter(status__in=OPEN_STATUSES)
            if g["status"] == "open"
            else qs.exclude(status__in=OPEN_STATUSES)
        )
    for param, lookup in (("start_date", "received_at__gte"), ("end_date", "received_at__lte")):
        if g.get(param):
            when = _date(g[param])
            if when is None:
                return _error(400, f"{param} 应为 ISO 8601 时间。")
            qs = qs.filter(**{lookup: when})
    return _ok([_as_open311(r) for r in qs[:1000]])


def request_json(request: HttpRequest, pk: int) -> JsonResponse:
    user = _caller(request)
    if user is None:
        return _error(401, "请提供有效的 api_key。")
    try:
        req = selectors.request_get(user, pk)
    except DomainError as exc:
        return _error(exc.status, exc.message)
    return _ok([_as_open311(req)])


def _file(request: HttpRequest, user: User) -> JsonResponse:
    p = request.POST
    code = p.get("service_code", "")
    if code not in Category.values:
        return _error(400, f"service_code“{code}”无效,请先查询 services.json。")
    name = "".join(x for x in (p.get("last_name", ""), p.get("first_name", "")) if x) or "匿名"
    description = p.get("description", "").strip()
    data = services.RequestInput(
        enterprise_name=p.get("attribute[enterprise_name]", "") or p.get("enterprise_name", "") or name,
        credit_code=p.get("attribute[credit_code]", "") or p.get("credit_code", ""),
        contact_name=name,
        contact_phone=p.get("phone", ""),
        title=description[:40],
        text=description,
        channel=Channel.WEB if access.is_enterprise(user) else Channel.PARK,
        category=code,
        region_code=p.get("attribute[region_code]", "") or p.get("region_code", ""),
        external_id=p.get("attribute[external_id]", "") or p.get("external_id", ""),
    )
    try:
        req, created = services.request_file(
            user=user, data=data, idempotency_key=request.headers.get("Idempotency-Key", "")
        )
    except DomainError as exc:
        return _error(exc.status, exc.message)
    return _ok(
        [{"service_request_id": str(req.pk), "service_notice": req.number, "account_id": None}],
        status=201 if created else 200,
    )


__all__ = ["request_json", "requests_json", "services_json"]
