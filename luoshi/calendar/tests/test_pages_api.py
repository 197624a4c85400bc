"""The /calendar/ page and /api/calendar/: what each role sees, what administrators may change, refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from luoshi.audit.models import AuditEvent
from luoshi.calendar import services
from luoshi.calendar.models import HolidayCorrection, RegionalHoliday
from luoshi.calendar.tests.conftest import NOTICE_2027

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- page ------------------------------------------------------------------------------------------------------
def test_anonymous_is_sent_to_login() -> None:
    response = Client().get("/calendar/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["admin", "staff", "leader", "enterprise", "observer"])
def test_month_view_for_every_role(users: dict[str, Any], who: str) -> None:
    response = client_for(users[who]).get("/calendar/?year=2026&month=10")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-date="2026-10-10" data-kind="makeup"' in body
    assert 'data-date="2026-10-01" data-kind="holiday"' in body
    assert 'data-date="2026-10-12" data-kind="workday"' in body
    assert "data-provisional" not in body
    assert ('id="corrections"' in body) is (who == "admin")  # the admin section only for admins


def test_year_view_and_provisional_banner(users: dict[str, Any]) -> None:
    body = client_for(users["staff"]).get("/calendar/?view=year&year=2027").content.decode()
    assert "data-provisional" in body and "临时" in body
    assert body.count('class="cal"') == 12
    assert 'data-date="2027-02-06" data-kind="holiday"' in body  # 春节 by the statute


def test_calculator(users: dict[str, Any]) -> None:
    client = client_for(users["enterprise"])
    body = client.get("/calendar/?start=2026-09-30&n=3").content.decode()
    assert "2026-10-10" in body and 'id="deadline-result"' in body
    body = client.get("/calendar/?start=2026-12-30&n=5").content.decode()
    assert "2027-01-07" in body and "badge yellow" in body
    body = client.get("/calendar/?start=2026-02-30&n=3").content.decode()
    assert "不存在" in body
    body = client.get("/calendar/?a=2026-09-28&b=2026-10-12").content.decode()
    assert 'id="between-result">6 个工作日' in body


def test_regional_holiday_shows_on_the_page(users: dict[str, Any], regions: dict[str, Any]) -> None:
    services.regional_holiday_add(
        user=users["admin"], region=regions["jingmen"], date="2026-10-09", name="荆门节"
    )
    body = client_for(users["staff"]).get("/calendar/?year=2026&month=10").content.decode()
    assert 'data-date="2026-10-09" data-kind="holiday"' in body and "荆门节" in body
    body = client_for(users["admin_jz"]).get("/calendar/?year=2026&month=10").content.decode()
    assert 'data-date="2026-10-09" data-kind="workday"' in body


def test_admin_adds_and_removes_a_correction_on_the_page(users: dict[str, Any], national_admin: Any) -> None:
    client = client_for(national_admin)
    response = client.post(
        "/calendar/corrections/add/", {"date": "2026-10-12", "kind": "holiday", "name": "测试"}
    )
    assert response.status_code == 302
    row = HolidayCorrection.objects.get()
    assert AuditEvent.objects.get(action="calendar.correction_added").interface == "page"
    assert "测试" in client.get("/calendar/").content.decode()
    response = client.post(
        "/calendar/corrections/add/", {"date": "2026-02-30", "kind": "holiday", "name": "x"}, follow=True
    )
    assert "不存在" in response.content.decode()
    client.post(f"/calendar/corrections/{row.pk}/remove/")
    assert not HolidayCorrection.objects.exists()


def test_admin_uploads_a_notice(users: dict[str, Any], national_admin: Any) -> None:
    client = client_for(national_admin)
    bad = SimpleUploadedFile("bad.toml", NOTICE_2027.replace("2027-02-13", "2027-02-30").encode())
    body = client.post("/calendar/notices/upload/", {"file": bad}, follow=True).content.decode()
    assert "2027-02-30" in body and "第 3 条" in body
    assert not HolidayCorrection.objects.exists()
    good = SimpleUploadedFile("2027.toml", NOTICE_2027.encode())
    body = client.post("/calendar/notices/upload/", {"file": good}, follow=True).content.decode()
    assert "已导入通知" in body
    assert HolidayCorrection.objects.count() == 11


def test_admin_regional_holiday_on_the_page(users: dict[str, Any], regions: dict[str, Any]) -> None:
    client = client_for(users["admin"])
    client.post(
        "/calendar/regional/add/", {"region": regions["jingmen"].pk, "date": "2026-10-09", "name": "x"}
    )
    row = RegionalHoliday.objects.get()
    client.post(f"/calendar/regional/{row.pk}/remove/")
    assert not RegionalHoliday.objects.exists()


@pytest.mark.parametrize("who", ["staff", "leader", "enterprise", "observer"])
def test_non_admins_are_refused_on_the_page(
    users: dict[str, Any], regions: dict[str, Any], who: str, national_admin: Any
) -> None:
    row = services.correction_add(user=national_admin, date="2026-10-12", kind="holiday", name="x")
    holiday = services.regional_holiday_add(
        user=users["admin"], region=regions["jingmen"], date="2026-10-09", name="x"
    )
    client = client_for(users[who])
    for url, data in [
        ("/calendar/corrections/add/", {"date": "2026-10-13", "kind": "holiday", "name": "y"}),
        (f"/calendar/corrections/{row.pk}/remove/", {}),
        ("/calendar/notices/upload/", {"file": SimpleUploadedFile("n.toml", NOTICE_2027.encode())}),
        ("/calendar/regional/add/", {"region": regions["jingmen"].pk, "date": "2026-10-13", "name": "y"}),
        (f"/calendar/regional/{holiday.pk}/remove/", {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert HolidayCorrection.objects.count() == 1 and RegionalHoliday.objects.count() == 1


def test_other_city_admin_cannot_remove_a_regional_holiday(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    holiday = services.regional_holiday_add(
        user=users["admin"], region=regions["jingmen"], date="2026-10-09", name="x"
    )
    assert client_for(users["admin_jz"]).post(f"/calendar/regional/{holiday.pk}/remove/").status_code == 403
    assert RegionalHoliday.objects.count() == 1


# --- API ------------------------------------------------------------------------------------------------------------
def test_api_calculations(users: dict[str, Any]) -> None:
    client = client_for(users["staff"])
    assert client.get("/api/calendar/add-workdays", {"date": "2026-09-30", "n": "3"}).json() == {
        "date": "2026-10-10",
        "provisional": False,
    }
    assert client.get("/api/calendar/add-workdays", {"date": "2026-12-30", "n": "5"}).json() == {
        "date": "2027-01-07",
        "provisional": True,
    }
    assert client.get(
        "/api/calendar/workdays-between", {"start": "2026-09-28", "end": "2026-10-12"}
    ).json() == {"count": 6, "provisional": False}
    day = client.get("/api/calendar/is-workday", {"date": "2005-12-31"}).json()
    assert day["workday"] is True and day["kind"] == "makeup" and day["provisional"] is False
    assert client.get("/api/calendar/is-workday", {"date": "2027-10-01"}).json()["provisional"] is True


def test_api_regional(users: dict[str, Any], regions: dict[str, Any]) -> None:
    services.regional_holiday_add(user=users["admin"], region=regions["jingmen"], date="2026-10-09", name="x")
    staff = client_for(users["staff"])  # staff of a 荆门 unit: 荆门's calendar
    assert (
        staff.get("/api/calendar/add-workdays", {"date": "2026-09-30", "n": "3"}).json()["date"]
        == "2026-10-12"
    )
    other = client_for(users["admin_jz"])
    assert (
        other.get("/api/calendar/add-workdays", {"date": "2026-09-30", "n": "3"}).json()["date"]
        == "2026-10-10"
    )
    assert (
        other.get("/api/calendar/add-workdays", {"date": "2026-09-30", "n": "3", "region": "t420800"}).json()[
            "date"
        ]
        == "2026-10-12"
    )
    assert other.get("/api/calendar/is-workday", {"date": "2026-09-30", "region": "nope"}).status_code == 404


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"date": "2026-02-30", "n": "3"}, "不存在"),
        ({"date": "2003-05-01", "n": "3"}, "超出"),
        ({"date": "2026-09-30", "n": "abc"}, "abc"),
    ],
)
def test_api_bad_input(users: dict[str, Any], params: dict[str, str], fragment: str) -> None:
    response = client_for(users["staff"]).get("/api/calendar/add-workdays", params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and fragment in response.json()["message"]


def test_api_requires_authentication() -> None:
    response = Client().get("/api/calendar/add-workdays", {"date": "2026-09-30", "n": "3"})
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_api_corrections_admin_and_refusals(users: dict[str, Any], national_admin: Any) -> None:
    admin = client_for(national_admin)
    response = admin.post(
        "/api/calendar/corrections",
        {"date": "2026-10-12", "kind": "holiday", "name": "x"},
        content_type="application/json",
    )
    assert response.status_code == 201
    correction_id = response.json()["id"]
    assert AuditEvent.objects.get(action="calendar.correction_added").interface == "api"
    assert [c["date"] for c in admin.get("/api/calendar/corrections").json()] == ["2026-10-12"]
    for who in ("staff", "leader", "enterprise", "observer"):
        client = client_for(users[who])
        assert client.get("/api/calendar/corrections").status_code == 403
        response = client.post(
            "/api/calendar/corrections",
            {"date": "2026-10-13", "kind": "holiday", "name": "y"},
            content_type="application/json",
        )
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
        assert client.delete(f"/api/calendar/corrections/{correction_id}").status_code == 403
    assert HolidayCorrection.objects.count() == 1
    assert admin.delete(f"/api/calendar/corrections/{correction_id}").status_code == 204
    assert admin.delete(f"/api/calendar/corrections/{correction_id}").status_code == 404
    assert not HolidayCorrection.objects.exists()
    assert services.calendar_for().is_workday(dt.date(2026, 10, 12)).value is True
