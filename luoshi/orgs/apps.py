from luoshi.core import discovery


class OrgsConfig(discovery.LuoshiAppConfig):
    """The directory's data: regions, units, aliases, enterprises (models, file format, matching rules). Its
    permission-checked pages, API, commands and demo step live one layer up, in luoshi.directory."""

    name = "luoshi.orgs"
    label = "orgs"
    verbose_name = "组织机构"
    events_module = "luoshi.orgs.events"
