from luoshi.core import discovery


class PoliciesConfig(discovery.LuoshiAppConfig):
    name = "luoshi.policies"
    label = "policies"
    verbose_name = "惠企政策"
