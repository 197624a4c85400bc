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


def test_spraying_one_account_from_five_addresses_locks_the_account(users: dict[str, Any]) -> None:
    """Four wrong passwords from each of five addresses (never five from one): the account-wide limit (20) locks
    the account; the right password from a sixth address is refused too (issue 15)."""
    for n in range(5):
        client = Client(REMOTE_ADDR=f"10.0.0.{n + 1}")
        for _ in range(4):
            response = client.post("/accounts/login/", {"username": "staff", "password": "wrong-password"})
            assert response.status_code in (200, 429)
    response = Client(REMOTE_ADDR="10.0.0.99").post(
        "/accounts/login/", {"username": "staff", "password": TEST_PASSWORD}
    )
    assert response.status_code == 429 and "暂时锁定" in response.content.decode()
    # another account is not affected
    other = Client(REMOTE_ADDR="10.0.0.99").post("/accounts/login/", {"username": "leader", "password": TEST_PASSWORD})
    assert other.status_code == 302


def test_a_few_failures_from_several_addresses_do_not_lock_the_account(users: dict[str, Any]) -> None:
    for n in range(3):
        client = Client(REMOTE_ADDR=f"10.0.1.{n + 1}")
        for _ in range(4):
            client.post("/accounts/login/", {"username": "staff", "password": "wrong-password"})
    response = Client(REMOTE_ADDR="10.0.1.50").post("/accounts/login/", {"username": "staff", "password": TEST_PASSWORD})
    assert response.status_code == 302  # 12 < 20 and no single address reached 5


def test_behind_a_proxy_the_forwarded_address_counts(users: dict[str, Any], settings: Any) -> None:
    """With LUOSHI_TRUSTED_PROXIES set (behind nginx) the client address comes from X-Forwarded-For: one client's
    five mistakes do not lock another client signing in to the same account through the same proxy; a forged
    left-hand entry does not help the first."""
    settings.LUOSHI_TRUSTED_PROXIES = ["127.0.0.1"]
    bad = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for _ in range(5):
        bad.post("/accounts/login/", {"username": "staff", "password": "wrong-password"})
    assert bad.post("/accounts/login/", {"username": "staff", "password": TEST_PASSWORD}).status_code == 429
    forged = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4, 203.0.113.7")
    assert forged.post("/accounts/login/", {"username": "staff", "password": TEST_PASSWORD}).status_code == 429
    good = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert good.post("/accounts/login/", {"username": "staff", "password": TEST_PASSWORD}).status_code == 302
