from luoshi.core import discovery


class NotificationsConfig(discovery.LuoshiAppConfig):
    name = "luoshi.notifications"
    label = "notifications"
    verbose_name = "通知"
    nav_module = "luoshi.notifications.nav"

    def ready(self) -> None:
        super().ready()
        from luoshi.notifications import channels  # noqa: F401  (registers the SMS backend system check)
