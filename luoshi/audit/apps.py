from typing import Any

from luoshi.core import discovery


def arm_delete_guard(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After every ``migrate`` and every flush (Django follows a flush with ``post_migrate``) the audit trail is
    append-only again: on SQLite a purge permit (a row in ``audit_purge_permit``, see migration 0002) granted for
    a retention purge or a test flush is withdrawn. PostgreSQL needs nothing: its guards have no permit."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite" or "audit_purge_permit" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_purge_permit")


class AuditConfig(discovery.LuoshiAppConfig):
    name = "luoshi.audit"
    label = "audit"
    verbose_name = "审计记录"
    cli_module = ("luoshi.audit.cli", "luoshi.audit.backup")  # backup and restore keep the hash chain
    nav_module = "luoshi.audit.nav"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(arm_delete_guard, sender=self, dispatch_uid="audit.arm_delete_guard")
