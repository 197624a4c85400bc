from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "luoshi.policies"
    label = "policies"
    verbose_name = "惠企政策"
