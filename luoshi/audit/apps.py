from luoshi.core import discovery


class AuditConfig(discovery.LuoshiAppConfig):
    name = "luoshi.audit"
    label = "audit"
    verbose_name = "审计记录"
    cli_module = "luoshi.audit.cli"
