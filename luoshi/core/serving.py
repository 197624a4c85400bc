"""The one gunicorn command line: `luoshi serve` runs it, and the HTTP benchmarks (bench/supervision_http.py,
bench/requests.py) run the same one, so what they measure is what is deployed.

gthread workers: a worker process runs `threads` requests at once, so one request waiting on PostgreSQL does not
hold the process; processes (not threads) are what use both cores, since Python threads share one interpreter lock.
Production default: 2 × CPU + 1 processes × 4 threads (5 × 4 = 20 requests in flight on this 2-core machine, more
than the benchmarks' 8–16 clients, so no request waits in the listen queue while a core is idle).
"""

from __future__ import annotations

import os
import sys

WEB_THREADS = 4


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    value = int(raw)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {raw!r}")
    return value


def default_workers(*, prod: bool) -> int:
    """`LUOSHI_WEB_WORKERS` when set; else 1 on the embedded default (SQLite: writers are serial anyway),
    2 × CPU + 1 in production."""
    return _env_int("LUOSHI_WEB_WORKERS") or ((2 * (os.cpu_count() or 1) + 1) if prod else 1)


def web_threads() -> int:
    """Threads per worker: `LUOSHI_WEB_THREADS` when set, else WEB_THREADS."""
    return _env_int("LUOSHI_WEB_THREADS") or WEB_THREADS


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
