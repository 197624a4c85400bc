from luoshi.core import discovery


class DirectoryConfig(discovery.LuoshiAppConfig):
    """The org directory's pages, API, commands and demo step over the orgs models, with the access kernel's
    checks (luoshi.accounts.access): one layer above accounts, so orgs itself imports nothing above it."""

    name = "luoshi.directory"
    label = "directory"
    verbose_name = "组织机构目录"
    cli_module = "luoshi.directory.cli"
    api_module = "luoshi.directory.api"
    api_prefix = "orgs"  # /api/orgs/ as before the split
    demo_module = "luoshi.directory.demo"
    demo_order = 10
    nav_module = "luoshi.directory.nav"
