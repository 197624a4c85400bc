"""Pages and the report write path of `bench/supervision.py`, over loopback HTTP: a gunicorn server against
the bench database and a separate load process (`bench/http_load.py`). Imported by bench/supervision.py
after Django is set up; not a benchmark on its own."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

PAGE_P99_GOAL_MS = {"postgresql": 300, "sqlite": 500}
SCOREBOARD_P99_GOAL_MS = 300
PAGE_QUERY_GOAL = 15
UNIT_FILTER_GOAL_MS = 20
WRITE_QUERY_GOAL = 8
WRITES_GOAL = 150
WRITE_P99_GOAL_MS = 250
WARM_WRITES = 64  # sent before the measured writes (not counted): each server thread's first requests

ROOT = Path(__file__).resolve().parent.parent
# BEGIN / COMMIT / SAVEPOINT / RELEASE are not counted as queries (Django logs them on SQLite, not all on PostgreSQL)
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")


class Server:
    """gunicorn serving luoshi on 127.0.0.1:port against the bench database, for the load process."""

    def __init__(self, port: int, workers: int) -> None:
        self.port = port
        self.workers = workers
        env = dict(os.environ)
        env.pop("LUOSHI_JOBS_IMMEDIATE", None)  # a real server: jobs are queued, not run in the request
        env["LUOSHI_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        from luoshi.core.serving import gunicorn_command

        # the command `luoshi serve` runs (gthread, its thread count), without the access log
        self.proc = subprocess.Popen(
            gunicorn_command(bind=f"127.0.0.1:{port}", workers=workers, access_log=False, timeout=300),
            env=env,
            cwd=str(ROOT),
        )
        deadline = time.time() + 300  # 5 workers booting on a loaded 2-core machine
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("the bench server did not start") from None
                time.sleep(0.3)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def load(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the separate load process (bench/http_load.py) with `spec`; its JSON answer."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parent / "http_load.py")],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def session_cookie(user: Any) -> str:
    """A logged-in session for `user` (what the login page stores), as a Cookie header."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def count_queries(user: Any, path: str) -> int:
    """SQL statements of one request of `path` as `user`, after a warming request (steady state)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    return len(ctx.captured_queries)


def busiest_staff(region: Any) -> Any:
    """The staff user of the unit with the most active assignments (its my-tasks page is the largest)."""
    from django.db.models import Count

    from luoshi.accounts.models import Role, User
    from luoshi.supervision.models import Assignment

    top = (
        Assignment.objects.filter(active=True, task__region=region)
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return User.objects.filter(role=Role.STAFF, unit_id=top["unit_id"] if top else 0).order_by("id").first()


def bench_pages(args: argparse.Namespace, admin: Any, today: dt.date) -> dict[str, Any]:
    """p50/p99 of each page over loopback HTTP (2 gunicorn workers, sequential requests from the load process,
    interleaved), plus the SQL queries of one request of each and the unit filter's query alone."""
    from django.db import connection

    from luoshi.supervision.selectors import LedgerFilters, task_ledger

    staff = busiest_staff(admin.region)
    paths = [
        ("task list", admin, "/supervision/"),
        ("task list, unit filter", admin, f"/supervision/?unit={staff.unit_id}"),
        ("staff home", staff, "/"),
        ("my tasks", staff, "/supervision/mine/"),
        ("scoreboard", admin, f"/supervision/scoreboard/?period={today:%Y-%m}"),
    ]
    queries = {name: count_queries(user, path) for name, user, path in paths}
    qs = task_ledger(admin, LedgerFilters(unit=staff.unit_id))
    list(qs[:50])
    sql_times = []
    for _ in range(9):
        t = time.perf_counter()
        list(qs[:50])
        qs.count()
        sql_times.append(time.perf_counter() - t)
    spec = {"pages": [{"name": n, "path": p, "cookie": session_cookie(u)} for n, u, p in paths]}
    connection.close()  # the server's workers open their own connections
    server = Server(args.port, workers=2)
    try:
        load({**spec, "base": server.base, "rounds": 3})  # warm both workers (imports, templates, caches)
        result = load({**spec, "base": server.base, "rounds": args.page_rounds})
    finally:
        server.stop()
    for name, _, _ in paths:
        result["pages"][name]["queries"] = queries[name]
        result["pages"][name]["user"] = next(u.username for n, u, _ in paths if n == name)
    result["unit_filter_extra_ms"] = round(
        max(
            0.0, result["pages"]["task list, unit filter"]["p50_ms"] - result["pages"]["task list"]["p50_ms"]
        ),
        2,
    )
    result["unit_filter_sql_ms"] = round(statistics.median(sql_times) * 1000, 2)
    return result


def bench_writes(args: argparse.Namespace, today: dt.date) -> dict[str, Any]:
    """New progress reports for the current period of open assignments of `clients` units, posted through the
    JSON API by `clients` concurrent clients (4 gunicorn workers)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from luoshi.accounts.models import Role, User
    from luoshi.accounts.services import token_create
    from luoshi.supervision import periods
    from luoshi.supervision.models import OPEN_STATUSES, Assignment, ProgressReport

    writers = list(
        User.objects.filter(role=Role.STAFF, username__startswith="bench-staff-").order_by("id")[
            : args.clients
        ]
    )
    warm_n = WARM_WRITES if args.writes >= 4 * WARM_WRITES else 0
    per_writer = max(1, (args.writes + args.inproc_writes + warm_n) // max(len(writers), 1))
    writes: list[dict[str, Any]] = []
    first: tuple[str, str, dict[str, Any]] | None = None
    for user in writers:
        token = token_create(user=user, name="bench")
        rows = list(
            Assignment.objects.filter(unit_id=user.unit_id, active=True, task__status__in=OPEN_STATUSES)
            .order_by("id")
            .values_list("id", "task_id", "task__reporting_cycle")[: per_writer + (first is None)]
        )
        for a_id, t_id, cycle in rows:
            start = periods.period_containing(cycle, today).start
            ProgressReport.objects.filter(assignment_id=a_id, period_start=start).delete()
            body = {
                "assignment_id": a_id,
                "period_start": start.isoformat(),
                "narrative": "按计划推进,本期完成既定节点。",
                "percent": 50,
            }
            path = f"/api/supervision/tasks/{t_id}/reports"
            if first is None:
                first = (token, path, body)
            else:
                writes.append({"path": path, "token": token, "body": body})
    assert first is not None, "no open assignment to report on"
    inproc, writes = writes[: args.inproc_writes], writes[args.inproc_writes :]
    # the warm-up writes (the last writer's last assignments) are set apart: not counted
    writes, warm = writes[: len(writes) - warm_n], writes[len(writes) - warm_n :]
    token, path, body = first
    client = Client(HTTP_HOST="127.0.0.1")
    client.post(  # warm (the calendar, the URL resolver) with a revision of another period: not counted
        path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    ProgressReport.objects.filter(
        assignment_id=body["assignment_id"], period_start=body["period_start"]
    ).delete()
    with CaptureQueriesContext(connection) as ctx:
        resp = client.post(
            path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
    assert resp.status_code == 200, resp.content[:300]
    statements = [q["sql"] for q in ctx.captured_queries]
    control = [q for q in statements if q.lstrip().upper().startswith(TRANSACTION_CONTROL)]
    # CPU ms of one write in this process (the same API call through Django's test client), median of 5
    # rounds: steadier than writes/s on a shared machine
    cpu_rounds = []
    per_round = max(1, len(inproc) // 5)
    for r in range(5):
        batch = inproc[r * per_round : (r + 1) * per_round]
        if not batch:
            break
        t = time.process_time()
        for w in batch:
            resp = client.post(
                w["path"], json.dumps(w["body"]), content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {w['token']}",
            )
            assert resp.status_code == 200, resp.content[:300]
        cpu_rounds.append((time.process_time() - t) / len(batch) * 1000)
    cpu_ms = round(statistics.median(cpu_rounds), 2) if cpu_rounds else None
    print(
        f"one report write in process: {cpu_ms} ms CPU (median of {len(cpu_rounds)} rounds of {per_round}; "
        f"load average {[round(x, 2) for x in os.getloadavg()]})",
        flush=True,
    )
    connection.close()
    from luoshi.core.serving import default_workers, web_threads

    http_load = _http_load_module()
    server = Server(args.port, workers=default_workers(prod=True))
    try:
        warmed = None
        if warm:  # as a server in service is: its processes have their connections and compiled statements
            warmed = load({"base": server.base, "writes": warm, "clients": args.clients})["writes"]
        db_before = database_cpu_seconds(http_load)
        load_before = [round(x, 2) for x in os.getloadavg()]
        cpu_before = http_load.tree_cpu_seconds(server.proc.pid)
        result = load({"base": server.base, "writes": writes, "clients": args.clients})
        server_cpu = http_load.tree_cpu_seconds(server.proc.pid) - cpu_before
        load_after = [round(x, 2) for x in os.getloadavg()]
        db_after = database_cpu_seconds(http_load)
    finally:
        server.stop()
    db_cpu, db_backends = database_cpu_delta(db_before, db_after)
    # every write answered ok must be a row in the database, once (the load process checked each answer)
    pairs = {(w["body"]["assignment_id"], w["body"]["period_start"]) for w in writes}
    stored = list(
        ProgressReport.objects.filter(assignment_id__in={a for a, _ in pairs}).values_list(
            "assignment_id", "period_start"
        )
    )
    rows = sum(1 for a, p in stored if (a, p.isoformat()) in pairs)
    result["writes"]["rows_stored"] = rows
    result["writes"]["rows_missing"] = max(0, result["writes"]["ok"] - rows)
    if warmed is not None:
        result["writes"]["warm_up"] = {k: warmed[k] for k in ("n", "ok", "errors", "per_second", "p99_ms")}
    result["writes"]["server"] = f"{server.workers} gthread workers x {web_threads()} threads"
    result["writes"]["server_cpu_s"] = round(server_cpu, 2)
    result["writes"]["server_cpu_ms_per_write"] = round(1000 * server_cpu / max(1, result["writes"]["n"]), 2)
    if db_cpu is not None:
        result["writes"]["db_cpu_ms_per_write"] = round(1000 * db_cpu / max(1, result["writes"]["n"]), 2)
        result["writes"]["db_backends"] = db_backends
    result["writes"]["loadavg_before"] = load_before
    result["writes"]["loadavg_after"] = load_after
    return {
        "writes": result["writes"],
        "queries": len(statements) - len(control),
        "transaction_control": len(control),
        "statements": [q[:120] for q in statements],  # the head of each: which statements, not their values
        "inproc_cpu_ms_per_write": cpu_ms,
        "inproc_rounds_ms": [round(x, 2) for x in cpu_rounds],
    }


def database_cpu_seconds(http_load: Any) -> dict[int, float] | None:
    """PostgreSQL only (None elsewhere, or when /proc does not show the database's processes): CPU seconds so
    far of each backend connected to the bench database but this process's (the bench server's connections:
    nothing else uses a bench database), by pid."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        pids = [int(r[0]) for r in cursor.fetchall()]
    connection.close()
    out: dict[int, float] = {}
    for pid in pids:
        try:
            out[pid] = http_load.process_cpu_seconds(pid)
        except OSError:
            return None  # another host, or no access to its /proc
    return out


def database_cpu_delta(
    before: dict[int, float] | None, after: dict[int, float] | None
) -> tuple[float | None, int]:
    """The database's CPU during the measured load (its statements, the tally triggers, its COMMITs): the
    growth of each backend seen before and after, plus the whole CPU of backends opened meanwhile (the
    server's connections live 60 s, `conn_max_age`; read before the server stops, as they close with it)."""
    if before is None or after is None:
        return None, 0
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items()), len(after)


def _http_load_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("http_load", Path(__file__).resolve().parent / "http_load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report_writes(writes: dict[str, Any], *, vendor: str, args: argparse.Namespace) -> int:
    """--writes-only: the write figures and their verdicts, the last line one JSON object."""
    w = writes["writes"]
    print(
        f"\nreport writes through the API: {w['n']} in {w['seconds']:.1f} s from {w['clients']} clients = "
        f"{w['per_second']:.0f}/s; p50 {w['p50_ms']:.0f} ms, p99 {w['p99_ms']:.0f} ms; errors {w['errors']} "
        f"{w['first_errors']}; rows stored {w.get('rows_stored')} (missing {w.get('rows_missing')}); server CPU {w['server_cpu_ms_per_write']:.2f} ms per write (database "
        f"{w.get('db_cpu_ms_per_write')} ms, load process {w.get('load_cpu_ms_per_write')} ms); SQL queries of one "
        f"write: {writes['queries']} (+{writes['transaction_control']} transaction control); in process "
        f"{writes['inproc_cpu_ms_per_write']} ms CPU per write; load average {w['loadavg_before']} -> "
        f"{w['loadavg_after']}"
    )
    verdict = {f"one report write <= {WRITE_QUERY_GOAL} SQL queries": writes["queries"] <= WRITE_QUERY_GOAL}
    if vendor == "postgresql":
        verdict[f">= {WRITES_GOAL} writes/s at {w['clients']} clients"] = (
            w["per_second"] >= WRITES_GOAL and w["errors"] == 0 and w.get("rows_missing", 0) == 0
        )
        verdict[f"write p99 < {WRITE_P99_GOAL_MS} ms"] = w["p99_ms"] < WRITE_P99_GOAL_MS
    for goal, ok in verdict.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {goal}")
    print(
        json.dumps(
            {
                "bench": "supervision --writes-only",
                "database": vendor,
                "cpus": os.cpu_count(),
                "figures": {
                    "writes": w,
                    "write_queries": writes["queries"],
                    "write_statements": writes["statements"],
                    "inproc_cpu_ms_per_write": writes["inproc_cpu_ms_per_write"],
                    "inproc_rounds_ms": writes["inproc_rounds_ms"],
                },
                "references": {
                    "goals": {
                        "write_queries": WRITE_QUERY_GOAL,
                        "writes_per_s (PostgreSQL)": WRITES_GOAL,
                        "write_p99_ms (PostgreSQL)": WRITE_P99_GOAL_MS,
                    },
                    "before (issue 14)": {"write queries": 28, "writes/s at 8 clients": "20-38"},
                },
                "verdict": verdict,
            },
            ensure_ascii=False,
        )
    )
    return 0 if all(verdict.values()) else 1


def report(
    figures: list[tuple[str, float, float | None, str]],
    pages: dict[str, Any],
    writes: dict[str, Any],
    *,
    vendor: str,
    args: argparse.Namespace,
    n_tasks: int,
    n_reports: int,
    sweep_goal: float,
) -> int:
    """Print the tables, a verdict per goal, and as the last line one JSON object; exit status 1 if any fails."""
    page_goal = PAGE_P99_GOAL_MS[vendor]
    verdict: dict[str, bool] = {}
    for label, seconds, goal, _ in figures:
        if goal is not None:
            verdict[f"{label} < {goal:g} s"] = seconds < goal
    print(f"\npages over loopback HTTP ({args.page_rounds} requests each, interleaved; ms)")
    print(f"{'':24} {'p50':>8} {'p99':>8} {'max':>8} {'queries':>8}  goal")
    for name, row in pages["pages"].items():
        if name == "task list, unit filter":
            goal_ms = page_goal
        else:
            goal_ms = SCOREBOARD_P99_GOAL_MS if name == "scoreboard" else page_goal
        row["goal_p99_ms"] = goal_ms
        key = f"{name} p99 < {goal_ms} ms"
        verdict[key] = row["p99_ms"] < goal_ms and row["status"] == [200]
        print(
            f"{name:24} {row['p50_ms']:8.1f} {row['p99_ms']:8.1f} {row['max_ms']:8.1f} "
            f"{row['queries']:8}  p99 < {goal_ms} ms  {'ok' if verdict[key] else 'OVER'}"
        )
    for name in ("staff home", "my tasks"):
        verdict[f"{name} <= {PAGE_QUERY_GOAL} SQL queries"] = (
            pages["pages"][name]["queries"] <= PAGE_QUERY_GOAL
        )
    extra = pages["unit_filter_extra_ms"]
    verdict[f"task-list unit filter < {UNIT_FILTER_GOAL_MS} ms"] = (
        pages["unit_filter_sql_ms"] < UNIT_FILTER_GOAL_MS
    )
    print(
        f"unit filter: its page of 50 + count in SQL {pages['unit_filter_sql_ms']:.1f} ms "
        f"(goal < {UNIT_FILTER_GOAL_MS} ms); filtered list p50 minus list p50 over HTTP {extra:.1f} ms"
    )
    w = writes["writes"]
    print(
        f"\nreport writes through the API: {w['n']} in {w['seconds']:.1f} s from {w['clients']} clients = "
        f"{w['per_second']:.0f}/s (goal >= {WRITES_GOAL}/s on PostgreSQL); p50 {w['p50_ms']:.0f} ms, "
        f"p99 {w['p99_ms']:.0f} ms (goal < {WRITE_P99_GOAL_MS} ms); errors {w['errors']} {w['first_errors']}; "
        f"SQL queries of one write: {writes['queries']} (goal <= {WRITE_QUERY_GOAL}; plus "
        f"{writes['transaction_control']} transaction-control statements)"
    )
    verdict[f"one report write <= {WRITE_QUERY_GOAL} SQL queries"] = writes["queries"] <= WRITE_QUERY_GOAL
    if vendor == "postgresql":
        verdict[f">= {WRITES_GOAL} writes/s at {w['clients']} clients"] = (
            w["per_second"] >= WRITES_GOAL and w["errors"] == 0 and w.get("rows_missing", 0) == 0
        )
        verdict[f"write p99 < {WRITE_P99_GOAL_MS} ms"] = w["p99_ms"] < WRITE_P99_GOAL_MS
    for goal, ok in verdict.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {goal}")
    print(
        json.dumps(
            {
                "bench": "supervision",
                "database": vendor,
                "scale": args.scale,
                "tasks": n_tasks,
                "reports": n_reports,
                "cpus": os.cpu_count(),
                "figures": {
                    "seconds": {label: round(sec, 3) for label, sec, _, _ in figures},
                    "pages": pages["pages"],
                    "unit_filter_sql_ms": pages["unit_filter_sql_ms"],
                    "unit_filter_extra_http_ms": extra,
                    "writes": w,
                    "write_queries": writes["queries"],
                    "write_transaction_control_statements": writes["transaction_control"],
                    "write_statements": writes["statements"],
                },
                "references": {
                    "goals": {
                        "sweep_s": sweep_goal,
                        "page_p99_ms": page_goal,
                        "scoreboard_p99_ms": SCOREBOARD_P99_GOAL_MS,
                        "page_queries": PAGE_QUERY_GOAL,
                        "unit_filter_ms": UNIT_FILTER_GOAL_MS,
                        "write_queries": WRITE_QUERY_GOAL,
                        "writes_per_s (PostgreSQL)": WRITES_GOAL,
                        "write_p99_ms (PostgreSQL)": WRITE_P99_GOAL_MS,
                    },
                    "before (issue 14: PostgreSQL, 100k tasks, medians)": {
                        "task list p50 ms": "1000-1220",
                        "staff home p50 ms": "750-1010",
                        "my tasks p50 ms": "820-1150",
                        "staff home / my tasks queries": "611 / 605",
                        "unit filter ms": 593,
                        "scoreboard on SQLite ms": 1270,
                        "write queries": 28,
                        "writes/s at 8 clients": "20-38",
                        "write p99 ms": "381-588",
                    },
                },
                "verdict": verdict,
            },
            ensure_ascii=False,
        )
    )
    return 0 if all(verdict.values()) else 1
