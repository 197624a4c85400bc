from luoshi.core import discovery


class RequestsConfig(discovery.LuoshiAppConfig):
    name = "luoshi.requests"
    label = "enterprise_requests"
    verbose_name = "企业诉求"
    cli_module = "luoshi.requests.cli"
    api_module = "luoshi.requests.api"
    api_prefix = "requests"
    home_module = "luoshi.requests.home"
    demo_module = "luoshi.requests.demo"
    demo_order = 60
    metrics_module = "luoshi.requests.metrics"
    events_module = "luoshi.requests.events"
    nav_module = "luoshi.requests.nav"
