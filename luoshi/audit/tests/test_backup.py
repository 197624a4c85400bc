"""A backup taken while the platform runs restores elsewhere with every row, file and audit hash equal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from luoshi.audit.backup import BackupError, backup, check, pg_conninfo, restore
from luoshi.audit.services import record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def files_dir(tmp_path: Path, settings: Any) -> Path:
    files: Path = tmp_path / "files"
    settings.FILES_DIR = files
    (settings.FILES_DIR / "evidence").mkdir(parents=True)
    (settings.FILES_DIR / "evidence" / "佐证材料.pdf").write_bytes(b"%PDF-1.4 evidence")
    (settings.FILES_DIR / "plan-imports").mkdir()
    (settings.FILES_DIR / "plan-imports" / "a.docx").write_bytes(b"PK\x03\x04 plan")
    return files


def _restore_target(tmp_path: Path) -> dict[str, Any]:
    """An empty place to restore into: a new SQLite file, or a new PostgreSQL database."""
    if connection.vendor == "sqlite":
        return {"sqlite_path": tmp_path / "restored" / "db.sqlite3"}
    import psycopg

    sd = dict(connection.settings_dict)
    name = f"{sd['NAME']}_restore"
    with psycopg.connect(pg_conninfo(sd, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return {"pg": {**sd, "NAME": name}}


def test_round_trip(tmp_path: Path, files_dir: Path, users: dict[str, Any], units: dict[str, Any]) -> None:
    for u in units.values():
        record(actor=users["admin"], action="unit.updated", subject=u, after={"name": u.name, "n": 1e308})
    out = backup(tmp_path / "backup")
    manifest = json.loads((out.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["audit"]["chain_ok"] and manifest["audit"]["rows"] >= 3, manifest["audit"]
    assert set(manifest["files"]) == {"evidence/佐证材料.pdf", "plan-imports/a.docx"}
    assert manifest["tables"]["accounts_user"] == len(users)
    target = _restore_target(tmp_path)
    summary = restore(out.path, files_dir=tmp_path / "restored-files", **target)
    assert summary["audit"]["head_hash"] == manifest["audit"]["head_hash"] and summary["audit"]["chain_ok"]
    assert (tmp_path / "restored-files" / "evidence" / "佐证材料.pdf").read_bytes() == b"%PDF-1.4 evidence"
    assert summary["rows"] == sum(manifest["tables"].values())
    with pytest.raises(BackupError, match=r"不是空的|已存在|已有数据表"):  # never over existing data
        restore(out.path, files_dir=tmp_path / "restored-files", **target)


def test_a_damaged_backup_is_refused_before_anything_is_written(
    tmp_path: Path, files_dir: Path, users: dict[str, Any]
) -> None:
    out = backup(tmp_path / "backup")
    (out.path / "files" / "evidence" / "佐证材料.pdf").write_bytes(b"tampered")
    with pytest.raises(BackupError, match="校验和不符"):
        check(out.path)
    with pytest.raises(BackupError, match="校验和不符"):
        restore(out.path, files_dir=tmp_path / "r", sqlite_path=tmp_path / "r.sqlite3")
    assert not (tmp_path / "r").exists() and not (tmp_path / "r.sqlite3").exists()
    with pytest.raises(BackupError, match="不是空的"):
        backup(out.path)
