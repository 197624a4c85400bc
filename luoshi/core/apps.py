from luoshi.core import discovery


class CoreConfig(discovery.LuoshiAppConfig):
    name = "luoshi.core"
    label = "core"
    verbose_name = "平台"
    cli_module = "luoshi.core.cli"
