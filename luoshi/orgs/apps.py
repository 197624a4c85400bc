from luoshi.core import discovery


class OrgsConfig(discovery.LuoshiAppConfig):
    name = "luoshi.orgs"
    label = "orgs"
    verbose_name = "组织机构"
    cli_module = "luoshi.orgs.cli"
    api_module = "luoshi.orgs.api"
    api_prefix = "orgs"
    demo_module = "luoshi.orgs.demo"
    demo_order = 10
    events_module = "luoshi.orgs.events"
    nav_module = "luoshi.orgs.nav"
