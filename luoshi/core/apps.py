from __future__ import annotations

from typing import TYPE_CHECKING

from luoshi.core import discovery

if TYPE_CHECKING:  # django.http pulls in django.db.models (~0.1 s): not at import, the CLI reads this file
    from django.http import HttpRequest


def _superuser_only(request: HttpRequest) -> bool:
    """Django admin is for superusers (system operators); office staff use the platform's own pages, which are
    scoped to their region. is_staff alone never opens it."""
    user = request.user
    return bool(user.is_active and user.is_superuser)


class CoreConfig(discovery.LuoshiAppConfig):
    name = "luoshi.core"
    label = "core"
    verbose_name = "平台"
    cli_module = "luoshi.core.cli"

    def ready(self) -> None:
        from django.contrib import admin

        admin.site.has_permission = _superuser_only  # type: ignore[method-assign]
