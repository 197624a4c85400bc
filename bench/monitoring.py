"""Benchmark of the monitoring dashboard: summary refresh and every cockpit page at scale.

Builds, in a scratch database, 100 regions (a city, 9 counties, 90 parks/towns) with 20 units each,
100,000 tasks (about 150,000 assignments) with dated deadlines / sign-offs, progress reports, 5,000 major
projects with milestones, and an indicator tree of 300 indicators with values for 100 regions × 36 months;
then times:

- the first refresh (every period of the backfill window: informational),
- the refresh after a day's changes (0.5 % of tasks signed off, a day of reports; the open periods only —
  what the incremental job does): goal < 10 s,
- each page as the city's office through Django (best of 3): goal < 1 s.

Scaled down, and said so in the output: 500,000 enterprise requests instead of 5,000,000 (--requests), no
enterprises or policy pushes (1,000,000 firms: the policies bench's subject; the dashboard reads only the
pushes' and payouts' grouped counts); progress reports default to 1,000,000 (the supervision bench covers 2M).

    LUOSHI_DATA_DIR=/tmp/luoshi-bench-monitoring .venv/bin/python bench/monitoring.py [--scale 0.1]
    createdb -h 127.0.0.1 -U postgres luoshi_bench_monitoring
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luoshi_bench_monitoring .venv/bin/python bench/monitoring.py

The last line is one JSON object {"engine", "pages", "max_page_s", "refresh_s"}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
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
    parser.add_argument("--today", default="2026-06-15")
    parser.add_argument("--reports", type=int, default=1_000_000, help="progress reports at scale 1")
    parser.add_argument("--requests", type=int, default=500_000, help="enterprise requests at scale 1")
    args = parser.parse_args()
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
    today = dt.date.fromisoformat(args.today)
    timezone.localdate = lambda *a, **k: today  # type: ignore[assignment]  # the bench's "today"
    sizes = {
        "tasks": int(100_000 * args.scale),
        "reports": int(args.reports * args.scale),
        "projects": int(5_000 * args.scale),
        "requests": int(args.requests * args.scale),
        "indicators": 300,
        "regions": 100,
        "periods": 36,
    }
    print(f"database: {connection.vendor}; {sizes}")
    print(
        f"scaled down: requests {sizes['requests']:,} of 5,000,000; enterprises and policy pushes 0 of 1,000,000"
    )
    t0 = time.perf_counter()
    admin, city, county, unit, indicator = build(sizes, today)
    with connection.cursor() as cursor:
        for table in (
            "supervision_task",
            "supervision_assignment",
            "supervision_progressreport",
            "dashboard_indicatorvalue",
            "projects_milestone",
        ):
            cursor.execute(
                f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql" else f"ANALYZE {table}"
            )
    print(f"built in {time.perf_counter() - t0:.1f} s")

    from luoshi.dashboard import services

    t = time.perf_counter()
    first = services.refresh(today=today)
    print(
        f"first refresh (backfill, {len(first.periods)} periods, {first.rows:,} rows): {time.perf_counter() - t:.2f} s"
    )

    day_of_changes(today, sizes)
    t = time.perf_counter()
    incremental = services.refresh(
        today=today,
        periods=services.periods_to_refresh(today, {"week": 1, "month": 1, "quarter": 1, "year": 1}),
    )
    refresh_s = time.perf_counter() - t
    print(
        f"refresh after a day's changes ({incremental.periods}): {refresh_s:.2f} s (goal < {REFRESH_GOAL:g} s)"
    )

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
    for key, url in pages.items():
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            resp = client.get(url)
            best = min(best, time.perf_counter() - t)
        timings[key] = round(best, 3)
        verdict = "ok" if best < PAGE_GOAL else "OVER"
        print(f"page {key:18} {best:6.3f} s  {verdict}")
    result = {
        "engine": connection.vendor,
        "pages": timings,
        "max_page_s": max(timings.values()),
        "refresh_s": round(refresh_s, 3),
    }
    print(f"load average (1/5/15 min): {os.getloadavg()} on {os.cpu_count()} CPUs")
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _wipe() -> None:
    from django.db import transaction

    from luoshi.dashboard.models import FigureSnapshot, Indicator, IndicatorValue, RefreshRun
    from luoshi.projects.models import Milestone, Project
    from luoshi.requests.models import Request
    from luoshi.supervision.models import Assignment, MissedReport, ProgressReport, Task

    with transaction.atomic():
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
    from luoshi.core import bulk
    from luoshi.dashboard import engine
    from luoshi.dashboard.models import Indicator, IndicatorValue
    from luoshi.orgs.models import Region, RegionLevel, Unit
    from luoshi.orgs.services import region_create
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
    build_requests(sizes["requests"], regions, units_by_region, today, rng)
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
    value_rows = []
    for ind in inds:
        for r in regions:
            for p in periods:
                v = round(rng.uniform(50, 100), 1)
                j = engine.judge(v, engine.Thresholds(True, 90, 70, 98), "%")
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
                        engine.attainment(v, engine.Thresholds(True, 90)),
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


def build_requests(
    n: int, regions: list[Any], units_by_region: dict[int, list[Any]], today: dt.date, rng: random.Random
) -> None:
    from django.utils import timezone

    from luoshi.requests.models import Request

    channels = ["hotline", "park", "petition", "window", "observer", "leader_visit", "web"]
    categories = [
        "consult",
        "complaint",
        "suggestion",
        "approval",
        "factors",
        "enforcement",
        "arrears",
        "other",
    ]
    batch: list[Request] = []
    for i in range(n):
        region = regions[i % len(regions)]
        received = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=rng.randint(0, 540)), dt.time(9))
        )
        due = received.date() + dt.timedelta(days=7)
        done = received + dt.timedelta(days=rng.randint(1, 12)) if rng.random() < 0.8 else None
        batch.append(
            Request(
                number=f"BM{i:08d}",
                region=region,
                enterprise_name=f"基准企业{i % 10000}",
                contact_name="联系人",
                contact_phone="13800000000",
                channel=channel_of(channels, rng),
                category=rng.choice(categories),
                title="基准诉求",
                text="基准诉求内容",
                status="closed" if done else "in_progress",
                received_at=received,
                lead_unit=units_by_region[region.pk][i % 20],
                due_on=due,
                completed_at=done,
                satisfaction=rng.choice(["satisfied", "satisfied", "basic", "unsatisfied", ""])
                if done
                else "",
                reopen_count=1 if rng.random() < 0.05 else 0,
            )
        )
        if len(batch) >= 5000:
            Request.objects.bulk_create(batch)
            batch = []
    Request.objects.bulk_create(batch)


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


def day_of_changes(today: dt.date, sizes: dict[str, int]) -> None:
    """A day's work: 0.5 % of the open tasks signed off today."""
    from luoshi.supervision.models import Task

    ids = list(
        Task.objects.filter(status="in_progress").values_list("pk", flat=True)[
            : max(1, sizes["tasks"] // 200)
        ]
    )
    Task.objects.filter(pk__in=ids).update(status="signed_off", signed_off_on=today)


if __name__ == "__main__":
    sys.exit(main())
