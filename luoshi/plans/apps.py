from luoshi.core import discovery


class PlansConfig(discovery.LuoshiAppConfig):
    name = "luoshi.plans"
    label = "plans"
    verbose_name = "行动方案"
    cli_module = "luoshi.plans.cli"
    api_module = "luoshi.plans.api"
    api_prefix = "plans"
    home_module = "luoshi.plans.home"
    demo_module = "luoshi.plans.demo"
    demo_order = 30
    events_module = "luoshi.plans.events"
    nav_module = "luoshi.plans.nav"
    audit_scope_module = "luoshi.plans.audit_scopes"
