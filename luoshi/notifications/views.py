"""Pages: one's own notifications (clicking one marks it read and opens its subject), channel preferences."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from luoshi.accounts.models import User
from luoshi.core.bounds import parse_key
from luoshi.notifications import selectors, services


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


_int = parse_key  # bounded: an overflowing id or version is None (404 / 400), never a 500


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        ids = [i for i in (_int(x) for x in request.POST.getlist("id")) if i]
        services.mark_read(user=_user(request), ids=ids or None)
        return redirect("notifications:index")
    page = Paginator(selectors.notifications_for(_user(request)), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/index.html",
        {"title": "通知", "page": page, "preference": selectors.preference_of(_user(request))},
    )


@login_required
def open_one(request: HttpRequest, pk: int) -> HttpResponse:
    url = services.open_notification(user=_user(request), notification_id=pk)
    return redirect(url if url.startswith("/") else "notifications:index")


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    services.set_preference(
        user=_user(request),
        email=request.POST.get("email") == "on",
        sms=request.POST.get("sms") == "on",
        daily_digest=request.POST.get("daily_digest") == "on",
    )
    return redirect("notifications:index")
