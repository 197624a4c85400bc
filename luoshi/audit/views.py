import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from luoshi.audit.exports import audit_xlsx
from luoshi.audit.presentation import action_choices, present, subject_type_choices
from luoshi.audit.selectors import AuditFilters, recent_events_for
from luoshi.core.downloads import XLSX, file_response

PAGE_SIZE = 50


def _date(text: str | None) -> dt.date | None:
    try:
        value = dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return value if 2000 <= value.year <= 2100 else None


def _filters(request: HttpRequest) -> AuditFilters:
    g = request.GET
    return AuditFilters(
        subject_type=g.get("type", "")[:100],
        subject_id=g.get("id", "")[:64],
        subject=g.get("subject", "").replace("\x00", "")[:100],
        actor=g.get("actor", "").replace("\x00", "")[:100],
        action=g.get("action", "")[:64],
        date_from=_date(g.get("from")),
        date_to=_date(g.get("to")),
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    events = recent_events_for(request.user, filters)  # type: ignore[arg-type]
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/index.html",
        {
            "title": "审计记录",
            "page": page,
            "rows": [present(e) for e in page.object_list],
            "filters": filters,
            "actions": action_choices(),
            "types": subject_type_choices(),
            "query": query.urlencode(),
        },
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    data = audit_xlsx(request.user, _filters(request))  # type: ignore[arg-type]
    name = f"审计记录-{timezone.localdate():%Y%m%d}.xlsx"
    return file_response(data, name, XLSX, fallback="audit.xlsx")
