"""The load process of the benchmarks: it sends HTTP requests to a running luoshi server over loopback and
prints what it measured as one JSON object. It is a separate process on purpose (the server's work and the
client's work are not mixed in one interpreter), started by `bench/supervision.py`; it imports nothing of
luoshi.

Input (JSON on stdin):

    {"base": "http://127.0.0.1:8107",
     "pages": [{"name": "task list", "path": "/supervision/", "cookie": "sessionid=..."}, ...],
     "rounds": 50,                      # each page this many times, interleaved (page 1, 2, ... 1, 2, ...)
     "writes": [{"path": "/api/supervision/tasks/7/reports", "token": "...", "body": {...}}, ...],
     "clients": 8}                      # concurrent writers (threads, one keep-alive connection each)

Output: {"pages": {name: {"n", "p50_ms", "p99_ms", "min_ms", "max_ms", "median_ms", "status"}},
         "writes": {"n", "ok", "errors", "seconds", "per_second", "p50_ms", "p99_ms", "max_ms", "clients"}}.
p99 is the nearest-rank percentile (with 50 samples it is the slowest but one... ceil(0.99·n)-th).
"""

from __future__ import annotations

import http.client
import json
import math
import queue
import statistics
import sys
import threading
import time
import urllib.parse
from typing import Any


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds so far of process `pid` and its live children (a gunicorn master and its
    workers), from /proc (Linux). The benchmarks read it before and after a load: the server's CPU per request,
    a steadier figure than throughput on a shared machine."""
    import os

    tick = os.sysconf("SC_CLK_TCK")

    def stat(p: int) -> list[str]:
        with open(f"/proc/{p}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()

    total = 0.0
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(stat(int(entry))[1]) == pid:
                    pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    for p in pids:
        try:
            fields = stat(p)
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds so far of one process (Linux /proc)."""
    import os

    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the ceil(q·n)-th smallest value."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.50) * 1000, 2),
        "p99_ms": round(percentile(values, 0.99) * 1000, 2),
        "median_ms": round(statistics.median(values) * 1000, 2),
        "min_ms": round(min(values) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }


def connect(base: str) -> http.client.HTTPConnection:
    url = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=120)


def run_pages(base: str, pages: list[dict[str, str]], rounds: int) -> dict[str, Any]:
    conn = connect(base)
    times: dict[str, list[float]] = {p["name"]: [] for p in pages}
    statuses: dict[str, set[int]] = {p["name"]: set() for p in pages}
    sizes: dict[str, int] = {}
    for _ in range(rounds):
        for page in pages:
            t = time.perf_counter()
            conn.request("GET", page["path"], headers={"Cookie": page["cookie"], "Host": "127.0.0.1"})
            resp = conn.getresponse()
            body = resp.read()
            times[page["name"]].append(time.perf_counter() - t)
            statuses[page["name"]].add(resp.status)
            sizes[page["name"]] = len(body)
    conn.close()
    return {
        name: {**summary(values), "status": sorted(statuses[name]), "bytes": sizes[name]}
        for name, values in times.items()
    }


def run_writes(base: str, writes: list[dict[str, Any]], clients: int) -> dict[str, Any]:
    work: queue.Queue[dict[str, Any]] = queue.Queue()
    for w in writes:
        work.put(w)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)

    def client() -> None:
        conn = connect(base)
        mine: list[float] = []
        bad: list[str] = []
        start_gate.wait()
        while True:
            try:
                w = work.get_nowait()
            except queue.Empty:
                break
            body = json.dumps(w["body"]).encode()
            headers = {
                "Authorization": f"Bearer {w['token']}",
                "Content-Type": "application/json",
                "Host": "127.0.0.1",
            }
            t = time.perf_counter()
            conn.request("POST", w["path"], body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read()
            mine.append(time.perf_counter() - t)
            if resp.status != 200:
                bad.append(f"{resp.status} {text[:200].decode(errors='replace')}")
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for th in threads:
        th.start()
    start_gate.wait()
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    for th in threads:
        th.join()
    seconds = time.perf_counter() - t0
    load_cpu = time.process_time() - cpu0
    return {
        **summary(latencies),
        "ok": len(latencies) - len(errors),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(seconds, 3),
        "per_second": round(len(latencies) / seconds, 1),
        "clients": clients,
        # this load process's own CPU while it sent them (it runs on the same cores as the server)
        "load_cpu_ms_per_write": round(1000 * load_cpu / max(1, len(latencies)), 3),
    }


def main() -> int:
    spec = json.load(sys.stdin)
    out: dict[str, Any] = {}
    if spec.get("pages"):
        out["pages"] = run_pages(spec["base"], spec["pages"], int(spec.get("rounds", 50)))
    if spec.get("writes"):
        out["writes"] = run_writes(spec["base"], spec["writes"], int(spec.get("clients", 8)))
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
