from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from luoshi.core.home import home_cards, home_charts, home_template


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {"title": "首页", "cards": home_cards(user), "charts": home_charts(user)}
    return render(request, home_template(user), context)


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
