"""`luoshi dashboard refresh | import-indicators`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from luoshi.dashboard.errors import DashboardError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "dashboard",
        help="monitoring: refresh the summary tables, import an indicator tree",
        description="营商环境监测:刷新汇总表、导入指标体系。",
    )
    cmds = p.add_subparsers(dest="dashboard_command", metavar="SUBCOMMAND")
    r = cmds.add_parser(
        "refresh",
        help="recompute the summary tables and print one JSON line",
        description="Open periods always; closed periods of the backfill window only when missing "
        "(--rebuild recomputes them from the dated history). --open-only: what the incremental job does.",
    )
    r.add_argument("--date", help="as of this day (YYYY-MM-DD, default today)")
    r.add_argument("--rebuild", action="store_true", help="recompute closed periods too")
    r.add_argument("--open-only", action="store_true", help="only the periods that contain the day")
    r.set_defaults(func=refresh)
    i = cmds.add_parser(
        "import-indicators", help="import a region's indicator tree from .xlsx (all or nothing)"
    )
    i.add_argument("file", type=Path)
    i.add_argument("--region", required=True, help="region code (e.g. 420800)")
    i.set_defaults(func=import_indicators)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def refresh(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from django.utils import timezone

    from luoshi.core.errors import ValidationFailed
    from luoshi.dashboard.services import periods_to_refresh
    from luoshi.dashboard.services import refresh as do_refresh

    try:
        day = dt.date.fromisoformat(args.date) if args.date else timezone.localdate()
    except ValueError as exc:
        raise ValidationFailed(
            f"日期“{args.date}”无效:请按 YYYY-MM-DD 填写。",
            code=DashboardError.DATE_INVALID,
        ) from exc
    periods = (
        periods_to_refresh(day, dict.fromkeys(("week", "month", "quarter", "year"), 1))
        if args.open_only
        else None
    )
    print(
        json.dumps(do_refresh(today=day, periods=periods, rebuild=args.rebuild).summary(), ensure_ascii=False)
    )
    return 0


def import_indicators(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.core.errors import NotFound, ValidationFailed
    from luoshi.dashboard.services import indicators_import
    from luoshi.orgs.models import Region

    region = Region.objects.filter(code=args.region).first()
    if region is None:
        raise NotFound(f"区域代码“{args.region}”不存在。", code=DashboardError.REGION_NOT_FOUND)
    if not args.file.is_file():
        raise ValidationFailed(f"找不到文件 {args.file}。", code=DashboardError.FILE_NOT_FOUND)
    result = indicators_import(user=None, region=region, data=args.file.read_bytes(), filename=args.file.name)
    print(json.dumps({"created": result.created, "updated": result.updated}, ensure_ascii=False))
    return 0
