"""An import whose job was lost (worker killed mid-way) does not stay "running" forever: the reaper (a periodic
job and `luoshi plan reap-imports`) fails it with a Chinese reason and deletes its upload and orphaned files."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from luoshi.plans import services
from luoshi.plans.models import ImportStatus, PlanImport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files(tmp_path: Path, settings: Any) -> Path:
    settings.FILES_DIR = tmp_path / "files"
    return tmp_path / "files"


def _import(regions: dict[str, Any], status: str, *, age: dt.timedelta, beat: dt.timedelta | None) -> PlanImport:
    folder = services._imports_dir()
    now = timezone.now()
    imp = PlanImport.objects.create(
        region=regions["jingmen"],
        source_name="方案.docx",
        source_sha256=os.urandom(8).hex(),
        stored_path=f"plan-imports/{os.urandom(6).hex()}.docx",
        status=status,
        created_at=now - age,
        heartbeat_at=None if beat is None else now - beat,
    )
    (folder / Path(imp.stored_path).name).write_bytes(b"PK")
    return imp


def test_stale_imports_are_failed_and_their_files_removed(regions: dict[str, Any], _files: Path) -> None:
    killed = _import(regions, ImportStatus.RUNNING, age=dt.timedelta(hours=2), beat=dt.timedelta(hours=1))
    never_started = _import(regions, ImportStatus.PENDING, age=dt.timedelta(hours=2), beat=None)
    alive = _import(regions, ImportStatus.RUNNING, age=dt.timedelta(hours=2), beat=dt.timedelta(minutes=2))
    young = _import(regions, ImportStatus.PENDING, age=dt.timedelta(minutes=5), beat=None)
    done = _import(regions, ImportStatus.DONE, age=dt.timedelta(days=3), beat=dt.timedelta(days=3))
    orphan = services._imports_dir() / "deadbeef.docx"
    orphan.write_bytes(b"PK")
    old = (timezone.now() - dt.timedelta(hours=3)).timestamp()
    os.utime(orphan, (old, old))
    fresh_orphan = services._imports_dir() / "fresh.docx"  # maybe an upload being recorded right now
    fresh_orphan.write_bytes(b"PK")

    result = services.plan_imports_reap()
    assert result == {"reaped": 2, "files_removed": 1}
    for imp in (killed, never_started):
        imp.refresh_from_db()
        assert imp.status == ImportStatus.FAILED and "导入已中断" in imp.error and imp.finished_at
        assert not (_files / imp.stored_path).exists()
    for imp in (alive, young, done):
        imp.refresh_from_db()
        assert imp.status != ImportStatus.FAILED and (_files / imp.stored_path).exists()
    assert not orphan.exists() and fresh_orphan.exists()
    assert services.plan_imports_reap() == {"reaped": 0, "files_removed": 0}  # twice changes nothing


def test_the_periodic_job_and_the_command_are_registered(regions: dict[str, Any]) -> None:
    from luoshi.plans import tasks

    killed = _import(regions, ImportStatus.RUNNING, age=dt.timedelta(hours=2), beat=dt.timedelta(hours=1))
    tasks.reap_stale_imports.call_local()
    killed.refresh_from_db()
    assert killed.status == ImportStatus.FAILED
    assert tasks.plan_import_run.retries == tasks.IMPORT_RETRIES > 0  # an unexpected error is retried
    out = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "plan", "reap-imports", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "heartbeat" in out.stdout


def test_progress_beats_the_heartbeat(regions: dict[str, Any]) -> None:
    imp = _import(regions, ImportStatus.RUNNING, age=dt.timedelta(hours=2), beat=dt.timedelta(hours=1))
    services._progress(imp, 50, "解析中")
    imp.refresh_from_db()
    assert imp.heartbeat_at is not None and timezone.now() - imp.heartbeat_at < dt.timedelta(minutes=1)
    assert services.plan_imports_reap()["reaped"] == 0
