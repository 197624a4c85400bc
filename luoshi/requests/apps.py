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

    def ready(self) -> None:
        from django.db.models.signals import post_init, post_save

        from luoshi.requests.models import Request
        from luoshi.requests.services.metrics import record_change, remember

        # the metrics roll-up follows every state change of a request (services/metrics.py)
        post_init.connect(remember, sender=Request, dispatch_uid="requests.metrics_remember")
        post_save.connect(record_change, sender=Request, dispatch_uid="requests.metrics_record_change")
        from django.db.models.signals import post_delete

        from luoshi.orgs.models import Region
        from luoshi.requests.services.intake import forget_regions

        # intake keeps regions by code per process (services/intake.py): a change here clears it at once
        post_save.connect(forget_regions, sender=Region, dispatch_uid="requests.forget_regions_saved")
        post_delete.connect(forget_regions, sender=Region, dispatch_uid="requests.forget_regions_deleted")
