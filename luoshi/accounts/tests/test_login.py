from typing import Any

import pytest
from django.test import Client

from conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_succeeds_and_home_is_per_role(users: dict[str, Any]) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "staff", "password": TEST_PASSWORD})
    assert response.status_code == 302
    home = client.get("/")
    assert "部门工作台" in home.content.decode()
    client.logout()
    client.post("/accounts/login/", {"username": "leader", "password": TEST_PASSWORD})
    assert "领导驾驶舱" in client.get("/").content.decode()


def test_five_wrong_passwords_lock_the_account(users: dict[str, Any]) -> None:
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "staff", "password": "wrong-password"})
    # after the fifth failure even the right password is refused for a while
    response = client.post("/accounts/login/", {"username": "staff", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()


def test_anonymous_is_sent_to_login(db: Any) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_django_admin_is_for_superusers_only(users: dict[str, Any]) -> None:
    """Office admins use the platform's region-scoped pages; Django admin shows every region (issue 15)."""
    client = Client()
    client.force_login(users["admin"])
    assert client.get("/admin/").status_code == 302
    assert users["admin"].has_perm("orgs.change_unit")
    client.force_login(users["staff"])
    assert client.get("/admin/").status_code == 302  # sent to the admin login: not staff
