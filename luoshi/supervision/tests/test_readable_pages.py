"""Pages people can read: no English leaks from Django ("- Select an option -", "---------"), dates and codes in
tables never wrap, cut lists say "查看全部", success messages say what happened."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.utils import timezone, translation

ROOT = Path(__file__).resolve().parents[2]  # luoshi/
# the requests and policies apps' templates are their own helpers' (fixed at merge)
OTHERS = ("requests/", "policies/")


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_select_an_option_is_translated() -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("- Select an option -") == "- 请选择 -"


def test_model_choice_fields_have_a_chinese_empty_label() -> None:
    import luoshi.accounts.forms
    import luoshi.plans.forms
    import luoshi.projects.forms

    leaks = []
    for module in (luoshi.plans.forms, luoshi.projects.forms, luoshi.accounts.forms):
        for name, cls in vars(module).items():
            if isinstance(cls, type) and issubclass(cls, forms.Form):
                for field_name, f in cls.base_fields.items():
                    if isinstance(f, forms.ModelChoiceField) and f.empty_label == "---------":
                        leaks.append(f"{module.__name__}.{name}.{field_name}")
    assert not leaks, leaks


def _templates() -> list[Path]:
    return [
        p
        for p in ROOT.rglob("templates/**/*.html")
        if not any(o in str(p.relative_to(ROOT)) for o in OTHERS)
    ]


def test_table_cells_with_dates_and_codes_do_not_wrap() -> None:
    bare = re.compile(r"<td>\{\{ [a-z_.]*(\|date:|\.code \}\}|\.number \}\}|credit_code \}\})")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _templates()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if bare.search(line)
    ]
    assert not offenders, "give date/code cells class nowrap or code:\n" + "\n".join(offenders)
    css = (ROOT / "static/luoshi/luoshi.css").read_text(encoding="utf-8")
    assert re.search(r"\.nowrap[^{]*\{[^}]*white-space:\s*nowrap", css)
    assert re.search(r"\.code[^{]*\{[^}]*white-space:\s*nowrap", css)


@pytest.mark.django_db
def test_cut_lists_link_to_the_full_list(tasks: list[Any], users: dict[str, Any], make_plan: Any) -> None:
    from luoshi.supervision import services
    from luoshi.supervision.models import Task, TaskStatus

    plan = make_plan(
        [{"text": f"第{i}项", "deadline": dt.date(2026, 12, 31), "lead": ["jm_fgw"]} for i in range(12)]
    )
    made = services.tasks_sync_from_plan(plan=plan, actor=users["admin"], today=dt.date(2026, 1, 5))
    Task.objects.filter(pk__in=[t.pk for t in made]).update(
        status=TaskStatus.SIGNED_OFF, signed_off_at=timezone.now()
    )
    html = client_for(users["leader"]).get("/supervision/overview/").content.decode()
    assert "共 12 项" in html and "?status=signed_off" in html and "查看全部" in html
    page = client_for(users["admin"]).get(f"/supervision/tasks/{tasks[0].pk}/").content.decode()
    assert f"?type=supervision.task&amp;id={tasks[0].pk}" in page and "查看全部变更记录" in page
    assert "plan.published" not in page and "task.created" not in page  # the history in Chinese, not codes


@pytest.mark.django_db
def test_success_messages_say_what_happened(
    tasks: list[Any], users: dict[str, Any], units: dict[str, Any]
) -> None:
    admin = client_for(users["admin"])
    r = admin.post(
        f"/supervision/tasks/{tasks[0].pk}/notice/",
        {"unit": units["jm_fgw"].pk, "reply_deadline": "2099-01-01", "requirement": "请加快"},
        follow=True,
    )
    year = timezone.localdate().year
    assert re.search(rf"已向荆门市发展和改革委员会发出督办单 荆门市营商督〔{year}〕\d+号", r.content.decode())


@pytest.mark.django_db
def test_the_plan_rules_page_is_reachable(tasks: list[Any], users: dict[str, Any]) -> None:
    admin = client_for(users["admin"])
    url = f"/supervision/plans/{tasks[0].plan_id}/rules/"
    assert url in admin.get(f"/supervision/tasks/{tasks[0].pk}/").content.decode()
    assert url in admin.get("/supervision/proposals/").content.decode()
    page = admin.get(url).content.decode()
    assert "预警阈值与督办规则" in page or "预警与督办规则" in page
    assert url not in client_for(users["staff"]).get(f"/supervision/tasks/{tasks[0].pk}/").content.decode()
