"""`luoshi enterprises size ...` (no database) and `luoshi policies ...` (rule books, pushes, imports)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    ent = sub.add_parser("enterprises", help="enterprise size (大/中/小/微) and profiles",
                         description="Enterprise profiles (一企一档) and size classification.")
    ent_sub = ent.add_subparsers(dest="enterprises_command", metavar="ACTION")
    ent.set_defaults(func=lambda args: (ent.print_help(), 0)[1])
    p = ent_sub.add_parser("size", help="大型/中型/小型/微型 from 工信部联企业〔2011〕300号 (no database needed)")
    p.add_argument("--industry", required=True, help="GB/T 4754-2017 code at any level: C3911, C39, 3911, I65 …")
    p.add_argument("--employees", type=float, help="从业人员(人)")
    p.add_argument("--revenue", type=float, help="营业收入(万元)")
    p.add_argument("--assets", type=float, help="资产总额(万元)")
    p.add_argument("--date", help="as of this date (YYYY-MM-DD; default today): which standard applies")
    p.add_argument("--why", action="store_true", help="print the group and the bounds reached")
    p.set_defaults(func=size_cmd)
    p = ent_sub.add_parser("import", help="import profiles (.xlsx/.csv) from one department; all or nothing")
    p.add_argument("file", type=Path)
    p.add_argument("--source", required=True, help="the department the data comes from (e.g. 税务局)")
    p.add_argument("--self-declared", action="store_true", help="the firms' own declarations (not authoritative)")
    p.add_argument("--as-of", help="the date the data is true (YYYY-MM-DD; default today)")
    p.set_defaults(func=import_cmd)

    pol = sub.add_parser("policies", help="support policies: rule books, cases, pushes",
                         description="Support policies (惠企政策): run YAML rule books and push published items.")
    pol_sub = pol.add_subparsers(dest="policies_command", metavar="ACTION")
    pol.set_defaults(func=lambda args: (pol.print_help(), 0)[1])
    p = pol_sub.add_parser("test", help="run the test cases of a YAML rule book (no database needed)")
    p.add_argument("file", type=Path)
    p.set_defaults(func=test_cmd)
    p = pol_sub.add_parser("push", help="push every published item to qualifying and near-miss firms (once each)")
    p.set_defaults(func=push_cmd)


def size_cmd(args: argparse.Namespace) -> int:
    import datetime as dt

    from luoshi.policies.engine.size import IndustryCodeError, classify

    try:
        on = dt.date.fromisoformat(args.date) if args.date else None
        result = classify(args.industry, args.employees, args.revenue, args.assets, on=on)
    except (IndustryCodeError, ValueError) as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 2
    if result.size:
        print(result.size)
    else:
        print(f"{result.label}:{result.reason}")
    if args.why:
        print(f"{result.reason}\n依据:{result.standard}")
    return 0 if result.size else 1


def test_cmd(args: argparse.Namespace) -> int:
    from luoshi.policies.engine.rulebook import RuleBook, run_all_cases
    from luoshi.policies.engine.rules import RuleError

    try:
        book = RuleBook.from_yaml(args.file.read_text(encoding="utf-8"))
    except RuleError as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 2
    results = run_all_cases(book)
    for r in results:
        print(f"{'通过' if r.passed else '失败'}  {r.item}  {r.case}  {'' if r.passed else r.message}")
    failed = sum(1 for r in results if not r.passed)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def push_cmd(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.policies import services
    from luoshi.policies.models import PolicyItem

    total = 0
    for item in PolicyItem.objects.filter(published_version__isnull=False).order_by("code"):
        n = services.push_item(item_id=item.pk)
        print(f"{item.code} {item.title}:新推送 {n} 家")
        total += n
    print(f"共新推送 {total} 条(同一版本不重复推送)")
    return 0


def import_cmd(args: argparse.Namespace) -> int:
    import datetime as dt

    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.policies import services
    from luoshi.policies.importing import read_rows

    rows = read_rows(args.file.name, args.file.read_bytes())
    report = services.profiles_import(actor=None, rows=rows, source=args.source,
                                      authoritative=not args.self_declared,
                                      as_of=dt.date.fromisoformat(args.as_of) if args.as_of else services.today())
    print(f"导入完成:新建 {report.created} 家,更新 {report.updated} 家,未变化 {report.unchanged} 家")
    for line in report.flagged:
        print(f"  注意 {line}")
    return 0
