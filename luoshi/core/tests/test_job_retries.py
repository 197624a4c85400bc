"""Jobs that matter are retried (issue 15: huey does not re-run a lost job by itself): every sweep, digest,
refresh, seal and import job declares retries. Jobs are idempotent (core/jobs.py), so a retry is safe."""

from __future__ import annotations

import importlib

from django.apps import apps
from huey.api import TaskWrapper

# Jobs that may run without retries: none of them changes state a person relies on.
WITHOUT_RETRIES = {"luoshi.requests.tasks.retrain_routing"}


def test_every_job_declares_retries() -> None:
    missing = []
    seen = 0
    for config in apps.get_app_configs():
        if not config.name.startswith("luoshi."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tasks")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if isinstance(value, TaskWrapper) and value.func.__module__ == module.__name__:
                seen += 1
                key = f"{module.__name__}.{name}"
                if key not in WITHOUT_RETRIES and not getattr(value.task_class, "default_retries", 0):
                    missing.append(key)
    assert seen >= 15, "the jobs were not found"
    assert not missing, f"jobs without retries: {missing}"
