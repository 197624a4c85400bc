"""OIDC sign-in: off by default; an identity becomes an enterprise account only for a valid USCC in the directory."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.conf import settings

from luoshi.orgs.credit_code import make_credit_code
from luoshi.orgs.models import Enterprise

OIDC = {
    "OIDC_RP_CLIENT_ID": "luoshi",
    "OIDC_RP_CLIENT_SECRET": "s",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.invalid/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.invalid/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.invalid/jwks",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.invalid/auth",
    "OIDC_RP_SIGN_ALGO": "RS256",
}


def test_off_by_default() -> None:
    assert settings.OIDC_ENABLED is False
    assert "mozilla_django_oidc" not in settings.INSTALLED_APPS


@pytest.mark.django_db
def test_identity_maps_to_an_enterprise_in_the_directory(regions: dict[str, Any], settings: Any) -> None:
    for k, v in OIDC.items():
        setattr(settings, k, v)
    from luoshi.requests.oidc import EnterpriseOIDCBackend

    backend = EnterpriseOIDCBackend()
    code = make_credit_code(random.Random(4), "420800")
    assert not backend.verify_claims({"sub": "u1", "uscc": code[:17] + ("0" if code[17] != "0" else "1")})
    assert backend.verify_claims({"sub": "u1", "uscc": code})
    assert backend.create_user({"sub": "u1", "uscc": code}) is None  # unknown firm
    ent = Enterprise.objects.create(name="荆门壬公司", credit_code=code, region=regions["jingmen"])
    user = backend.create_user({"sub": "u1", "uscc": code, "name": "吴"})
    assert (
        user is not None
        and user.enterprise == ent
        and user.role == "enterprise"
        and not user.has_usable_password()
    )
    assert list(backend.filter_users_by_claims({"sub": "u1"})) == [user]
