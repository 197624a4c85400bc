from luoshi.core import discovery


class AccountsConfig(discovery.LuoshiAppConfig):
    name = "luoshi.accounts"
    label = "accounts"
    verbose_name = "人员与角色"
    cli_module = "luoshi.accounts.cli"
    api_module = "luoshi.accounts.api"
    api_prefix = "me"
    demo_module = "luoshi.accounts.demo"
    demo_order = 20
    events_module = "luoshi.accounts.events"
    home_module = "luoshi.accounts.home"
    nav_module = "luoshi.accounts.nav"
    audit_scope_module = "luoshi.accounts.audit_scopes"
