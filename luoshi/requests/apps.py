from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "luoshi.requests"
    label = "enterprise_requests"
    verbose_name = "企业诉求"
