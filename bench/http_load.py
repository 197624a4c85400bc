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
         "writes": {"n", "ok", "errors", "seconds", "per_second", "p50_ms", "p99_ms", "max_ms", "clients",
                    "load_cpu_ms_per_write"}}.
A write is ok when it is answered 200 with the report just filed (its id, the assignment and period sent, version
1); anything else (another status, another body, a broken connection) is an error. The writes are sent over raw
keep-alive sockets with the request bytes built before the clock starts (`_Conn`): the load process shares the
cores with the server, so it should take as little of them as it can; `load_cpu_ms_per_write` says how much.
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


class _Conn:
    """One keep-alive HTTP/1.1 connection on a raw socket: the request is bytes built before the clock starts,
    the answer is read to its Content-Length (the server always sends one; anything else is an error). Lean on
    purpose: the load process runs on the same cores as the server, and `http.client` cost about 0.5 ms of CPU
    per request (bench/README.md)."""

    def __init__(self, host: str, port: int) -> None:
        import socket

        self.addr = (host, port)
        self.sock = socket.create_connection(self.addr, timeout=120)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def roundtrip(self, request: bytes) -> tuple[int, bytes]:
        self.sock.sendall(request)
        buf = self.buf
        while (head_end := buf.find(b"\r\n\r\n")) < 0:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            buf += chunk
        head = buf[:head_end].decode("latin-1")
        status = int(head.split(" ", 2)[1])
        length = None
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if length is None:
            raise ConnectionError(f"no Content-Length in the answer ({head[:100]!r})")
        body_end = head_end + 4 + length
        while len(buf) < body_end:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            buf += chunk
        self.buf = buf[body_end:]
        return status, buf[head_end + 4 : body_end]

    def close(self) -> None:
        self.sock.close()


def write_request(path: str, token: str, body: dict[str, Any]) -> bytes:
    data = json.dumps(body).encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    ).encode() + data


def check_write(status: int, text: bytes, body: dict[str, Any]) -> str | None:
    """None when the answer is the report just filed (200 with the report: its id, the assignment and period
    sent, version 1); else what was wrong."""
    if status != 200:
        return f"{status} {text[:200].decode(errors='replace')}"
    try:
        got = json.loads(text)
        ok = (
            isinstance(got.get("id"), int)
            and got.get("assignment_id") == body["assignment_id"]
            and got.get("period_start") == body["period_start"]
            and got.get("version") == 1
        )
    except (ValueError, AttributeError):
        ok = False
    return None if ok else f"200 with an unexpected body {text[:200].decode(errors='replace')}"


def run_writes(base: str, writes: list[dict[str, Any]], clients: int) -> dict[str, Any]:
    url = urllib.parse.urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    work: queue.Queue[tuple[bytes, dict[str, Any]]] = queue.Queue()
    for w in writes:  # built before the clock starts
        work.put((write_request(w["path"], w["token"], w["body"]), w["body"]))
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)

    def client() -> None:
        conn = _Conn(host, port)
        mine: list[float] = []
        bad: list[str] = []
        start_gate.wait()
        while True:
            try:
                request, body = work.get_nowait()
            except queue.Empty:
                break
            t = time.perf_counter()
            try:
                status, text = conn.roundtrip(request)
            except OSError as exc:  # counted as an error, and a new connection for the next one
                mine.append(time.perf_counter() - t)
                bad.append(f"connection: {exc}")
                conn.close()
                conn = _Conn(host, port)
                continue
            mine.append(time.perf_counter() - t)
            problem = check_write(status, text, body)
            if problem is not None:
                bad.append(problem)
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
