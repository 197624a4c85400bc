"""National holiday data belongs to its owner (a superuser or the office of a top-level region): every other
role and region is refused on the service, the page, the API and the Django admin; regional holidays stay
regional. See luoshi/calendar/access.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from luoshi.audit.models import AuditEvent
from luoshi.calendar import access, services
from luoshi.calendar.models import CalendarNotice, HolidayCorrection
from luoshi.core.errors import AccessDenied

from .conftest import NOTICE_2027

pytestmark = pytest.mark.django_db

# every account that is not the owner: the city offices below the province, and every other role
NOT_OWNERS = ["admin", "admin_jz", "staff", "staff_other", "leader", "enterprise", "observer"]


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _park_admin(regions: dict[str, Any]) -> Any:
    """An office admin of a park below 荆门市 (the lowest level)."""
    from luoshi.accounts.models import Role
    from luoshi.accounts.services import user_create
    from luoshi.directory.services import region_create
    from luoshi.orgs.models import RegionLevel

    park = region_create(code="t420801", name="荆门高新区", level=RegionLevel.PARK, parent=regions["jingmen"])
    return user_create(username="admin_park", password="Test-password-2025", role=Role.ADMIN, region=park)


@pytest.fixture
def refused(users: dict[str, Any], regions: dict[str, Any]) -> dict[str, Any]:
    return {**{k: users[k] for k in NOT_OWNERS}, "admin_park": _park_admin(regions)}


def test_owner_is_the_top_level_office_or_a_superuser(
    users: dict[str, Any], national_admin: Any, refused: dict[str, Any]
) -> None:
    assert access.can(national_admin, "national.change")
    assert access.can(None, "national.change")  # the system (commands run by the operator)
    superuser = users["admin_jz"]
    superuser.is_superuser = True
    assert access.can(superuser, "national.change")
    superuser.is_superuser = False
    for key, user in refused.items():
        assert not access.can(user, "national.change"), key
    national_admin.is_active = False
    assert not access.can(national_admin, "national.change")


def test_every_other_role_and_region_is_refused_by_the_services(
    national_admin: Any, refused: dict[str, Any]
) -> None:
    row = services.correction_add(user=national_admin, date="2026-10-12", kind="holiday", name="x")
    notice = services.notice_load(user=national_admin, content=NOTICE_2027, file_name="2027.toml")
    for key, user in refused.items():
        with pytest.raises(AccessDenied, match="全国数据"):
            services.correction_add(user=user, date="2026-10-13", kind="holiday", name="y")
        with pytest.raises(AccessDenied):
            services.correction_update(user=user, correction=row, kind="workday", name="y")
        with pytest.raises(AccessDenied):
            services.correction_remove(user=user, correction=row)
        with pytest.raises(AccessDenied):
            services.notice_load(user=user, content=NOTICE_2027)
        with pytest.raises(AccessDenied):
            services.notice_remove(user=user, notice=notice)
        assert not AuditEvent.objects.filter(actor=user).exists(), key
    assert HolidayCorrection.objects.filter(notice__isnull=True).count() == 1
    assert CalendarNotice.objects.count() == 1


def test_every_other_role_and_region_is_refused_on_the_page_and_the_api(
    national_admin: Any, refused: dict[str, Any]
) -> None:
    row = services.correction_add(user=national_admin, date="2026-10-12", kind="holiday", name="x")
    for key, user in refused.items():
        client = client_for(user)
        page = client.get("/calendar/").content.decode()
        assert 'id="correction-add"' not in page and 'id="notice-upload"' not in page, key
        for url, data in [
            ("/calendar/corrections/add/", {"date": "2026-10-13", "kind": "holiday", "name": "y"}),
            (f"/calendar/corrections/{row.pk}/remove/", {}),
            ("/calendar/notices/upload/", {"file": SimpleUploadedFile("n.toml", NOTICE_2027.encode())}),
        ]:
            assert client.post(url, data).status_code == 403, (key, url)
        response = client.post(
            "/api/calendar/corrections",
            {"date": "2026-10-13", "kind": "holiday", "name": "y"},
            content_type="application/json",
        )
        assert response.status_code == 403 and response.json()["code"] == "forbidden", key
        assert client.delete(f"/api/calendar/corrections/{row.pk}").status_code == 403, key
    assert list(HolidayCorrection.objects.values_list("pk", flat=True)) == [row.pk]
    # the owner sees the forms and may change
    owner = client_for(national_admin)
    assert 'id="correction-add"' in owner.get("/calendar/").content.decode()
    assert owner.delete(f"/api/calendar/corrections/{row.pk}").status_code == 204


def test_django_admin_refuses_staff_accounts_that_do_not_own_national_data(
    users: dict[str, Any], national_admin: Any, refused: dict[str, Any]
) -> None:
    perms = Permission.objects.filter(content_type__app_label="calendar")
    row = services.correction_add(user=national_admin, date="2026-10-12", kind="holiday", name="x")
    for key in ("admin", "admin_jz", "admin_park"):
        user = refused[key]
        user.is_staff = True  # even with admin access and every calendar permission
        user.save(update_fields=["is_staff"])
        user.user_permissions.set(perms)
        client = client_for(user)
        assert client.get("/admin/calendar/holidaycorrection/add/").status_code in (302, 403), key
        response = client.post(
            "/admin/calendar/holidaycorrection/add/",
            {"date": "2026-10-13", "kind": "holiday", "name": "y", "source": ""},
        )
        assert response.status_code in (302, 403), key
        response = client.post(f"/admin/calendar/holidaycorrection/{row.pk}/delete/", {"post": "yes"})
        assert response.status_code in (302, 403), key
        assert not access.can(user, "national.change"), key  # the admin's own guard refuses too
    assert list(HolidayCorrection.objects.values_list("pk", flat=True)) == [row.pk]
    superuser = users["admin_jz"]
    superuser.is_staff = superuser.is_superuser = True
    superuser.save(update_fields=["is_staff", "is_superuser"])
    assert client_for(superuser).get("/admin/calendar/holidaycorrection/add/").status_code == 200


def test_regional_holidays_stay_regional(users: dict[str, Any], regions: dict[str, Any]) -> None:
    holiday = services.regional_holiday_add(
        user=users["admin"], region=regions["jingmen"], date="2026-10-09", name="荆门节"
    )
    with pytest.raises(AccessDenied):
        services.regional_holiday_add(
            user=users["admin_jz"], region=regions["jingmen"], date="2026-10-10", name="x"
        )
    with pytest.raises(AccessDenied):
        services.regional_holiday_remove(user=users["admin_jz"], holiday=holiday)
    with pytest.raises(AccessDenied):
        services.regional_holiday_add(user=users["staff"], region=regions["jingmen"], date="2026-10-10", name="x")
