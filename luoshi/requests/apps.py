from luoshi.core import discovery


class RequestsConfig(discovery.LuoshiAppConfig):
    name = "luoshi.requests"
    label = "enterprise_requests"
    verbose_name = "企业诉求"
