from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from luoshi.audit.selectors import recent_events_for


@login_required
def index(request: HttpRequest) -> HttpResponse:
    events = recent_events_for(request.user)  # type: ignore[arg-type]
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/index.html", {"title": "审计记录", "page": page})
