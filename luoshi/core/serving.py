"""The one gunicorn command line: `luoshi serve` runs it, and the HTTP benchmarks (bench/supervision_http.py,
bench/requests.py) run the same one, so what they measure is what is deployed.

gthread workers: a worker process runs `threads` requests at once, so one request waiting on PostgreSQL (a
COMMIT waiting for the disk) does not hold the process; processes (not threads) are what use the cores, since
Python threads share one interpreter lock. Production default (ADR 0130): **one process per core × 8 threads**
(2 × 8 = 16 requests in flight on this 2-core machine, as many as the intake benchmark's clients). The earlier
2 × CPU + 1 processes × 4 threads (5 × 4) measured 30-50 % more server CPU per API write in the same minutes: more
processes than cores only add context switches, PostgreSQL connections, and per-process warm-up (compiled
statements, caches) — the work between two waits is short, so a second process per core has nothing to hide.
`LUOSHI_WEB_WORKERS` / `LUOSHI_WEB_THREADS` override both (a machine with slow pages, e.g. large exports
holding one process's interpreter lock for long, may want more processes).
"""

from __future__ import annotations

import os
import sys

WEB_THREADS = 8  # production, per process
EMBEDDED_THREADS = 4  # the embedded default (SQLite, one process): writers queue on SQLite's lock anyway


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    value = int(raw)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {raw!r}")
    return value


def default_workers(*, prod: bool) -> int:
    """`LUOSHI_WEB_WORKERS` when set; else 1 on the embedded default (SQLite: writers are serial anyway), one
    per core (at least 2) in production (ADR 0130)."""
    return _env_int("LUOSHI_WEB_WORKERS") or (max(2, os.cpu_count() or 1) if prod else 1)


def web_threads(*, prod: bool = True) -> int:
    """Threads per worker: `LUOSHI_WEB_THREADS` when set, else WEB_THREADS (EMBEDDED_THREADS without --prod)."""
    return _env_int("LUOSHI_WEB_THREADS") or (WEB_THREADS if prod else EMBEDDED_THREADS)


def gunicorn_command(
    *, bind: str, workers: int, threads: int | None = None, access_log: bool = True, timeout: int = 120
) -> list[str]:
    threads = threads or web_threads()
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "luoshi.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        "10",
    ]
    if access_log:
        cmd += ["--access-logfile", "-"]
    return cmd
