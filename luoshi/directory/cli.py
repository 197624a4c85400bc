"""`luoshi orgs ...`: import, export and query the org directory (组织机构目录)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from luoshi.directory.errors import DirectoryError

EXIT_AMBIGUOUS = 3
EXIT_UNKNOWN = 4


def register(sub: Any) -> None:
    group = sub.add_parser(
        "orgs",
        help="org directory: import, export, resolve unit names",
        description="The org directory (组织机构目录): regions, units and the names plans use for them.",
    )
    orgs = group.add_subparsers(dest="orgs_command", metavar="ACTION")
    group.set_defaults(func=lambda args: (group.print_help(), 0)[1])

    p = orgs.add_parser(
        "import",
        help="import a directory file (.xlsx or .csv); all or nothing",
        description="Import a directory file. Every problem is listed by row and column and "
        "nothing is written unless the whole file is valid. Importing the same file twice "
        "changes nothing.",
    )
    p.add_argument("file", type=Path)
    p.add_argument("--as", dest="username", help="record the change as this administrator (default: system)")
    p.set_defaults(func=import_cmd)

    p = orgs.add_parser("export", help="export the directory to .xlsx or .csv (same columns as import)")
    p.add_argument("-o", "--output", type=Path, required=True, help="FILE.xlsx or FILE.csv")
    p.add_argument("--region", help="only this region (code) and the regions below it")
    p.set_defaults(func=export_cmd)

    p = orgs.add_parser(
        "resolve",
        help="what a unit name means in a region (exit 0 resolved, 3 ambiguous, 4 unknown)",
        description="Resolve a unit name as a plan writes it (市发改委) in the context of a "
        "region. Prints the unit, 'ambiguous: ...' with every candidate, or 'unknown'.",
    )
    p.add_argument("name")
    p.add_argument("--region", required=True, help="region code, e.g. 420800")
    p.set_defaults(func=resolve_cmd)

    p = orgs.add_parser("load-shipped", help="load the directories shipped with luoshi (idempotent)")
    p.set_defaults(func=load_shipped_cmd)


def _setup() -> None:
    from luoshi.core.bootstrap import setup_django

    setup_django()


def _actor(username: str | None) -> Any:
    if not username:
        return None
    from luoshi.accounts.models import User
    from luoshi.core.errors import NotFound

    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"没有用户名为 {username} 的用户。", code=DirectoryError.USER_NOT_FOUND)
    return user


def import_cmd(args: argparse.Namespace) -> int:
    _setup()
    from luoshi.core.errors import ImportFailed
    from luoshi.directory.services import directory_import

    if not args.file.is_file():
        print(f"错误: 找不到文件 {args.file}", file=sys.stderr)
        return 1
    try:
        result = directory_import(
            actor=_actor(args.username), data=args.file.read_bytes(), filename=args.file.name
        )
    except ImportFailed as exc:
        print(f"错误 [{exc.code}]: {exc.message}", file=sys.stderr)
        for item in exc.details or []:
            column = f" 列“{item['column']}”" if item.get("column") else ""
            print(f"  第 {item['row']} 行{column}: {item['message']}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def export_cmd(args: argparse.Namespace) -> int:
    _setup()
    from luoshi.directory.selectors import directory_export
    from luoshi.orgs.models import Region

    suffix = args.output.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        print("错误: 输出文件名须以 .xlsx 或 .csv 结尾。", file=sys.stderr)
        return 2
    region = None
    if args.region:
        region = Region.objects.filter(code=args.region).first()
        if region is None:
            print(f"错误: 没有代码为 {args.region} 的区域。", file=sys.stderr)
            return 1
    data, rows = directory_export(None, region=region, file_format=suffix[1:])
    args.output.write_bytes(data)
    print(f"已导出 {rows} 行到 {args.output}")
    return 0


def resolve_cmd(args: argparse.Namespace) -> int:
    _setup()
    from luoshi.directory.selectors import ResolutionStatus, resolve_unit
    from luoshi.orgs.models import Region

    region = Region.objects.filter(code=args.region).first()
    if region is None:
        print(f"错误: 没有代码为 {args.region} 的区域。", file=sys.stderr)
        return 1
    result = resolve_unit(args.name, region)
    if result.unit is not None:
        unit = result.unit
        flag = "" if unit.verified else " · 全称未核实"
        print(f"{unit.name}\t({unit.region.name} · {unit.get_kind_display()}{flag})")
        return 0
    print(result.describe())
    return EXIT_AMBIGUOUS if result.status == ResolutionStatus.AMBIGUOUS else EXIT_UNKNOWN


def load_shipped_cmd(args: argparse.Namespace) -> int:
    _setup()
    from luoshi.directory.services import load_shipped_directories

    for name, result in load_shipped_directories():
        print(f"{name}: {result.summary()}")
    return 0
