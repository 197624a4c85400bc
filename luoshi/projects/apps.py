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
