from luoshi.core import discovery


class DashboardConfig(discovery.LuoshiAppConfig):
    name = "luoshi.dashboard"
    label = "dashboard"
    verbose_name = "监测"
    cli_module = "luoshi.dashboard.cli"
    api_module = "luoshi.dashboard.api"
    api_prefix = "dashboard"
    demo_module = "luoshi.dashboard.demo"
    demo_order = 90  # last: its summaries count what the steps above made
    events_module = "luoshi.dashboard.events"
    nav_module = "luoshi.dashboard.nav"
