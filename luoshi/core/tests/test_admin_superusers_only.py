"""Django admin lists every region's units and enterprises: it opens for superusers only."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_admin_is_refused_to_every_platform_role(
    client: Any, users: dict[str, Any], enterprises: dict[str, Any]
) -> None:
    for name, user in users.items():
        user.is_staff = True  # even with the staff flag set by hand
        user.save(update_fields=["is_staff"])
        client.force_login(user)
        for url in (
            "/admin/",
            "/admin/orgs/enterprise/",
            "/admin/orgs/unit/",
            "/admin/calendar/holidaycorrection/",
        ):
            response = client.get(url)
            assert response.status_code in (302, 403), (name, url)
            assert enterprises["a"].credit_code not in response.content.decode(), (name, url)


def test_admin_opens_for_a_superuser(client: Any, enterprises: dict[str, Any]) -> None:
    from luoshi.accounts.models import User

    root = User.objects.create_superuser("root", password="Root-password-2025")
    client.force_login(root)
    assert client.get("/admin/orgs/enterprise/").status_code == 200
