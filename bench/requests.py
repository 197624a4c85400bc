"""Benchmark of enterprise requests on PostgreSQL: HTTP intake, the overdue sweep, the metrics page.

1. Intake: a real gunicorn server on loopback and a separate load-generating process (this script with
   ``--load``) posting ``/api/requests/`` with an Idempotency-Key each; a share of the posts is retried (sent
   again, some of them concurrently with the first), as a 12345 platform does after a timeout. Prints
   requests/s, p50/p99 of the first attempts, and from the database how many keys were lost (sent, never
   stored) or duplicated (stored twice).
2. The overdue sweep over 1,000,000 open requests (built with COPY; a share past their limits).
3. The metrics page (GET /requests/metrics/ as the region's office) over 5,000,000 requests: it reads the
   metrics roll-up (services/metrics.py), built here once after the COPY as after any bulk load; the roll-up's
   build, a nightly one-month rebuild and a fold are timed too.

Goals on a 2-core machine: >= 200 intakes/s with p99 < 250 ms, lost = duplicated = 0, sweep < 10 s, metrics page
< 1 s. The last line printed is one JSON object
``{"intake_per_s", "p50_ms", "p99_ms", "lost", "duplicated", "sweep_s", "metrics_page_s"}``.

    createdb -h 127.0.0.1 -U postgres luoshi_requests_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luoshi_requests_bench .venv/bin/python bench/requests.py
    # a quicker run: --scale 0.1 (100k open, 500k total, 2,000 intakes)

The requests tables are emptied first (the database name must contain "bench").
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python bench/requests.py` puts bench/ first on sys.path, where bench/calendar.py would shadow the standard
# library's calendar (used by email/http.client and the deadline kernel's add_months): take bench/ off first
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from luoshi.core.serving import default_workers, web_threads  # noqa: E402  (Django-free)

SERVER_WORKERS = default_workers(prod=True)  # the production shape (ADR 0130)
SERVER_THREADS = web_threads()


# --- the load-generating process (no Django) -----------------------------------------------------------------
FORCED_TIMEOUT_S = 0.005  # the client gives up this fast on a share of first attempts, then retries the same key


def load(
    url: str,
    token: str,
    n: int,
    concurrency: int,
    *,
    seed: int,
    retry_share: float = 0.1,
    timeout_share: float = 0.05,
) -> dict[str, Any]:
    """Post `n` requests, each with its own Idempotency-Key `bench-{seed}-{i}`, from `concurrency` keep-alive
    clients. Like a 12345 platform:

    - `timeout_share` of the first attempts are abandoned after FORCED_TIMEOUT_S (the client closes the socket
      before the answer: the server may or may not have stored it) and retried with the same key until answered;
    - `retry_share` of the keys are sent twice after all: half racing the first attempt on a second connection,
      half again after the first answer (as if that answer was lost).

    Every key is tried until some attempt is answered 200/201 (at most 5 attempts). The database is counted
    afterwards by the parent: every key answered must be stored exactly once."""
    host, port = url.split(":")
    rng = random.Random(seed)
    keys = [f"bench-{seed}-{i}" for i in range(n)]
    retries = {k for k in keys if rng.random() < retry_share}
    forced = {k for k in keys if rng.random() < timeout_share}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    cursor = iter(range(n))
    counts = {"attempts": 0, "timed_out": 0, "reconnects": 0}

    def body(i: int) -> bytes:
        return json.dumps(
            {
                "enterprise_name": f"压测企业{i % 997}有限公司",
                "contact_name": "压测",
                "contact_phone": "13800138000",
                "title": f"压测诉求{seed}-{i}",
                "text": f"第{i}件压测诉求:园区道路积水影响通行,请协调解决。",
                "channel": "hotline",
                "region_code": "bench-region",
            }
        ).encode()

    def connect(timeout: float = 30) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(host, int(port), timeout=timeout)

    def post_once(conn: http.client.HTTPConnection, i: int) -> int:
        conn.request(
            "POST",
            "/api/requests/",
            body=body(i),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": keys[i],
                "Host": "127.0.0.1",
            },
        )
        resp = conn.getresponse()
        resp.read()
        return resp.status

    def send(conns: list[http.client.HTTPConnection], i: int) -> tuple[int, float]:
        """POST until answered; a keep-alive connection the server closed is reopened and the (idempotent) post
        sent again with the same key."""
        t = time.perf_counter()
        for attempt in range(5):
            with lock:
                counts["attempts"] += 1
            try:
                return post_once(conns[0], i), time.perf_counter() - t
            except (OSError, http.client.HTTPException):
                conns[0].close()
                conns[0] = connect()
                with lock:
                    counts["reconnects"] += 1
                if attempt == 4:
                    raise
        raise AssertionError

    def abandon(i: int) -> None:
        """A first attempt the client gives up on before the answer (a forced timeout)."""
        conn = connect(FORCED_TIMEOUT_S)
        with lock:
            counts["attempts"] += 1
        try:
            post_once(conn, i)  # answered within 5 ms: fine, the retry below still has to be idempotent
        except (OSError, http.client.HTTPException):
            with lock:
                counts["timed_out"] += 1
        finally:
            conn.close()

    acknowledged: list[int] = []

    def worker() -> None:
        conn, second = [connect()], [connect()]
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            try:
                measured = True
                if keys[i] in forced:
                    abandon(i)
                    measured = False  # its latency is the retry's, after a deliberate give-up: not counted
                if keys[i] in retries and i % 2:
                    # a retry racing the first attempt
                    result: list[tuple[int, float]] = []
                    failed: list[BaseException] = []

                    def race(
                        out: list[tuple[int, float]] = result, bad: list[BaseException] = failed, j: int = i
                    ) -> None:
                        try:
                            out.append(send(second, j))
                        except Exception as exc:
                            bad.append(exc)

                    th = threading.Thread(target=race)
                    th.start()
                    status, seconds = send(conn, i)
                    th.join()
                    if failed:
                        raise failed[0]
                    statuses = {status, result[0][0]}
                else:
                    status, seconds = send(conn, i)
                    statuses = {status}
                    if keys[i] in retries:
                        statuses.add(send(conn, i)[0])  # a retry after the answer was "lost"
                with lock:
                    if measured:
                        latencies.append(seconds)
                    if statuses <= {200, 201}:
                        acknowledged.append(i)
                    else:
                        errors.append(f"{keys[i]}: {sorted(statuses)}")
            except Exception as exc:
                with lock:
                    errors.append(f"{keys[i]}: {exc!r}")

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    return {
        "sent": n,
        "acknowledged": len(acknowledged),
        "retried": len(retries),
        "forced_timeouts": len(forced),
        **counts,
        "wall_s": wall,
        "per_s": len(acknowledged) / wall if wall else 0.0,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
        # nearest rank: the ceil(0.99 n)-th smallest
        "p99_ms": 1000 * latencies[max(0, -(-99 * len(latencies) // 100) - 1)] if latencies else None,
        "errors": errors[:20],
        "n_errors": len(errors),
        "prefix": f"bench-{seed}-",
        "keys": keys,  # every key sent
        "acknowledged_keys": [keys[i] for i in sorted(acknowledged)],  # answered 200/201: stored exactly once
    }


# --- the benchmark --------------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (default 1.0)")
    parser.add_argument(
        "--intakes", type=int, default=0, help="intake posts (default 20,000 × scale, min 1,000)"
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--workers", type=int, default=SERVER_WORKERS, help=f"gunicorn worker processes ({SERVER_WORKERS})"
    )
    parser.add_argument("--port", type=int, default=8154)
    parser.add_argument(
        "--scratch-db",
        default="",
        metavar="NAME",
        help="also accept this database name as scratch (its requests tables are emptied)",
    )
    parser.add_argument(
        "--threads", type=int, default=SERVER_THREADS, help=f"threads per worker (default {SERVER_THREADS})"
    )
    parser.add_argument("--intake-only", action="store_true", help="only the intake (no build, sweep, metrics)")
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="no job worker beside the server during the load (by default one runs, as in production: the "
        "office notifications of each intake are its jobs, and their CPU is part of the run)",
    )
    parser.add_argument(
        "--inproc", type=int, default=200, help="intakes timed in process for the CPU figure (default 200)"
    )
    parser.add_argument(
        "--load", nargs=4, metavar=("HOSTPORT", "TOKEN", "N", "CONCURRENCY"), help=argparse.SUPPRESS
    )
    parser.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        hostport, token, n, conc = args.load
        out = load(hostport, token, int(n), int(conc), seed=args.seed)
        print(json.dumps(out))
        return 0
    if not os.environ.get("DATABASE_URL"):
        print(
            "bench/requests.py runs on PostgreSQL: set DATABASE_URL to a scratch database whose name has 'bench'"
        )
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    os.environ.setdefault("LUOSHI_DATA_DIR", tempfile.mkdtemp(prefix="luoshi-requests-bench-"))
    os.environ["LUOSHI_JOBS_IMMEDIATE"] = "1"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "postgresql" or ("bench" not in name and name != args.scratch_db):
        print(
            f"refusing to run on database {name!r}: use a PostgreSQL scratch database whose name contains 'bench'"
        )
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    n_open = int(1_000_000 * args.scale)
    n_total = int(5_000_000 * args.scale)
    n_intake = args.intakes or max(1_000, int(20_000 * args.scale))
    admin, token, region = setup_directory()
    print(
        f"PostgreSQL {name}: intake {n_intake:,} posts; {n_open:,} open of {n_total:,} requests", flush=True
    )

    cpu = inproc_cpu(token, args.inproc)
    print(
        f"in process ({args.inproc} intakes, Django test client, median of 5 rounds): "
        f"{cpu['cpu_ms_request']:.2f} ms CPU per intake alone, {cpu['cpu_ms_with_jobs']:.2f} ms with the jobs "
        f"each round queued; {cpu['queries']} SQL statements + {cpu['jobs_queued']} job(s) queued "
        f"(+{cpu['job_queries']} statements when run for one intake); load average {cpu['loadavg']}",
        flush=True,
    )
    intake = run_intake(args, token, n_intake)
    check = check_intake(intake)
    lost, duplicated = check["lost"], check["duplicated"]
    print(
        f"intake: {intake['per_s']:.0f}/s p50 {intake['p50_ms']:.1f} ms p99 {intake['p99_ms']:.1f} ms "
        f"({args.workers} workers x {args.threads} threads, {args.concurrency} clients); {intake['attempts']} "
        f"attempts for {intake['sent']} keys: {intake['retried']} retried, {intake['forced_timeouts']} "
        f"abandoned after {FORCED_TIMEOUT_S * 1000:.0f} ms ({intake['timed_out']} before the answer); "
        f"errors {intake['n_errors']} {intake['errors'][:3]}; in the database: {check['rows']} rows for "
        f"{check['keys_stored']} keys, lost {lost}, duplicated {duplicated}, unanswered {check['unanswered']}",
        flush=True,
    )
    print(
        f"server CPU during the load: {intake['server_cpu_s']:.1f} s web ({intake['server_cpu_ms_per_intake']:.2f} "
        f"ms per intake), {intake['worker_cpu_s']:.1f} s job worker; notifications of the intakes: "
        f"{check['notified']} of {check['rows']} requests told the office, {check['notifications']} rows, "
        f"{check['notify_duplicated']} duplicated; load average before / after {intake['loadavg_before']} / "
        f"{intake['loadavg_after']}",
        flush=True,
    )
    ok = lost == duplicated == check["unanswered"] == check["notify_duplicated"] == 0
    ok = ok and (args.no_worker or check["notified"] == check["rows"])
    if args.intake_only:
        print(
            json.dumps(
                {
                    "intake": {k: v for k, v in intake.items() if "keys" not in k},
                    "check": check,
                    "inproc": cpu,
                    "verdict": {
                        f">= {INTAKE_GOAL}/s": intake["per_s"] >= INTAKE_GOAL,
                        f"p99 < {P99_GOAL_MS} ms": (intake["p99_ms"] or 1e9) < P99_GOAL_MS,
                        "none lost, duplicated or unanswered; each office told once": ok,
                    },
                }
            )
        )
        return 0 if ok else 1

    t = time.perf_counter()
    build(region, admin, n_open, n_total)
    print(f"built {n_total:,} requests in {time.perf_counter() - t:.1f} s", flush=True)

    from luoshi.requests.services.sweep import sweep

    t = time.perf_counter()
    result = sweep()
    sweep_s = time.perf_counter() - t
    t = time.perf_counter()
    again = sweep()
    rerun_s = time.perf_counter() - t
    print(
        f"sweep over {n_open:,} open: {sweep_s:.2f} s {result.summary()}; re-run {rerun_s:.2f} s "
        f"(found today {again.summary()['total_new']})",
        flush=True,
    )

    # the rows came in by COPY (no ORM, so no roll-up deltas): build the metrics roll-up as after a bulk load,
    # then time what the jobs do on a live platform: fold 15 minutes of changes, rebuild one month nightly
    from luoshi.requests.services.metrics import metrics_fold, metrics_rebuild

    t = time.perf_counter()
    built = metrics_rebuild()
    rollup_s = time.perf_counter() - t
    t = time.perf_counter()
    metrics_rebuild(["2026-05"])
    month_s = time.perf_counter() - t
    t = time.perf_counter()
    folded = metrics_fold()
    print(
        f"metrics roll-up: built {built} in {rollup_s:.1f} s; nightly rebuild of one month {month_s:.2f} s; "
        f"fold {folded} deltas {time.perf_counter() - t:.3f} s",
        flush=True,
    )

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    url = "/requests/metrics/?period=2026-05"
    client.get(url)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        resp = client.get(url)
        times.append(time.perf_counter() - t)
        assert resp.status_code == 200, resp.status_code
    metrics_s = statistics.median(times)
    print(
        f"metrics page over {n_total:,}: median of 5 {metrics_s:.3f} s (min {min(times):.3f}, max {max(times):.3f}; "
        f"{resp.content.count(b'<tr>') - 1} rows)"
    )
    print(
        json.dumps(
            {
                "intake_per_s": round(intake["per_s"], 1),
                "p50_ms": round(intake["p50_ms"], 1),
                "p99_ms": round(intake["p99_ms"], 1),
                "lost": lost,
                "duplicated": duplicated,
                "sweep_s": round(sweep_s, 2),
                "metrics_page_s": round(metrics_s, 3),
            }
        )
    )
    return 0


def setup_directory() -> tuple[Any, str, Any]:
    from django.db import connection

    from luoshi.accounts.models import ApiToken, Role, User
    from luoshi.accounts.services import token_create, user_create
    from luoshi.orgs.models import Region, RegionLevel, Unit
    from luoshi.requests import models as m

    with connection.cursor() as cur:
        tables = [
            model._meta.db_table
            for model in (
                m.OverdueNotice.entries.through,
                m.OverdueNotice,
                m.MetricsDelta,
                m.MetricsSummary,
                m.AccountabilityEntry,
                m.Note,
                m.Pause,
                m.Extension,
                m.Revisit,
                m.Attachment,
                m.ContactView,
                m.ArrearsPayment,
                m.ArrearsClaim,
                m.Hotspot.requests.through,
                m.Hotspot,
                m.Request.co_units.through,
                m.Request,
            )
        ]
        cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    region = Region.objects.filter(code="bench-region").first()
    if region is None:
        from luoshi.directory.services import region_create

        region = region_create(code="bench-region", name="压测市", level=RegionLevel.CITY)
    for i in range(20):
        Unit.objects.get_or_create(region=region, name=f"压测市第{i + 1}局")
    admin = User.objects.filter(username="bench-admin").first() or user_create(
        username="bench-admin",
        password="Bench-password-2025",  # noqa: S106 - a scratch bench account
        role=Role.ADMIN,
        region=region,
    )
    ApiToken.objects.filter(user=admin).delete()
    return admin, token_create(user=admin, name="bench"), region


INTAKE_GOAL = 200  # intakes/s
P99_GOAL_MS = 250


def _http_load_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("http_load", Path(__file__).resolve().parent / "http_load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def inproc_cpu(token: str, n: int) -> dict[str, Any]:
    """CPU milliseconds of one intake in this process (Django test client, the same API call as the load), median
    of 5 rounds of n/5: the request alone (what a web worker spends), and with the jobs the round queued run at
    its end (what the platform spends; the office job is coalesced, so it runs once for many intakes). Steadier
    than requests/s on a shared machine. Also the SQL statements of one intake and of the jobs it queues (run
    alone, for that one intake)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from huey.contrib.djhuey import HUEY

    client = Client(HTTP_HOST="127.0.0.1")
    seq = iter(range(10**9))

    def file_one() -> None:
        i = next(seq)
        resp = client.post(
            "/api/requests/",
            json.dumps(
                {
                    "enterprise_name": f"压测企业{i % 997}有限公司",
                    "contact_name": "压测",
                    "contact_phone": "13800138000",
                    "title": f"进程内诉求{i}",
                    "text": f"第{i}件进程内诉求:园区道路积水影响通行,请协调解决。",
                    "channel": "hotline",
                    "region_code": "bench-region",
                }
            ),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IDEMPOTENCY_KEY=f"inproc-{os.getpid()}-{i}",
        )
        assert resp.status_code == 201, resp.content[:300]

    def run_queued() -> int:
        """Run what the intakes queued, now (a worker would run a delayed job a second later)."""
        jobs = HUEY.pending()
        HUEY.flush()
        HUEY.immediate = True  # (djhuey closes "old" connections around a job otherwise: the count would break)
        try:
            for job in jobs:
                job.execute()
        finally:
            HUEY.immediate = False
        return len(jobs)

    def rounds() -> tuple[float, float]:
        """Median CPU ms per intake over 5 rounds of n/5: the requests alone, and the requests plus the jobs
        they queued run at the end of the round (as the coalesced office job runs for many intakes at once)."""
        per_round = max(1, n // 5)
        alone, total = [], []
        for _ in range(5):
            t = time.process_time()
            for _ in range(per_round):
                file_one()
            mid = time.process_time()
            run_queued()
            alone.append((mid - t) / per_round * 1000)
            total.append((time.process_time() - t) / per_round * 1000)
        return statistics.median(alone), statistics.median(total)

    try:
        HUEY.immediate = True
        for _ in range(20):  # warm: URL resolver, calendar, caches
            file_one()
        HUEY.immediate = False
        HUEY.flush()
        with CaptureQueriesContext(connection) as ctx:
            file_one()
        with CaptureQueriesContext(connection) as jobs_ctx:
            queued = run_queued()
        control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")
        statements = [q["sql"] for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith(control)]
        alone, total = rounds()
        out: dict[str, Any] = {
            "queries": len(statements),
            "statements": [q[:100] for q in statements],
            "jobs_queued": queued,
            "job_queries": len(jobs_ctx.captured_queries),
            "cpu_ms_request": round(alone, 2),
            "cpu_ms_with_jobs": round(total, 2),
            "n": n,
            "loadavg": [round(x, 2) for x in os.getloadavg()],
        }
        HUEY.flush()
    finally:
        HUEY.immediate = True
    return out


def run_intake(args: argparse.Namespace, token: str, n: int) -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("LUOSHI_JOBS_IMMEDIATE", None)
    from huey.contrib.djhuey import HUEY

    from luoshi.core.serving import gunicorn_command

    HUEY.immediate = False  # the real queue (Redis), which the worker below reads
    HUEY.flush()  # nothing of an earlier run waits in the queue
    http_load = _http_load_module()
    # the job worker runs beside the server, as in production (`luoshi worker`): its CPU is part of the run
    worker = (
        None
        if args.no_worker
        else subprocess.Popen([sys.executable, "-m", "luoshi.cli", "worker"], cwd=ROOT, env=env)
    )

    # the command `luoshi serve --prod` runs (gthread), without the access log
    server = subprocess.Popen(
        gunicorn_command(
            bind=f"127.0.0.1:{args.port}", workers=args.workers, threads=args.threads, access_log=False
        ),
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                c.request("GET", "/api/openapi.json", headers={"Host": "127.0.0.1"})
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        # warm every worker (first requests load jieba-free code paths, templates, the calendar)
        subprocess.run(
            # another seed: the measured run's keys are all new
            [sys.executable, __file__, "--load", f"127.0.0.1:{args.port}", token, "50", "4", "--seed", "1"],
            check=True,
            capture_output=True,
            env={**env, "BENCH_WARM": "1"},
        )
        if worker is not None:
            drain(HUEY)
        loadavg_before = [round(x, 2) for x in os.getloadavg()]
        cpu_before = http_load.tree_cpu_seconds(server.pid)
        worker_before = http_load.tree_cpu_seconds(worker.pid) if worker else 0.0
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--load",
                f"127.0.0.1:{args.port}",
                token,
                str(n),
                str(args.concurrency),
            ],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        out["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        out["loadavg_before"] = loadavg_before
        out["server_cpu_s"] = round(http_load.tree_cpu_seconds(server.pid) - cpu_before, 2)
        out["server_cpu_ms_per_intake"] = round(1000 * out["server_cpu_s"] / max(1, out["attempts"]), 2)
        if worker is not None:
            drain(HUEY)  # the notifications of the last intakes
        out["worker_cpu_s"] = round(http_load.tree_cpu_seconds(worker.pid) - worker_before, 2) if worker else 0.0
        out["server"] = f"{args.workers} gthread workers x {args.threads} threads" + (
            " + 1 job worker" if worker else ""
        )
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        HUEY.immediate = True


def drain(huey: Any, timeout: float = 120) -> None:
    """Wait until the job queue is empty (the worker took every job) and a moment for the last to finish."""
    deadline = time.time() + timeout
    while huey.pending_count() and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)


def check_intake(intake: dict[str, Any]) -> dict[str, int]:
    """Count the stored rows of every key the load sent (by Idempotency-Key and, independently, by title, which
    is unique per post): lost = answered 200/201 but not stored; duplicated = rows beyond the first per key or
    title; unanswered = keys no attempt got a 200/201 for (errors; not lost, the client knows)."""
    from django.db.models import Count

    from luoshi.requests.models import Request

    ours = Request.objects.filter(idempotency_key__startswith=intake["prefix"]).order_by()
    per_key = dict(ours.values("idempotency_key").annotate(n=Count("pk")).values_list("idempotency_key", "n"))
    per_title = list(ours.values("title").annotate(n=Count("pk")).values_list("n", flat=True))
    sent = set(intake["keys"])
    answered = set(intake["acknowledged_keys"])
    from luoshi.notifications.models import Notification

    ids = [str(pk) for pk in ours.values_list("pk", flat=True)]
    told = (
        Notification.objects.filter(kind="request.filed", subject_id__in=ids)
        .values("subject_id", "user_id", "channel")
        .annotate(n=Count("pk"))
    )
    per_request: dict[str, int] = {}
    for row in told:
        per_request[row["subject_id"]] = per_request.get(row["subject_id"], 0) + 1
    return {
        "notified": len(per_request),
        "notifications": sum(row["n"] for row in told),
        "notify_duplicated": sum(row["n"] - 1 for row in told if row["n"] > 1),
        "rows": sum(per_key.values()),
        "keys_stored": len(per_key),
        "lost": sum(1 for k in answered if k not in per_key),
        "duplicated": max(
            sum(n - 1 for n in per_key.values() if n > 1), sum(n - 1 for n in per_title if n > 1)
        ),
        "unanswered": len(sent - answered),
        "stored_but_not_sent": sum(1 for k in per_key if k not in sent),
    }


def build(region: Any, admin: Any, n_open: int, n_total: int) -> None:
    """n_total requests over 24 months (2025-01..2026-12); n_open of them open (assigned / in progress), a share
    past their limits; the rest closed with revisits. COPY in chunks."""
    import datetime as dt

    from django.db import connection, transaction

    from luoshi.core import bulk
    from luoshi.orgs.models import Unit
    from luoshi.requests.models import Request

    units = list(Unit.objects.filter(region=region).values_list("pk", flat=True))
    rng = random.Random(11)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    span = 730 * 86400
    fields = [
        "number",
        "region",
        "enterprise_name",
        "credit_code",
        "contact_name",
        "contact_phone",
        "channel",
        "category",
        "title",
        "text",
        "content_hash",
        "status",
        "received_at",
        "review_reason",
        "transfer_to",
        "urgency",
        "limit_days",
        "suggestion",
        "extension_days",
        "reply_text",
        "reopen_count",
        "satisfaction",
        "version",
        "lead_unit",
        "assigned_at",
        "signin_due_at",
        "clock_start",
        "due_on",
        "procedural_due_on",
        "substantive_due_on",
        "signed_at",
        "first_response_at",
        "replied_at",
        "completed_at",
        "resolved",
        "closed_at",
    ]
    now = dt.datetime.now(dt.UTC)
    chunk = 200_000
    made = 0
    statuses_open = ["assigned", "in_progress"]
    sats = ["satisfied", "satisfied", "satisfied", "basic", "unsatisfied"]
    while made < n_total:
        rows = []
        for i in range(made, min(n_total, made + chunk)):
            is_open = i < n_open
            received = (
                now - dt.timedelta(hours=rng.randint(1, 72))
                if is_open
                # closed ones in the order they arrived, as a live platform stores them (heap order = time order)
                else start + dt.timedelta(seconds=(i - n_open) * span // max(1, n_total - n_open))
            )
            day = received.date()
            status = rng.choice(statuses_open) if is_open else "closed"
            late = is_open and rng.random() < 0.05  # 5% of the open ones are past their limits
            due = (now.date() + dt.timedelta(days=5)) if not late else now.date() - dt.timedelta(days=2)
            signin_due = (now + dt.timedelta(hours=8)) if not late else now - dt.timedelta(hours=30)
            signed = status == "in_progress" or not is_open
            rows.append(
                (
                    f"B{i:010d}",
                    region.pk,
                    f"压测企业{i % 997}有限公司",
                    "",
                    "压测",
                    "13800138000",
                    "hotline",
                    "other",
                    f"压测诉求{i}",
                    "园区道路积水影响通行,请协调解决。",
                    "",
                    status,
                    received,
                    "",
                    "",
                    "normal",
                    5,
                    "{}",
                    0,
                    "" if is_open else "已办结",
                    0,
                    "" if is_open else rng.choice(sats),
                    1,
                    rng.choice(units),
                    received,
                    signin_due,
                    day,
                    due,
                    day + dt.timedelta(days=7),
                    day + dt.timedelta(days=90) if not late else now.date() - dt.timedelta(days=1),
                    received + dt.timedelta(hours=3) if signed else None,
                    received + dt.timedelta(hours=2),
                    None if is_open else received + dt.timedelta(days=3),
                    None if is_open else received + dt.timedelta(days=4),
                    None if is_open else rng.random() < 0.9,
                    None if is_open else received + dt.timedelta(days=6),
                )
            )
        with transaction.atomic():
            bulk.insert(Request, fields, rows)
        made += len(rows)
        print(f"  built {made:,}", flush=True)
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {Request._meta.db_table}")


if __name__ == "__main__":
    sys.exit(main())
