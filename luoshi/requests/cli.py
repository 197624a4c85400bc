"""`luoshi route ...` and `luoshi requests ...`: routing evaluation on any labelled history, training, the overdue
sweep and 12345 imports."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from luoshi.requests.errors import RequestError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "route",
        help="routing suggestions (分办建议): evaluate on a labelled history, train",
        description="Judge auto-routing before trusting it: stratified cross-validation on any labelled file.",
    )
    group = p.add_subparsers(dest="route_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
    q = group.add_parser(
        "evaluate",
        help="cross-validated accuracy, macro-F1, top-3 against a char TF-IDF + LinearSVC baseline",
        description="Read FILE (.csv or .xlsx), join the --text-col columns, learn --label-col with stratified "
        'k-fold cross-validation and print one JSON line {"n", "classes", "accuracy", "macro_f1", "top3", '
        '"baseline_macro_f1"}; the baseline is a plain character TF-IDF + LinearSVC on the same folds. '
        "No database needed.",
    )
    q.add_argument("file", metavar="FILE")
    q.add_argument("--text-col", action="append", required=True, metavar="COL", help="repeat to join columns")
    q.add_argument("--label-col", required=True, metavar="COL")
    q.add_argument("--folds", type=int, default=5)
    q.set_defaults(func=evaluate)
    q = group.add_parser("train", help="train the routing model of a region now (normally a nightly job)")
    q.add_argument("--region", required=True, metavar="CODE", help="region code, e.g. 420800")
    q.set_defaults(func=train)

    r = sub.add_parser("requests", help="enterprise requests (企业诉求): overdue sweep, 12345 import")
    rgroup = r.add_subparsers(dest="requests_command", metavar="SUBCOMMAND")
    r.set_defaults(func=lambda args: (r.print_help(), 2)[1])
    q = rgroup.add_parser("sweep", help="put overdue sign-in / reply / completion on the accountability list")
    q.set_defaults(func=sweep)
    q = rgroup.add_parser("import", help="import a 12345 export (.xlsx/.csv), all rows or none")
    q.add_argument("file", metavar="FILE")
    q.set_defaults(func=import_file)
    q = rgroup.add_parser(
        "metrics-rebuild", help="recompute the metrics roll-up from the requests (default: the last 4 months)"
    )
    q.add_argument("--all", action="store_true", help="every month with requests (after a bulk load)")
    q.add_argument("--period", action="append", default=[], metavar="YYYY-MM", help="one month (repeatable)")
    q.set_defaults(func=metrics_rebuild)


def _read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    else:
        from luoshi.core.text import decode_chinese

        decoded = decode_chinese(path.read_bytes())
        if decoded is None:
            raise SystemExit(f"{path}: unknown text encoding")
        rows = [list(r) for r in csv.reader(io.StringIO(decoded[0]))]
    rows = [r for r in rows if any(c.strip() for c in r)]
    return [h.strip() for h in rows[0]], rows[1:]


def evaluate(args: argparse.Namespace) -> int:
    from luoshi.requests import routing

    header, rows = _read_table(Path(args.file))
    for col in [*args.text_col, args.label_col]:
        if col not in header:
            print(f"错误: 文件中没有列“{col}”;现有列:{'、'.join(header)}", file=sys.stderr)
            return 1
    idx = [header.index(c) for c in args.text_col]
    li = header.index(args.label_col)
    texts, labels = [], []
    for r in rows:
        label = r[li].strip() if li < len(r) else ""
        text = "。".join(r[i].strip() for i in idx if i < len(r) and r[i].strip())
        if label and text:
            texts.append(text)
            labels.append(label)
    print(json.dumps(routing.evaluate(texts, labels, folds=args.folds), ensure_ascii=False))
    return 0


def train(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.core.errors import NotFound
    from luoshi.orgs.models import Region
    from luoshi.requests.services.routing import routing_train

    region = Region.objects.filter(code=args.region).first()
    if region is None:
        raise NotFound(f"区域代码“{args.region}”不存在。", code=RequestError.REGION_UNKNOWN)
    row = routing_train(region=region)
    print(
        json.dumps(
            {
                "trained": row is not None,
                "n": row.n_samples if row else 0,
                "classes": row.n_classes if row else 0,
            }
        )
    )
    return 0


def sweep(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.requests.services.sweep import sweep as run

    print(json.dumps(run().summary(), ensure_ascii=False))
    return 0


def metrics_rebuild(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.requests.services.metrics import metrics_rebuild as rebuild
    from luoshi.requests.services.metrics import recent_periods

    periods = None if args.all else (args.period or recent_periods(4))
    print(json.dumps(rebuild(periods), ensure_ascii=False))
    return 0


def import_file(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.requests.services.imports import import_12345

    path = Path(args.file)
    result = import_12345(user=None, content=path.read_bytes(), file_name=path.name)
    print(json.dumps({"created": result.created, "existing": result.existing}))
    return 0
