"""`luoshi backup DIR` / `luoshi restore DIR`: a consistent copy of the database and the stored files, taken while
the platform runs, with a manifest of checksums; a restore refuses a non-empty target and verifies what it restored.

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot page by page while
  others keep writing. PostgreSQL: `pg_dump --format=custom` (a consistent snapshot) and `pg_restore`.
- Stored files (`FILES_DIR`: evidence, imports, generated reports) are copied after the database, so every file a
  database row names is present (a file added meanwhile is merely extra).
- `manifest.json`: sha256 of the database copy and of every file, the row count of every table, and the audit trail's
  last id and head hash. A restore checks the checksums before touching anything, and afterwards compares every
  table's row count and re-verifies the whole audit hash chain and its head.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
FORMAT = 1


class BackupError(RuntimeError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_files(src: Path, dest: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not src.exists():
        return out
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        rel = path.relative_to(src).as_posix()
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        out[rel] = _sha256(target)
    return out


# --- reading a database, whichever it is --------------------------------------------------------------
def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


def pg_conninfo(settings_dict: dict[str, Any], dbname: str | None = None) -> str:
    from psycopg.conninfo import make_conninfo

    keys = {"host": "HOST", "port": "PORT", "user": "USER", "password": "PASSWORD"}
    parts = {k: str(settings_dict[v]) for k, v in keys.items() if settings_dict.get(v)}
    return make_conninfo(dbname=dbname or str(settings_dict["NAME"]), **parts)


def _tables(cursor: Any, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [r[0] for r in cursor.fetchall()]


def _counts(cursor: Any, vendor: str) -> dict[str, int]:
    out = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        out[table] = int(cursor.fetchone()[0])
    return out


def _audit_rows(cursor: Any, vendor: str) -> Any:
    from luoshi.audit import chain

    columns = ["id", "prev_hash", "row_hash", *chain.FIELDS]
    # the chain's order is the seal order (ADR 55); rows written after the last seal are counted apart
    cursor.execute(
        f"SELECT {', '.join(columns)} FROM audit_auditevent WHERE seal_seq IS NOT NULL ORDER BY seal_seq"
    )
    for values in cursor.fetchall():
        row = dict(zip(columns, values, strict=True))
        if vendor == "sqlite":
            row["at"] = dt.datetime.fromisoformat(str(row["at"])).replace(tzinfo=dt.UTC)
        for key in ("before", "after"):  # JSON text on SQLite and through Django's psycopg cursor
            if isinstance(row[key], str):
                row[key] = json.loads(row[key])
        yield row


def _audit_summary(cursor: Any, vendor: str) -> dict[str, Any]:
    from luoshi.audit import chain

    rows = list(_audit_rows(cursor, vendor))
    result = chain.verify(rows)
    cursor.execute("SELECT COUNT(*) FROM audit_auditevent WHERE seal_seq IS NULL")
    unsealed = int(cursor.fetchone()[0])
    return {
        "rows": len(rows) + unsealed,
        "sealed": len(rows),
        "unsealed": unsealed,
        "last_id": rows[-1]["id"] if rows else None,
        "head_hash": rows[-1]["row_hash"] if rows else None,
        "chain_ok": result.ok,
        "first_break": result.first_break.describe() if result.first_break else None,
    }


# --- backup ----------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    path: Path
    manifest: dict[str, Any]


def backup(dest: Path) -> Outcome:
    from django.conf import settings
    from django.db import connection

    dest = dest.resolve()
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"备份目录 {dest} 不是空的,请指定一个新的目录。")
    dest.mkdir(parents=True, exist_ok=True)
    from luoshi.audit.services import seal

    seal()  # chain what was written since the last periodic seal, so the manifest's head covers it
    vendor = connection.vendor
    if vendor == "sqlite":
        db_file = dest / SQLITE_FILE
        connection.ensure_connection()
        target = sqlite3.connect(db_file)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        snap = sqlite3.connect(db_file)
        try:
            cur = snap.cursor()
            counts, audit = _counts(cur, vendor), _audit_summary(cur, vendor)
        finally:
            snap.close()
    elif vendor == "postgresql":
        db_file = dest / PG_FILE
        sd = connection.settings_dict
        # counts and audit head read in one REPEATABLE READ snapshot exported to pg_dump, so they match the dump
        raw = connection.get_new_connection(connection.get_connection_params())
        try:
            raw.autocommit = False
            with raw.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cur.execute("SELECT pg_export_snapshot()")
                snapshot = cur.fetchone()[0]
                counts, audit = _counts(cur, vendor), _audit_summary(cur, vendor)
                cmd = [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(db_file),
                    str(sd["NAME"]),
                ]
                done = subprocess.run(cmd, env=_pg_env(sd), capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    raise BackupError(f"pg_dump 失败:{done.stderr.strip()[:500]}")
        finally:
            raw.close()
    else:
        raise BackupError(f"不支持的数据库类型:{vendor}")
    files = _copy_files(Path(settings.FILES_DIR), dest / "files")
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "vendor": vendor,
        "database_file": db_file.name,
        "database_sha256": _sha256(db_file),
        "tables": counts,
        "audit": audit,
        "files": files,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return Outcome(dest, manifest)


# --- restore ---------------------------------------------------------------------------------------------
def check(src: Path) -> dict[str, Any]:
    """The manifest, after checking every checksum in it."""
    path = src / MANIFEST
    if not path.exists():
        raise BackupError(f"{src} 中没有 {MANIFEST},不是 luoshi 备份。")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if _sha256(src / manifest["database_file"]) != manifest["database_sha256"]:
        raise BackupError("数据库备份文件的校验和不符(文件已损坏或被改动),已停止恢复。")
    for rel, digest in manifest["files"].items():
        f = src / "files" / rel
        if not f.exists() or _sha256(f) != digest:
            raise BackupError(f"备份中的文件 {rel} 缺失或校验和不符,已停止恢复。")
    return manifest


def restore(
    src: Path, *, files_dir: Path, sqlite_path: Path | None = None, pg: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Restore into an empty files directory and an empty database (a new SQLite file, or a PostgreSQL database
    without tables: `pg` is a Django settings dict), then verify. Returns the verification summary."""
    src = src.resolve()
    manifest = check(src)
    if files_dir.exists() and any(files_dir.iterdir()):
        raise BackupError(f"文件目录 {files_dir} 不是空的:恢复只写入空的数据目录。")
    if manifest["vendor"] == "sqlite":
        if sqlite_path is None:
            raise BackupError("这是 SQLite 备份,请在嵌入式(SQLite)配置下恢复。")
        if sqlite_path.exists() and sqlite_path.stat().st_size > 0:
            raise BackupError(f"数据库文件 {sqlite_path} 已存在:恢复只写入空的数据目录。")
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / manifest["database_file"], sqlite_path)
        conn = sqlite3.connect(sqlite_path)
        try:
            cur = conn.cursor()
            counts, audit = _counts(cur, "sqlite"), _audit_summary(cur, "sqlite")
        finally:
            conn.close()
    else:
        if pg is None:
            raise BackupError("这是 PostgreSQL 备份,请设置 DATABASE_URL 指向一个空数据库后恢复。")
        import psycopg

        conninfo = pg_conninfo(pg)
        with psycopg.connect(conninfo) as pconn, pconn.cursor() as pcur:
            if _tables(pcur, "postgresql"):
                raise BackupError(f"数据库 {pg['NAME']} 中已有数据表:恢复只写入空数据库。")
        cmd = [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            str(pg["NAME"]),
            str(src / manifest["database_file"]),
        ]
        done = subprocess.run(cmd, env=_pg_env(pg), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackupError(f"pg_restore 失败:{done.stderr.strip()[:500]}")
        with psycopg.connect(conninfo) as pconn, pconn.cursor() as pcur:
            counts, audit = _counts(pcur, "postgresql"), _audit_summary(pcur, "postgresql")
    _copy_files(src / "files", files_dir)
    problems = [
        f"表 {t}:备份 {n} 行,恢复后 {counts.get(t)} 行"
        for t, n in manifest["tables"].items()
        if counts.get(t) != n
    ]
    if not audit["chain_ok"] or audit["head_hash"] != manifest["audit"]["head_hash"]:
        problems.append("审计链校验失败或末条哈希与备份时不同")
    for rel, digest in manifest["files"].items():
        if _sha256(files_dir / rel) != digest:
            problems.append(f"文件 {rel} 校验和不符")
    if problems:
        raise BackupError("恢复后校验未通过:" + ";".join(problems[:10]))
    return {
        "tables": len(counts),
        "rows": sum(counts.values()),
        "files": len(manifest["files"]),
        "audit": audit,
    }


# --- commands --------------------------------------------------------------------------------------------
def register(sub: Any) -> None:
    p = sub.add_parser("backup", help="copy the database and stored files (online) with a checksum manifest")
    p.add_argument("dest", type=Path, help="a new, empty directory")
    p.set_defaults(func=_backup_cmd)
    p = sub.add_parser(
        "restore", help="restore a backup into an empty data directory / database and verify it"
    )
    p.add_argument("src", type=Path)
    p.add_argument("--check", action="store_true", help="only verify the backup's checksums")
    p.set_defaults(func=_restore_cmd)


def _backup_cmd(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    try:
        out = backup(args.dest)
    except BackupError as exc:
        print(f"错误:{exc.message}")
        return 1
    m = out.manifest
    print(
        f"已备份到 {out.path}:{len(m['tables'])} 张表 {sum(m['tables'].values())} 行,{len(m['files'])} 个文件,"
        f"审计记录 {m['audit']['rows']} 条(哈希链{'完整' if m['audit']['chain_ok'] else '有断点'})。"
    )
    return 0


def _restore_cmd(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from django.conf import settings
    from django.db import connection

    try:
        if args.check:
            manifest = check(args.src.resolve())
            print(f"备份完整:数据库与 {len(manifest['files'])} 个文件的校验和均一致。")
            return 0
        if connection.vendor == "sqlite":
            summary = restore(
                args.src,
                files_dir=Path(settings.FILES_DIR),
                sqlite_path=Path(connection.settings_dict["NAME"]),
            )
        else:
            summary = restore(args.src, files_dir=Path(settings.FILES_DIR), pg=dict(connection.settings_dict))
    except BackupError as exc:
        print(f"错误:{exc.message}")
        return 1
    print(
        f"已恢复并校验:{summary['tables']} 张表 {summary['rows']} 行、{summary['files']} 个文件,"
        f"审计记录 {summary['audit']['rows']} 条,哈希链完整。"
    )
    return 0
