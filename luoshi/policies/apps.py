from luoshi.core import discovery


class PoliciesConfig(discovery.LuoshiAppConfig):
    name = "luoshi.policies"
    label = "policies"
    verbose_name = "惠企政策"
    cli_module = "luoshi.policies.cli"
    api_module = "luoshi.policies.api"
    api_prefix = "policies"
    demo_module = "luoshi.policies.demo"
    demo_order = 70
    metrics_module = "luoshi.policies.metrics"
    events_module = "luoshi.policies.events"
    nav_module = "luoshi.policies.nav"
