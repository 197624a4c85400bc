"""Benchmark of the monitoring dashboard: summary refresh and every cockpit page at scale.

Builds, in a scratch database, 100 regions (a city, 9 counties, 90 parks/towns) with 20 units each,
100,000 tasks (about 150,000 assignments) with dated deadlines / sign-offs, progress reports, 5,000 major
projects with milestones, and an indicator tree of 300 indicators with values for 100 regions × 36 months;
then times:

- the first refresh (every period of the backfill window: informational),
- the refresh after a day's changes (0.5 % of open tasks signed off and a day of requests received, written
  with their audit events; the open periods, only the figures whose domain the audit trail shows touched):
  goal < 10 s,
- each page as the city's office through Django's test client: the median of --runs (default 5) runs after
  one warm-up, with min and max: goal < 1 s.

The full dataset is the default: 100,000 tasks, 5,000,000 requests, 1,000,000 enterprises, 300 indicators ×
100 regions × 36 months. Requests and enterprises are generated column by column with numpy and streamed with
core.bulk (PostgreSQL COPY; SQLite multi-row INSERTs with the scratch file's fsync and journal off).
`--scale 0.1` builds a tenth (and says so). Progress reports default to 1,000,000 (the supervision bench
covers 2M).

    LUOSHI_DATA_DIR=/tmp/luoshi-bench-monitoring .venv/bin/python bench/monitoring.py [--scale 0.1]
    createdb -h 127.0.0.1 -U postgres luoshi_bench_monitoring
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luoshi_bench_monitoring .venv/bin/python bench/monitoring.py

The last line is one JSON object {"engine", "pages", "max_page_s", "refresh_s", "verdict", "spread",
"sizes"}; bench/README.md explains each figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGE_GOAL = 1.0
REFRESH_GOAL = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (default 1.0)")
    parser.add_argument("--today", default=None, help="the bench's today (default 2026-06-15; --reuse: the build's)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page (the median is reported)")
    parser.add_argument("--reports", type=int, default=1_000_000, help="progress reports at scale 1")
    parser.add_argument("--requests", type=int, default=5_000_000, help="enterprise requests at scale 1")
    parser.add_argument(
        "--build-only", action="store_true", help="build the data set (and its first refresh) and stop"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the data set of a previous build (same data dir / database): no build, no backfill; "
        "its today and sizes are read from the build's record",
    )
    args = parser.parse_args()
    if args.build_only and args.reuse:
        parser.error("--build-only and --reuse exclude each other")
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("LUOSHI_DATA_DIR", str(Path(tempfile.gettempdir()) / "luoshi-bench-monitoring"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    os.environ["LUOSHI_JOBS_IMMEDIATE"] = "1"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "postgresql" and "bench" not in name:
        print(f"refusing to run on database {name!r}: use a scratch database whose name contains 'bench'")
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    record_file = build_record_path(connection)
    sizes = {
        "tasks": int(100_000 * args.scale),
        "reports": int(args.reports * args.scale),
        "projects": int(5_000 * args.scale),
        "requests": int(args.requests * args.scale),
        "enterprises": int(1_000_000 * args.scale),
        "indicators": 300,
        "regions": 100,
        "periods": 36,
    }
    if args.reuse:
        # the same "today" as the build: every dated row (deadlines, receipts, periods) was made relative to it
        if not record_file.exists():
            print(f"--reuse: no build record at {record_file}: run with --build-only first")
            return 2
        built = json.loads(record_file.read_text())
        if args.today and args.today != built["today"]:
            print(f"--reuse: the data was built for today={built['today']}, not {args.today}")
            return 2
        today = dt.date.fromisoformat(built["today"])
        sizes = built["sizes"]
        args.scale = built["scale"]
    else:
        today = dt.date.fromisoformat(args.today or "2026-06-15")
    # The bench's "today": what `localdate()` answers, and the date of any moment of the real today (the stamps
    # the refresh and the audit trail write now). Other moments keep their own date: the data's receipts,
    # deadlines and the roll-up's months are dated relative to the bench's today and must stay apart.
    real_localdate, real_today = timezone.localdate, timezone.localdate()

    def bench_localdate(value: dt.datetime | None = None, tz: Any = None) -> dt.date:
        if value is None:
            return today
        day = real_localdate(value, tz)
        return today if day == real_today else day

    timezone.localdate = bench_localdate  # type: ignore[assignment]
    print(f"database: {connection.vendor}; today {today}; {sizes}")
    if args.scale != 1 or sizes["requests"] != 5_000_000:
        print(
            f"SCALED: {sizes['requests']:,} of 5,000,000 requests, {sizes['enterprises']:,} of 1,000,000 enterprises"
        )
    from luoshi.dashboard import services

    t0 = time.perf_counter()
    if args.reuse:
        admin, city, county, unit, indicator = found_again()
        prepare_reuse(today)
    else:
        record_file.unlink(missing_ok=True)
        admin, city, county, unit, indicator = build(sizes, today)
        analyze()
        print(f"built in {time.perf_counter() - t0:.1f} s")
        from luoshi.requests.services.metrics import metrics_rebuild

        t = time.perf_counter()
        rebuilt = metrics_rebuild(None)
        print(f"request metrics roll-up rebuilt (after the bulk load): {time.perf_counter() - t:.1f} s {rebuilt}")
        t = time.perf_counter()
        first = services.refresh(today=today)
        print(
            f"first refresh (backfill, {len(first.periods)} periods, {first.rows:,} rows): "
            f"{time.perf_counter() - t:.2f} s"
        )
        record_file.write_text(
            json.dumps({"today": today.isoformat(), "sizes": sizes, "scale": args.scale, "built": time.time()})
        )
        if args.build_only:
            print(f"build only: data kept ({connection.settings_dict['NAME']}); record {record_file}")
            return 0
    day_of_changes(today, sizes, *regions_and_units())
    t = time.perf_counter()
    incremental = services.refresh(
        today=today,
        periods=services.periods_to_refresh(today, {"week": 1, "month": 1, "quarter": 1, "year": 1}),
        incremental=True,  # what the half-hourly job does
    )
    refresh_s = time.perf_counter() - t
    print(
        f"refresh after a day's changes ({incremental.periods}; kept unchanged: {len(incremental.unchanged)} "
        f"figure-periods): {refresh_s:.2f} s (goal < {REFRESH_GOAL:g} s)"
    )
    slowest = sorted(incremental.figure_seconds.items(), key=lambda kv: -kv[1])[:8]
    print("    slowest figures (s, all open periods): " + ", ".join(f"{k} {v:.2f}" for k, v in slowest))
    print(f"    indicator values and the rest: {refresh_s - sum(incremental.figure_seconds.values()):.2f} s")

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    month = f"kind=month&period={today:%Y-%m}"
    pages = {
        "cockpit": f"/dashboard/?{month}",
        "cockpit_county": f"/dashboard/?region={county.pk}&{month}",
        "unit": f"/dashboard/units/{unit.pk}/?{month}",
        "records_overdue": f"/dashboard/records/supervision.overdue/?region={city.pk}&{month}",
        "rankings": f"/dashboard/rankings/?{month}",
        "trends": "/dashboard/trends/?kind=month",
        "indicators": "/dashboard/indicators/",
        "indicator_trace": f"/dashboard/indicators/{indicator.pk}/?region={city.pk}",
        "screen": f"/dashboard/screen/?{month}",
        "export_xlsx": f"/dashboard/export.xlsx?{month}",
    }
    timings: dict[str, float] = {}
    spread: dict[str, tuple[float, float]] = {}
    for key, url in pages.items():
        resp = client.get(url)  # warm: templates, caches
        assert resp.status_code == 200, (url, resp.status_code)
        runs = []
        for _ in range(args.runs):
            t = time.perf_counter()
            resp = client.get(url)
            runs.append(time.perf_counter() - t)
        median = statistics.median(runs)
        timings[key] = round(median, 3)
        spread[key] = (round(min(runs), 3), round(max(runs), 3))
        verdict = "ok" if median < PAGE_GOAL else "OVER"
        print(
            f"page {key:18} median {median:6.3f} s  (min {min(runs):.3f}, max {max(runs):.3f}, {len(runs)} runs)  {verdict}"
        )
    max_page = max(timings.values())
    result = {
        "engine": connection.vendor,
        "pages": timings,
        "max_page_s": max_page,
        "refresh_s": round(refresh_s, 3),
        "refresh_figure_s": {k: round(v, 3) for k, v in incremental.figure_seconds.items()},
        "verdict": {
            "pages_under_1s": max_page < PAGE_GOAL,
            "refresh_under_10s": refresh_s < REFRESH_GOAL,
            "full_scale": sizes["requests"] >= 5_000_000 and sizes["tasks"] >= 100_000,
            "runs_per_page": args.runs,
            "statistic": "median",
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
        },
        "spread": spread,
        "sizes": sizes,
    }
    print(f"load average (1/5/15 min): {os.getloadavg()} on {os.cpu_count()} CPUs")
    print(json.dumps(result, ensure_ascii=False))
    return 0


def analyze() -> None:
    """What autovacuum / a nightly ANALYZE does in production: planner statistics after the bulk load."""
    from django.db import connection

    from luoshi.orgs.models import Enterprise
    from luoshi.requests.models import Request

    with connection.cursor() as cursor:
        for table in (
            "supervision_task",
            "supervision_assignment",
            "supervision_progressreport",
            "dashboard_indicatorvalue",
            "projects_milestone",
            Request._meta.db_table,
            Enterprise._meta.db_table,
        ):
            cursor.execute(
                f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql" else f"ANALYZE {table}"
            )


def build_record_path(connection: Any) -> Path:
    """Where a build records its today and sizes, for --reuse: beside the SQLite file, or per PostgreSQL
    database in the data dir."""
    from django.conf import settings

    name = Path(str(connection.settings_dict["NAME"])).name.replace(".", "-")
    return Path(settings.DATA_DIR) / f"bench-monitoring-{connection.vendor}-{name}.json"


def found_again() -> tuple[Any, Any, Any, Any, Any]:
    """The objects the pages are timed for, from a previous build."""
    from luoshi.accounts.models import User
    from luoshi.dashboard.models import Indicator
    from luoshi.orgs.models import Region, Unit

    city = Region.objects.get(code="bench-m-city")
    county = Region.objects.get(code="bench-m-0")
    unit = Unit.objects.filter(region=city).order_by("pk").first()
    indicator = Indicator.objects.filter(region=city, parent__isnull=False, source="reported").order_by("pk").first()
    return User.objects.get(username="bench-m-admin"), city, county, unit, indicator


def prepare_reuse(today: dt.date) -> None:
    """Bring a reused data set to "yesterday's refresh done" with today's code: the request metrics roll-up
    rebuilt if a migration emptied it, the missing closed periods computed, and the open periods refreshed from
    scratch (untimed), so the timed incremental refresh sees only the coming day of changes."""
    from luoshi.dashboard import services
    from luoshi.requests.models import MetricsSummary
    from luoshi.requests.services.metrics import metrics_rebuild

    if not MetricsSummary.objects.exists():
        t = time.perf_counter()
        rebuilt = metrics_rebuild(None)
        print(f"reuse: request metrics roll-up was empty, rebuilt: {time.perf_counter() - t:.1f} s {rebuilt}")
    t = time.perf_counter()
    base = services.refresh(today=today)  # closed periods only where missing; open ones from scratch
    print(
        f"reuse: baseline refresh ({len(base.periods)} periods, {len(base.skipped)} kept final): "
        f"{time.perf_counter() - t:.1f} s"
    )


def regions_and_units() -> tuple[list[Any], dict[int, list[Any]]]:
    from luoshi.orgs.models import Region, Unit

    regions = list(Region.objects.filter(code__startswith="bench-m-").order_by("pk"))
    return regions, {r.pk: list(Unit.objects.filter(region=r).order_by("pk")) for r in regions}


def _wipe() -> None:
    from django.db import transaction

    from luoshi.dashboard.models import FigureSnapshot, Indicator, IndicatorValue, RefreshRun
    from luoshi.projects.models import Milestone, Project
    from luoshi.requests.models import Request
    from luoshi.supervision.models import Assignment, MissedReport, ProgressReport, Task

    with transaction.atomic():
        Request.objects.filter(number__startswith="BD")._raw_delete(Request.objects.db)  # type: ignore[attr-defined]
        Request.objects.filter(number__startswith="BM")._raw_delete(Request.objects.db)  # type: ignore[attr-defined]
        for model in (
            FigureSnapshot,
            IndicatorValue,
            RefreshRun,
            MissedReport,
            ProgressReport,
            Assignment,
            Milestone,
        ):
            model.objects.all()._raw_delete(model.objects.db)  # type: ignore[attr-defined]
        Task.objects.all()._raw_delete(Task.objects.db)  # type: ignore[attr-defined]
        Project.units.through.objects.all()._raw_delete(Project.objects.db)  # type: ignore[attr-defined]
        Project.objects.all()._raw_delete(Project.objects.db)  # type: ignore[attr-defined]
        Indicator.objects.filter(parent__isnull=False).update(parent=None)
        Indicator.objects.all()._raw_delete(Indicator.objects.db)  # type: ignore[attr-defined]


def build(sizes: dict[str, int], today: dt.date) -> tuple[Any, Any, Any, Any, Any]:
    from django.utils import timezone

    from luoshi.accounts.models import Role, User
    from luoshi.calendar import targets
    from luoshi.core import bulk
    from luoshi.dashboard import engine
    from luoshi.dashboard.models import Indicator, IndicatorValue
    from luoshi.directory.services import region_create
    from luoshi.orgs.models import Region, RegionLevel, Unit
    from luoshi.plans.models import Plan, PlanStatus
    from luoshi.projects.models import Milestone, Project
    from luoshi.supervision.models import Assignment, ProgressReport, Task

    rng = random.Random(20250409)
    _wipe()
    city = Region.objects.filter(code="bench-m-city").first() or region_create(
        code="bench-m-city", name="基准市", level=RegionLevel.CITY
    )
    regions = [city]
    for c in range(9):
        county = Region.objects.filter(code=f"bench-m-{c}").first() or region_create(
            code=f"bench-m-{c}", name=f"基准县{c}", level=RegionLevel.COUNTY, parent=city
        )
        regions.append(county)
        for p in range(10):
            regions.append(
                Region.objects.filter(code=f"bench-m-{c}-{p}").first()
                or region_create(
                    code=f"bench-m-{c}-{p}", name=f"基准园区{c}-{p}", level=RegionLevel.PARK, parent=county
                )
            )
    for r in regions:
        have = Unit.objects.filter(region=r).count()
        Unit.objects.bulk_create([Unit(region=r, name=f"{r.name}单位{i:02d}") for i in range(have, 20)])
    units_by_region = {r.pk: list(Unit.objects.filter(region=r)) for r in regions}
    admin = User.objects.filter(username="bench-m-admin").first() or User.objects.create(
        username="bench-m-admin", role=Role.ADMIN, region=city
    )
    Plan.objects.filter(title__startswith="BENCHM").delete()
    plans = Plan.objects.bulk_create(
        [
            Plan(
                region=city,
                title=f"BENCHM 方案 {i}",
                status=PlanStatus.PUBLISHED,
                reporting_cycle="monthly",
                issued_on=dt.date(2025, 1, 5),
            )
            for i in range(50)
        ]
    )
    created = timezone.make_aware(dt.datetime(2025, 1, 5))
    tasks = []
    for i in range(sizes["tasks"]):
        region = regions[i % len(regions)] if rng.random() < 0.6 else city
        ongoing = rng.random() < 0.1
        deadline = None if ongoing else today + dt.timedelta(days=rng.randint(-540, 300))
        signed = deadline is not None and deadline < today and rng.random() < 0.7
        signed_on = (deadline + dt.timedelta(days=rng.randint(-40, 30))) if signed and deadline else None
        if signed_on is not None and signed_on > today:
            signed_on = today
        tasks.append(
            Task(
                plan=plans[i % len(plans)],
                region=region,
                seq=i,
                path=[f"第{i % 6 + 1}部分"],
                title=f"基准任务{i}",
                start_date=dt.date(2025, 1, 5),
                reports_from=dt.date(2025, 1, 5),
                deadline=deadline,
                ongoing=ongoing,
                reporting_cycle="monthly",
                status="signed_off" if signed else "in_progress",
                signed_off_on=signed_on,
                colour=rng.choice(["green", "green", "yellow", "red"]),
                created_at=created,
                updated_at=created,
            )
        )
    Task.objects.bulk_create(tasks, batch_size=5000)
    rows = list(Task.objects.values_list("id", "region_id"))
    assignments = []
    for task_id, region_id in rows:
        for k, unit in enumerate(rng.sample(units_by_region[region_id], 2 if rng.random() < 0.5 else 1)):
            assignments.append(Assignment(task_id=task_id, unit=unit, is_lead=k == 0))
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    a_rows = list(Assignment.objects.values_list("id", "task_id", "unit_id"))
    months = engine.last_periods("month", today, 18)[:-1]
    per = max(1, sizes["reports"] // max(1, len(a_rows)))
    now = timezone.now()
    report_rows = []
    made = 0
    for a_id, t_id, u_id in a_rows:
        for p in months[-per:]:
            if made >= sizes["reports"]:
                break
            report_rows.append(
                (
                    a_id,
                    t_id,
                    u_id,
                    bulk.db_date(p.start),
                    bulk.db_date(p.end),
                    "按计划推进",
                    50.0,
                    "[]",
                    "",
                    bulk.db_datetime(now),
                    bulk.db_date(p.end + dt.timedelta(days=4)),
                    rng.random() < 0.15,
                    1,
                )
            )
            made += 1
    bulk.insert(
        ProgressReport,
        [
            "assignment_id",
            "task_id",
            "unit_id",
            "period_start",
            "period_end",
            "narrative",
            "percent",
            "actuals",
            "problems",
            "submitted_at",
            "due_date",
            "late",
            "version",
        ],
        report_rows,
    )
    projects = Project.objects.bulk_create(
        [
            Project(
                region=regions[i % len(regions)],
                code=f"BENCHM-{i:05d}",
                name=f"基准项目{i}",
                investment=rng.randint(1000, 90000),
                colour=rng.choice(["green", "yellow", "red"]),
            )
            for i in range(sizes["projects"])
        ],
        batch_size=2000,
    )
    milestones = []
    for p in projects:
        signed = today - dt.timedelta(days=rng.randint(30, 700))
        milestones.append(Milestone(project=p, kind="signed", planned_date=signed, actual_date=signed))
        planned = signed + dt.timedelta(days=180)
        started = planned + dt.timedelta(days=rng.randint(-60, 60))
        milestones.append(
            Milestone(
                project=p,
                kind="started",
                planned_date=planned,
                actual_date=started if started < today else None,
            )
        )
    Milestone.objects.bulk_create(milestones, batch_size=5000)
    Project.units.through.objects.bulk_create(
        [
            Project.units.through(project_id=p.pk, unit_id=units_by_region[p.region_id][0].pk)
            for p in projects
        ],
        batch_size=5000,
    )
    t = time.perf_counter()
    firms = build_enterprises(sizes["enterprises"], regions)
    build_requests(sizes["requests"], regions, units_by_region, today, firms)
    print(
        f"  {sizes['enterprises']:,} enterprises and {sizes['requests']:,} requests loaded in {time.perf_counter() - t:.1f} s"
    )
    # indicator tree: 15 first-level × 4 second-level × 4 leaves = 15 + 60 + 240 = 315 → 300 with 225 leaves
    inds: list[Indicator] = []
    for a in range(15):
        top = Indicator.objects.create(
            region=city, code=f"{a + 1}", name=f"一级指标{a + 1}", weight=1, cycle="month"
        )
        for b in range(4):
            mid = Indicator.objects.create(
                region=city,
                parent=top,
                code=f"{a + 1}.{b + 1}",
                name=f"二级指标{a + 1}.{b + 1}",
                weight=1,
                cycle="month",
            )
            for c in range(4 if len(inds) < 225 - 3 else 3):
                if len(inds) >= 225:
                    break
                inds.append(
                    Indicator.objects.create(
                        region=city,
                        parent=mid,
                        code=f"{a + 1}.{b + 1}.{c + 1}",
                        name=f"三级指标{a + 1}.{b + 1}.{c + 1}",
                        weight=rng.randint(1, 5),
                        cycle="month",
                        measure_unit="%",
                        target=90,
                        warning_value=70,
                        advanced_value=98,
                        source="reported",
                    )
                )
    periods = engine.last_periods("month", today, sizes["periods"])
    thresholds = targets.TargetThresholds(True, 90, 70, 98)
    value_rows = []
    for ind in inds:
        for r in regions:
            for p in periods:
                v = round(rng.uniform(50, 100), 1)
                j = targets.judge(v, thresholds, "%")
                value_rows.append(
                    (
                        ind.pk,
                        r.pk,
                        bulk.db_date(p.start),
                        bulk.db_date(p.end),
                        v,
                        "reported",
                        j.colour,
                        j.reason,
                        targets.attainment(v, thresholds),
                        "基准",
                        "",
                        "",
                        bulk.db_datetime(now),
                        1,
                    )
                )
        if len(value_rows) > 200_000:
            _insert_values(value_rows)
            value_rows = []
    _insert_values(value_rows)
    print(
        f"  {len(regions)} regions, {sum(len(u) for u in units_by_region.values()):,} units, {len(rows):,} tasks, "
        f"{len(a_rows):,} assignments, {made:,} reports, {len(projects):,} projects, "
        f"{Indicator.objects.count()} indicators, {IndicatorValue.objects.count():,} indicator values"
    )
    return admin, city, regions[1], units_by_region[city.pk][0], inds[0]


def load_columns(model: Any, n: int, columns: dict[str, Any], chunk: int = 200_000) -> None:
    """Bulk-load `n` rows of `model` from column arrays (numpy or lists): every other NOT NULL column takes
    its field default. core.bulk.insert streams them (PostgreSQL COPY; SQLite multi-row INSERTs inside one
    transaction, with the scratch database's journal and fsync off)."""
    from django.db import connection, transaction

    from luoshi.core import bulk

    fields, constant = list(columns), {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in columns or f.null:
            continue
        value = f.get_default()
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        elif isinstance(value, dt.datetime):
            value = bulk.db_datetime(value)
        constant[f.attname] = value
    names = fields + list(constant)
    tail = tuple(constant.values())
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA journal_mode=OFF")
    for i in range(0, n, chunk):
        cols = [columns[k][i : i + chunk] for k in fields]
        cols = [c.tolist() if hasattr(c, "tolist") else list(c) for c in cols]
        with transaction.atomic():
            bulk.insert(model, names, [(*row, *tail) for row in zip(*cols, strict=True)])


def _stamps(days: Any, seconds: Any, today: dt.date) -> list[Any]:
    """Aware datetimes (as the database wants them) for `today - days` at 08:00 + `seconds`."""
    from django.utils import timezone

    from luoshi.core import bulk

    base = timezone.make_aware(dt.datetime.combine(today, dt.time(8)))
    return [
        bulk.db_datetime(base + dt.timedelta(days=-int(d), seconds=int(s)))
        for d, s in zip(days, seconds, strict=True)
    ]


def build_enterprises(n: int, regions: list[Any], seed: int = 7) -> tuple[int, int]:
    """`n` enterprises spread over the regions; returns their id range."""
    import numpy as np

    from luoshi.orgs.models import Enterprise

    rng = np.random.default_rng(seed)
    Enterprise.objects.filter(credit_code__startswith="BM")._raw_delete(Enterprise.objects.db)  # type: ignore[attr-defined]
    region_ids = np.array([r.pk for r in regions])
    industries = np.array(["制造业", "批发零售", "信息技术", "建筑业", "住宿餐饮", "科技服务"])
    scales = np.array(["大型", "中型", "小型", "微型"])
    load_columns(
        Enterprise,
        n,
        {
            "name": [f"基准企业{i}" for i in range(n)],
            "credit_code": [f"BM{i:016d}" for i in range(n)],
            "region_id": region_ids[rng.integers(0, len(region_ids), n)],
            "industry": industries[rng.integers(0, len(industries), n)],
            "scale": scales[rng.integers(0, len(scales), n)],
            "attributes": ["{}"] * n,
        },
    )
    ids = Enterprise.objects.filter(credit_code__startswith="BM").order_by("pk").values_list("pk", flat=True)
    first, last = ids.first(), ids.last()
    return (first or 0, last or 0)


def build_requests(
    n: int,
    regions: list[Any],
    units_by_region: dict[int, list[Any]],
    today: dt.date,
    enterprises: tuple[int, int],
    seed: int = 11,
) -> None:
    """`n` requests received over the last 540 days, generated column by column with numpy."""
    import numpy as np

    from luoshi.core import bulk
    from luoshi.requests.models import Request

    rng = np.random.default_rng(seed)
    channels = np.array(["hotline", "park", "petition", "window", "observer", "leader_visit", "web"])
    categories = np.array(
        ["consult", "complaint", "suggestion", "approval", "factors", "enforcement", "arrears", "other"]
    )
    ratings = np.array(["satisfied", "satisfied", "basic", "unsatisfied", ""])
    region_ix = np.arange(n) % len(regions)
    region_ids = np.array([r.pk for r in regions])[region_ix]
    unit_table = np.array([[u.pk for u in units_by_region[r.pk][:20]] for r in regions])
    lead = unit_table[region_ix, np.arange(n) % unit_table.shape[1]]
    days_ago = rng.integers(0, 541, n)
    received = _stamps(days_ago, rng.integers(0, 36_000, n), today)
    done = rng.random(n) < 0.8
    took = rng.integers(1, 13, n)
    completed = [
        (s if d else None)
        for s, d in zip(_stamps(np.maximum(days_ago - took, 0), np.full(n, 3600), today), done, strict=True)
    ]
    due = [bulk.db_date(today - dt.timedelta(days=int(d) - 7)) for d in days_ago]
    channel = channels[np.minimum(len(channels) - 1, rng.exponential(1 / 0.6, n).astype(int))]
    satisfaction = np.where(done, ratings[rng.integers(0, len(ratings), n)], "")
    lo, hi = enterprises
    enterprise = rng.integers(lo, hi + 1, n).tolist() if hi else [None] * n
    load_columns(
        Request,
        n,
        {
            "number": [f"BM{i:09d}" for i in range(n)],
            "region_id": region_ids,
            "enterprise_id": enterprise,
            "enterprise_name": [f"基准企业{i % 10000}" for i in range(n)],
            "contact_name": ["联系人"] * n,
            "contact_phone": ["13800000000"] * n,
            "channel": channel,
            "category": categories[rng.integers(0, len(categories), n)],
            "title": ["基准诉求"] * n,
            "text": ["基准诉求内容"] * n,
            "status": np.where(done, "closed", "in_progress"),
            "received_at": received,
            "lead_unit_id": lead,
            "due_on": due,
            "completed_at": completed,
            "satisfaction": satisfaction,
            "reopen_count": (rng.random(n) < 0.05).astype(int),
        },
    )


def channel_of(channels: list[str], rng: random.Random) -> str:
    return channels[min(len(channels) - 1, int(rng.expovariate(0.6)))]


def _insert_values(rows: list[tuple[Any, ...]]) -> None:
    from luoshi.core import bulk
    from luoshi.dashboard.models import IndicatorValue

    bulk.insert(
        IndicatorValue,
        [
            "indicator_id",
            "region_id",
            "period_start",
            "period_end",
            "value",
            "source",
            "colour",
            "colour_reason",
            "score",
            "evidence",
            "evidence_name",
            "evidence_stored",
            "reported_at",
            "version",
        ],
        rows,
    )


def day_of_changes(
    today: dt.date, sizes: dict[str, int], regions: list[Any], units: dict[int, list[Any]]
) -> None:
    """A day's work, written with its audit events as the services write them: 0.5 % of the open tasks
    signed off today, and a day's enterprise requests (the 540-day volume ÷ 540) received today, a fifth
    of them already completed. Only what the audit trail shows as touched is recomputed."""
    from django.utils import timezone

    from luoshi.audit.services import record
    from luoshi.requests.models import METRIC_COUNTERS, MetricsDelta, Request
    from luoshi.requests.services.metrics import contribution
    from luoshi.supervision.models import Task

    ids = list(
        Task.objects.filter(status="in_progress").values_list("pk", flat=True)[
            : max(1, sizes["tasks"] // 200)
        ]
    )
    now = timezone.now()
    Task.objects.filter(pk__in=ids).update(status="signed_off", signed_off_on=today, updated_at=now)
    for task in Task.objects.filter(pk__in=ids):
        record(
            actor=None,
            action="supervision.task_signed_off",
            subject=task,
            after={"signed_off_on": str(today)},
        )
    n = max(1, sizes["requests"] // 540)
    base = Request.objects.count()
    received = timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
    made = []
    for i in range(n):
        region = regions[i % len(regions)]
        done = i % 5 == 0
        made.append(
            Request(
                number=f"BD{base + i:09d}",
                region=region,
                enterprise_name="基准企业",
                contact_name="联系人",
                contact_phone="13800000000",
                channel="hotline",
                category="consult",
                title="今日诉求",
                text="今日诉求内容",
                status="closed" if done else "in_progress",
                received_at=received,
                lead_unit=units[region.pk][i % 20],
                due_on=today + dt.timedelta(days=7),
                completed_at=received + dt.timedelta(hours=4) if done else None,
            )
        )
    Request.objects.bulk_create(made, batch_size=5000)
    deltas = []
    for r in Request.objects.filter(number__in=[m.number for m in made]):  # this day's, not an earlier run's
        record(actor=None, action="requests.received", subject=r, after={"number": r.number})
        # what each intake's post_save appends to the metrics roll-up (bulk_create sends none); left unfolded,
        # so the refresh reads them as it would between two folds
        counted = contribution(r)
        if counted is not None:
            (region_id, unit_key, period), vec = counted
            deltas.append(
                MetricsDelta(
                    region_id=region_id,
                    unit_key=unit_key,
                    period=period,
                    **dict(zip(METRIC_COUNTERS, vec, strict=True)),
                )
            )
    MetricsDelta.objects.bulk_create(deltas, batch_size=5000)


if __name__ == "__main__":
    sys.exit(main())
