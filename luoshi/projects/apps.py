from luoshi.core import discovery


class ProjectsConfig(discovery.LuoshiAppConfig):
    name = "luoshi.projects"
    label = "projects"
    verbose_name = "重大项目"
    metrics_module = "luoshi.projects.metrics"
    cli_module = "luoshi.projects.cli"
    api_module = "luoshi.projects.api"
    api_prefix = "projects"
    home_module = "luoshi.projects.home"
    demo_module = "luoshi.projects.demo"
    demo_order = 50
    events_module = "luoshi.projects.events"
    nav_module = "luoshi.projects.nav"
    audit_scope_module = "luoshi.projects.audit_scopes"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from luoshi.projects.seeds import seed_after_migrate

        # the default rules exist after every migrate and every flush (see projects/seeds.py)
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid="projects.default_rules")
