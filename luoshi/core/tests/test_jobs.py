"""Background jobs through the real queue: SQLite file on the embedded default, Redis when REDIS_URL is set (CI).

A job enqueued before a restart is still there after it, and a job delivered twice has one effect.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from huey.contrib.djhuey import HUEY

from luoshi.audit.models import AuditEvent
from luoshi.projects.models import Project
from luoshi.projects.services import create_projects_bulk
from luoshi.projects.tasks import projects_daily_sweep

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def real_queue() -> Iterator[Any]:
    """Switch huey from the tests' immediate mode to its configured storage, emptied before and after."""
    HUEY.immediate = False
    HUEY.flush()
    try:
        yield HUEY
    finally:
        HUEY.flush()
        HUEY.immediate = True


def _restarted(huey: Any) -> Any:
    """A new huey instance on the same storage, as a worker process started after a restart would have."""
    storage = huey.storage
    if hasattr(storage, "filename"):
        return type(huey)(huey.name, filename=storage.filename)
    return type(huey)(huey.name, connection_pool=storage.pool)


def test_job_survives_a_restart_and_running_it_twice_has_one_effect(
    real_queue: Any, regions: dict[str, Any]
) -> None:
    create_projects_bulk(4, regions["jingmen"], random.Random(3))
    assert not Project.objects.exclude(colour="").exists()

    projects_daily_sweep()  # enqueued, not run
    projects_daily_sweep()  # delivered twice (a retry, a duplicate schedule ...)
    assert Project.objects.exclude(colour="").count() == 0
    assert _restarted(real_queue).pending_count() == 2

    results = []
    while (task := real_queue.dequeue()) is not None:
        results.append(real_queue.execute(task))
    first, second = results
    assert first["changed"] == 4 and second["changed"] == 0 and second["notifications"] == 0
    assert Project.objects.exclude(colour="").count() == 4
    events = AuditEvent.objects.filter(subject_type="projects.project")
    assert events.count() == 4
    assert set(events.values_list("interface", flat=True)) == {"job"}


def test_worker_log_lines_are_printed_once() -> None:
    """run_huey adds its own handler only to a "huey" logger without one; ours has one and does not propagate to the
    root's console handler, so each worker line appears once (it appeared twice in ``luoshi demo``)."""
    import logging

    huey_logger = logging.getLogger("huey")
    ours = [h for h in huey_logger.handlers if not type(h).__module__.startswith("_pytest")]  # pytest adds its capture
    assert len(ours) == 1
    assert huey_logger.propagate is False
    # jobs run inline in web processes, commands and tests: their "Executing …" lines stay out of the output
    assert huey_logger.getEffectiveLevel() == logging.WARNING


def test_the_worker_prints_its_own_lines_at_info() -> None:
    import logging

    from luoshi.core.cli import configure_worker_logging

    huey_logger = logging.getLogger("huey")
    before = huey_logger.level
    try:
        configure_worker_logging()
        assert huey_logger.getEffectiveLevel() == logging.INFO
    finally:
        huey_logger.setLevel(before)
