"""Login throttling (django-axes) with two limits (issue 15).

- (username, address): AXES_FAILURE_LIMIT (5) wrong passwords for one account from one address lock that pair.
- username alone: LUOSHI_LOGIN_ACCOUNT_FAILURE_LIMIT (20) wrong passwords for one account from any number of
  addresses lock the account itself for the cool-off time, so spraying one account from many addresses stops.

axes compares one limit with the largest count over AXES_LOCKOUT_PARAMETERS; this handler scales the account-wide
count so each combination has its own threshold. Behind nginx the client address must come from
X-Forwarded-For (`client_ip`, LUOSHI_TRUSTED_PROXIES, see the README), or every client shares the proxy's address
and one user's mistakes lock everyone.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


def _count(attempts: Any) -> int:
    return int(attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)


class LoginThrottleHandler(AxesDatabaseHandler):  # type: ignore[misc]  # django-axes ships no type information
    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        attempts = self.get_user_attempts(request, credentials)  # one queryset per AXES_LOCKOUT_PARAMETERS entry
        pair_limit = get_failure_limit(request, credentials)
        account_limit = int(getattr(settings, "LUOSHI_LOGIN_ACCOUNT_FAILURE_LIMIT", 20))
        counts = []
        for parameter, qs in zip(settings.AXES_LOCKOUT_PARAMETERS, attempts, strict=False):
            n = _count(qs)
            if parameter == "username":  # account-wide: locked once it reaches its own (higher) limit
                n = pair_limit if n >= account_limit else min(n, pair_limit - 1)
            counts.append(n)
        return max(counts, default=0)


def client_ip(request: Any) -> str:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy (LUOSHI_TRUSTED_PROXIES); then the
    right-most X-Forwarded-For entry that is not itself a trusted proxy (entries left of it can be forged)."""
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    trusted = set(getattr(settings, "LUOSHI_TRUSTED_PROXIES", []) or [])
    if not trusted or remote not in trusted:
        return remote
    forwarded = [p.strip() for p in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if p.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address[:45]
    return remote
