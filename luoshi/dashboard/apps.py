from luoshi.core import discovery


class DashboardConfig(discovery.LuoshiAppConfig):
    name = "luoshi.dashboard"
    label = "dashboard"
    verbose_name = "监测"
