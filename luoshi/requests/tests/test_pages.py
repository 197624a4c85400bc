"""Pages render for the roles that use them and refuse the others; actions go through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from luoshi.requests.models import ContactView, Request

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_enterprise_files_through_the_form(users: dict[str, Any]) -> None:
    c = client_for(users["enterprise"])
    assert c.get("/requests/new/").status_code == 200
    data = {
        "title": "水电报装慢",
        "text": "新厂区用电报装两个月未接电。",
        "contact_name": "王五",
        "contact_phone": "13700001111",
        "channel": "web",
        "category": "factors",
        "form_token": "t1",
    }
    response = c.post("/requests/new/", data)
    assert response.status_code == 302
    again = c.post("/requests/new/", data)  # a double submit files nothing new
    assert again.status_code == 302 and Request.objects.count() == 1
    bad = c.post("/requests/new/", {**data, "contact_phone": "123", "form_token": "t2"})
    assert bad.status_code == 400 and "不是有效的电话号码" in bad.content.decode()


def test_pages_render_for_the_office(users: dict[str, Any], assigned: Callable[..., Any]) -> None:
    req = assigned(category="arrears", debtor_name="某区城投公司", amount_claimed="5000")
    c = client_for(users["admin"])
    for url in (
        "/requests/",
        f"/requests/{req.pk}/",
        "/requests/limits/",
        "/requests/accountability/",
        "/requests/hotspots/",
        "/requests/metrics/",
        "/requests/arrears/",
        "/requests/import/",
        "/requests/registrations/",
        "/requests/metrics/?format=xlsx",
        "/requests/arrears/?format=xlsx",
    ):
        response = c.get(url)
        assert response.status_code == 200, url


def test_staff_sees_its_request_and_signs(users: dict[str, Any], assigned: Callable[..., Any]) -> None:
    req = assigned()
    staff = client_for(users["staff"])
    page = staff.get(f"/requests/{req.pk}/").content.decode()
    assert "签收" in page and "138****8000" in page
    staff.post(f"/requests/{req.pk}/act/", {"action": "sign"})
    req.refresh_from_db()
    assert req.status == "in_progress"
    other = client_for(users["staff_other"])
    assert other.get(f"/requests/{req.pk}/").status_code == 404
    assert other.post(f"/requests/{req.pk}/act/", {"action": "reply", "text": "x"}).status_code == 404


def test_unmasking_the_contact_is_logged(users: dict[str, Any], assigned: Callable[..., Any]) -> None:
    req = assigned()
    c = client_for(users["staff"])
    c.post(f"/requests/{req.pk}/act/", {"action": "contact"})
    assert ContactView.objects.filter(request=req, viewer=users["staff"]).count() == 1
    leader = client_for(users["leader"])
    page = leader.get(f"/requests/{req.pk}/").content.decode()
    assert "13800138000" not in page and "查看完整联系方式" not in page
    leader.post(f"/requests/{req.pk}/act/", {"action": "contact"})
    assert not ContactView.objects.filter(viewer=users["leader"]).exists()


def test_office_pages_refuse_others(users: dict[str, Any]) -> None:
    for who in ("enterprise", "observer"):
        c = client_for(users[who])
        for url in (
            "/requests/accountability/",
            "/requests/metrics/",
            "/requests/limits/",
            "/requests/import/",
        ):
            assert c.get(url).status_code == 403, (who, url)
    assert client_for(users["staff"]).get("/requests/limits/").status_code == 403


def test_self_registration_then_approval(users: dict[str, Any], regions: dict[str, Any]) -> None:
    import random

    from luoshi.accounts.models import User
    from luoshi.orgs.credit_code import make_credit_code

    code = make_credit_code(random.Random(9), "420800")
    anon = Client()
    form = {
        "region": regions["jingmen"].pk,
        "enterprise_name": "荆门丁新材料有限公司",
        "credit_code": code[:17] + "0" if code[17] != "0" else code[:17] + "1",
        "contact_name": "赵六",
        "contact_phone": "13600001234",
        "username": "dingxin",
        "password": "Long-enough-pw1",
    }
    assert "第 18 位" in anon.post("/requests/register/", form).content.decode()
    assert anon.post("/requests/register/", {**form, "credit_code": code}).status_code == 200
    admin = client_for(users["admin"])
    from luoshi.requests.models import EnterpriseRegistration

    reg = EnterpriseRegistration.objects.get()
    assert (
        client_for(users["admin_jz"])
        .post("/requests/registrations/", {"registration": reg.pk, "action": "approve"})
        .status_code
        == 302
    )
    reg.refresh_from_db()
    assert reg.status == "pending"
    admin.post("/requests/registrations/", {"registration": reg.pk, "action": "approve"})
    account = User.objects.get(username="dingxin")
    assert (
        account.role == "enterprise"
        and account.enterprise is not None
        and account.enterprise.credit_code == code
    )
    assert account.check_password("Long-enough-pw1")
