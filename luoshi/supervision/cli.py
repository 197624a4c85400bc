"""`luoshi supervision ...`: the warning sweep and the dispatch report from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from luoshi.supervision.errors import SupervisionError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "supervision",
        help="task supervision (督查督办): warning sweep, dispatch reports",
        description="Supervision of the tasks made from published plans: run the daily red/yellow/green "
        "warning sweep now, or write the dispatch report (调度通报) of a month.",
    )
    group = p.add_subparsers(dest="supervision_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    q = group.add_parser(
        "sweep",
        help="run the warning sweep now and print one JSON line",
        description="Detect missed reports, recolour every live task and create reminders and warnings. "
        "Idempotent: a second run for the same date changes nothing and notifies no one. Prints "
        '{"date", "green", "yellow", "red", "changed", "notifications"} on one line.',
    )
    q.add_argument("--date", metavar="YYYY-MM-DD", help="the day to sweep for (default: today)")
    q.set_defaults(func=sweep)

    q = group.add_parser(
        "report",
        help="write the dispatch report (.docx) or the task ledger (.xlsx) of a month",
        description="Write the dispatch report of a month: a .docx (summary figures, red/yellow lists, a "
        "table per unit, problems needing coordination, the bulletin of missed reports) or, with a .xlsx "
        "file name, the task ledger (frozen header, filters, column widths).",
    )
    q.add_argument("--period", required=True, metavar="YYYY-MM", help="the month, e.g. 2026-05")
    q.add_argument("--plan", type=int, metavar="ID", help="only the tasks of this plan")
    q.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.docx or FILE.xlsx")
    q.set_defaults(func=report)


def _parse_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        from luoshi.core.errors import ValidationFailed

        raise ValidationFailed(
            f"日期“{text}”格式不对,请写成 YYYY-MM-DD(如 2026-10-09)。",
            code=SupervisionError.DATE_INVALID,
        ) from None


def sweep(args: argparse.Namespace) -> int:
    day = _parse_date(args.date)
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.supervision.services import sweep as run

    result = run(day)
    print(json.dumps(result.summary(), ensure_ascii=False))
    return 0


def report(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from pathlib import Path

    from luoshi.core.errors import ValidationFailed
    from luoshi.supervision import selectors
    from luoshi.supervision.services import exports

    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in (".docx", ".xlsx"):
        raise ValidationFailed(code=SupervisionError.EXPORT_SUFFIX_INVALID)
    period = selectors.parse_period(args.period)
    if suffix == ".docx":
        data = exports.dispatch_docx(selectors.dispatch_data(None, period, args.plan))
    else:
        data = exports.ledger_xlsx(selectors.ledger_for_export(None, args.plan))
    out.write_bytes(data)
    print(f"已写入 {out}", file=sys.stderr)
    return 0
