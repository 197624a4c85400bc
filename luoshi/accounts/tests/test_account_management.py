"""账号管理: the office manages its region subtree's accounts — create (role, unit), deactivate/reactivate, unlock
after too many wrong passwords, reset a password (generated, shown once), assign role and unit — every change
audited with a Chinese label; refused to department staff, leaders, enterprises and another region's office."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from conftest import TEST_PASSWORD
from luoshi.accounts import services
from luoshi.accounts.models import Role, User
from luoshi.audit.models import AuditEvent
from luoshi.audit.presentation import action_label
from luoshi.core.errors import AccessDenied

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _sign_in(username: str, password: str) -> int:
    return Client().post("/accounts/login/", {"username": username, "password": password}).status_code


def _events(user: User, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(subject_type="accounts.user", subject_id=str(user.pk), action=action)
    )


def test_list_shows_the_region_subtree_only(users: dict[str, Any], national_admin: Any) -> None:
    html = client_for(users["admin"]).get("/accounts/users/").content.decode()
    for name in ("staff", "staff_other", "leader", "enterprise", "observer"):
        assert f">{name}</a>" in html, name
    assert ">admin_jz</a>" not in html and ">admin_hubei</a>" not in html
    # the national office sees both cities
    html = client_for(national_admin).get("/accounts/users/").content.decode()
    assert ">admin_jz</a>" in html and ">staff</a>" in html
    assert "账号管理" in client_for(users["admin"]).get("/").content.decode()
    assert "账号管理" not in client_for(users["staff"]).get("/").content.decode()


@pytest.mark.parametrize("who", ["staff", "leader", "enterprise", "observer"])
def test_refused_to_everyone_but_the_office(users: dict[str, Any], who: str) -> None:
    c = client_for(users[who])
    assert c.get("/accounts/users/").status_code == 403
    target = users["staff_other"]
    assert c.get(f"/accounts/users/{target.pk}/").status_code == 403
    c.post(f"/accounts/users/{target.pk}/", {"action": "deactivate"})
    c.post("/accounts/users/", {"username": "sneaky", "role": "admin", "region": users["admin"].region_id})
    assert User.objects.get(pk=target.pk).is_active
    assert not User.objects.filter(username="sneaky").exists()
    with pytest.raises(AccessDenied):
        services.account_set_active(actor=users[who], target=target, active=False)


def test_another_regions_office_cannot_touch_these_accounts(
    users: dict[str, Any], units: dict[str, Any]
) -> None:
    jz = client_for(users["admin_jz"])
    staff = users["staff"]
    assert jz.get(f"/accounts/users/{staff.pk}/").status_code == 404  # does not reveal it exists
    for action in ("deactivate", "reset_password", "unlock"):
        assert jz.post(f"/accounts/users/{staff.pk}/", {"action": action}).status_code == 404
    with pytest.raises(AccessDenied):
        services.account_reset_password(actor=users["admin_jz"], target=staff)
    with pytest.raises(AccessDenied):
        services.account_assign(actor=users["admin_jz"], target=staff, role=Role.LEADER, region=staff.region)
    # nor create accounts in 荆门's units
    r = jz.post("/accounts/users/", {"username": "jz_made", "role": "staff", "unit": units["jm_fgw"].pk})
    assert r.status_code == 403
    assert not User.objects.filter(username="jz_made").exists()
    assert User.objects.get(pk=staff.pk).is_active and _sign_in("staff", TEST_PASSWORD) == 302


def test_an_office_cannot_manage_the_office_above_it(users: dict[str, Any], national_admin: Any) -> None:
    assert client_for(users["admin"]).get(f"/accounts/users/{national_admin.pk}/").status_code == 404
    with pytest.raises(AccessDenied):
        services.account_set_active(actor=users["admin"], target=national_admin, active=False)


def test_create_shows_the_generated_password_once(users: dict[str, Any], units: dict[str, Any]) -> None:
    admin = client_for(users["admin"])
    r = admin.post(
        "/accounts/users/",
        {"username": "zhang_san", "display_name": "张三", "role": "staff", "unit": units["jm_jxj"].pk},
    )
    assert r.status_code == 200
    html = r.content.decode()
    password = re.search(r'id="new-password">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    assert "只显示这一次" in html and "已新增部门工作人员账号" in html
    user = User.objects.get(username="zhang_san")
    assert user.unit == units["jm_jxj"] and user.region == units["jm_jxj"].region and user.role == Role.STAFF
    assert _sign_in("zhang_san", password) == 302
    assert password not in admin.get("/accounts/users/").content.decode()  # never again
    event = AuditEvent.objects.get(
        subject_type="accounts.user", subject_id=str(user.pk), action="user.created"
    )
    assert password not in str(event.after) and action_label(event.action) == "创建账号"


def test_create_refused_keeps_what_was_typed(users: dict[str, Any]) -> None:
    r = client_for(users["admin"]).post(
        "/accounts/users/", {"username": "li_si", "display_name": "李四", "role": "staff"}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "部门工作人员必须指定所属单位" in html
    assert 'value="li_si"' in html and 'value="李四"' in html
    assert not User.objects.filter(username="li_si").exists()


def test_deactivate_and_reactivate(users: dict[str, Any]) -> None:
    admin, staff = client_for(users["admin"]), users["staff"]
    r = admin.post(f"/accounts/users/{staff.pk}/", {"action": "deactivate"}, follow=True)
    assert "已停用账号" in r.content.decode()
    assert not User.objects.get(pk=staff.pk).is_active
    assert _sign_in("staff", TEST_PASSWORD) == 200  # the login page again, refused
    r = admin.post(f"/accounts/users/{staff.pk}/", {"action": "reactivate"}, follow=True)
    assert "已启用账号" in r.content.decode()
    assert _sign_in("staff", TEST_PASSWORD) == 302
    (off,) = _events(staff, "user.deactivated")
    (on,) = _events(staff, "user.activated")
    assert action_label(off.action) == "停用账号" and action_label(on.action) == "启用账号"
    html = admin.get(f"/accounts/users/{staff.pk}/").content.decode()
    assert "停用账号" in html and "启用账号" in html and "user.deactivated" not in html


def test_nobody_deactivates_themselves(users: dict[str, Any]) -> None:
    with pytest.raises(AccessDenied):
        services.account_set_active(actor=users["admin"], target=users["admin"], active=False)
    client_for(users["admin"]).post(f"/accounts/users/{users['admin'].pk}/", {"action": "deactivate"})
    assert User.objects.get(pk=users["admin"].pk).is_active


def test_unlock_after_too_many_wrong_passwords(users: dict[str, Any]) -> None:
    for _ in range(5):
        _sign_in("staff", "wrong-password")
    assert _sign_in("staff", TEST_PASSWORD) == 429
    admin = client_for(users["admin"])
    html = admin.get("/accounts/users/").content.decode()
    assert "登录已锁定" in html
    r = admin.post(f"/accounts/users/{users['staff'].pk}/", {"action": "unlock"}, follow=True)
    assert "已解除账号" in r.content.decode() and "登录锁定" in r.content.decode()
    assert _sign_in("staff", TEST_PASSWORD) == 302
    (event,) = _events(users["staff"], "user.unlocked")
    assert action_label(event.action) == "解除登录锁定" and (event.after or {})["attempts_cleared"] >= 1


def test_reset_password(users: dict[str, Any]) -> None:
    admin, staff = client_for(users["admin"]), users["staff"]
    r = admin.post(f"/accounts/users/{staff.pk}/", {"action": "reset_password"})
    html = r.content.decode()
    password = re.search(r'id="new-password">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    assert "只显示这一次" in html
    assert _sign_in("staff", TEST_PASSWORD) == 200
    assert _sign_in("staff", password) == 302
    (event,) = _events(staff, "user.password_reset")
    assert password not in str(event.after) and action_label(event.action) == "重置密码"
    assert password not in admin.get(f"/accounts/users/{staff.pk}/").content.decode()


def test_assign_role_and_unit(users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]) -> None:
    admin, staff = client_for(users["admin"]), users["staff"]
    r = admin.post(
        f"/accounts/users/{staff.pk}/",
        {"action": "assign", "role": "staff", "unit": units["jm_jxj"].pk},
        follow=True,
    )
    assert "已将账号" in r.content.decode() and units["jm_jxj"].name in r.content.decode()
    assert User.objects.get(pk=staff.pk).unit == units["jm_jxj"]
    admin.post(
        f"/accounts/users/{staff.pk}/",
        {"action": "assign", "role": "leader", "region": regions["jingmen"].pk},
    )
    row = User.objects.get(pk=staff.pk)
    assert row.role == Role.LEADER and row.unit is None and row.region == regions["jingmen"]
    first, second = sorted(_events(staff, "user.role_changed"), key=lambda e: e.pk)
    assert (first.before or {})["unit"] == units["jm_fgw"].name
    assert (first.after or {})["unit"] == units["jm_jxj"].name
    assert action_label(second.action) == "调整角色与单位"
    html = admin.get(f"/accounts/users/{staff.pk}/").content.decode()
    assert "角色: 部门工作人员 → 领导" in html
    # a unit of another city is refused
    r = admin.post(
        f"/accounts/users/{staff.pk}/", {"action": "assign", "role": "staff", "unit": units["jz_fgw"].pk}
    )
    assert r.status_code == 403 and User.objects.get(pk=staff.pk).role == Role.LEADER
    # staff need a unit: refused with a Chinese message, nothing written
    r = admin.post(f"/accounts/users/{staff.pk}/", {"action": "assign", "role": "staff"}, follow=True)
    assert "必须指定所属单位" in r.content.decode() and User.objects.get(pk=staff.pk).role == Role.LEADER
