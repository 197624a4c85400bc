from luoshi.core import discovery


class CalendarConfig(discovery.LuoshiAppConfig):
    name = "luoshi.calendar"
    label = "calendar"
    verbose_name = "工作日历"
    cli_module = "luoshi.calendar.cli"
    api_module = "luoshi.calendar.api"
    api_prefix = "calendar"
    events_module = "luoshi.calendar.events"
    nav_module = "luoshi.calendar.nav"
    audit_scope_module = "luoshi.calendar.audit_scopes"
