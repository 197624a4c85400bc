"""Sign-in of enterprise users through a province's unified identity (OIDC) with mozilla-django-oidc.

Off by default: settings switch it on when `LUOSHI_OIDC_CLIENT_ID` is set (see README). A signed-in identity
becomes an enterprise account only if its credit-code claim (`LUOSHI_OIDC_CREDIT_CODE_CLAIM`, default ``uscc``) is a
valid USCC of an enterprise already in the directory; otherwise sign-in is refused. Accounts are keyed by the
identity's ``sub`` (username ``oidc:<sub>``), never by e-mail."""

from __future__ import annotations

import os
from typing import Any

from django.db.models import QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from luoshi.accounts.models import Role, User
from luoshi.audit.services import record
from luoshi.orgs.credit_code import credit_code_problem
from luoshi.orgs.models import Enterprise
from luoshi.requests.events import RequestEvent


def credit_code_claim() -> str:
    return os.environ.get("LUOSHI_OIDC_CREDIT_CODE_CLAIM", "uscc")


def username_for(claims: dict[str, Any]) -> str:
    return f"oidc:{claims.get('sub', '')}"[:150]


class EnterpriseOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        code = str(claims.get(credit_code_claim(), "")).strip().upper()
        return bool(claims.get("sub")) and bool(code) and not credit_code_problem(code)

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        return User.objects.filter(username=username_for(claims), role=Role.ENTERPRISE, is_active=True)

    def create_user(self, claims: dict[str, Any]) -> User | None:
        code = str(claims.get(credit_code_claim(), "")).strip().upper()
        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            return None  # not in the directory: the office registers the firm first
        user = User.objects.create(
            username=username_for(claims),
            role=Role.ENTERPRISE,
            enterprise=enterprise,
            display_name=str(claims.get("name", ""))[:50],
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        record(
            actor=None,
            action=RequestEvent.ACCOUNT_CREATED,
            subject=user,
            after={"role": Role.ENTERPRISE, "via": "oidc"},
            actor_label="统一身份认证",
        )
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return user
