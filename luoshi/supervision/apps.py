from luoshi.core import discovery


class SupervisionConfig(discovery.LuoshiAppConfig):
    name = "luoshi.supervision"
    label = "supervision"
    verbose_name = "督查督办"
    metrics_module = "luoshi.supervision.metrics"
    cli_module = "luoshi.supervision.cli"
    api_module = "luoshi.supervision.api"
    api_prefix = "supervision"
    home_module = "luoshi.supervision.home"
    demo_module = "luoshi.supervision.demo"
    demo_order = 40
    events_module = "luoshi.supervision.events"
    nav_module = "luoshi.supervision.nav"
    audit_scope_module = "luoshi.supervision.audit_scopes"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from luoshi.supervision import reasons

        request_started.connect(reasons.request_started, dispatch_uid="supervision.reasons_request_started")
        request_finished.connect(reasons.request_finished, dispatch_uid="supervision.reasons_request_finished")

        from luoshi.plans.hooks import plan_published

        plan_published.connect(_sync_tasks, dispatch_uid="supervision.tasks_sync_from_plan")

        from luoshi.core.hooks import supervised_task_requested
        from luoshi.supervision.services.hotspots import on_supervised_task_requested

        supervised_task_requested.connect(
            on_supervised_task_requested, dispatch_uid="supervision.task_from_hotspot"
        )


def _sync_tasks(
    sender: object, *, plan: object, actor: object, matches: dict[int, int] | None = None, **kwargs: object
) -> list[object]:
    """Publishing a plan makes one task per measure, carrying over the tasks of the measures it matched."""
    from luoshi.supervision.services import tasks_sync_from_plan

    return list(tasks_sync_from_plan(plan=plan, actor=actor, matches=matches))  # type: ignore[arg-type]
