"""`luoshi projects sweep | import | export`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from luoshi.projects.errors import ProjectError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "projects",
        help="major projects: warning sweep, ledger import/export",
        description="重大项目:红黄绿预警扫描、台账导入导出。",
    )
    cmds = p.add_subparsers(dest="projects_command", metavar="SUBCOMMAND")

    s = cmds.add_parser(
        "sweep",
        help="colour every project now and print one JSON line",
        description="Colour every project as of --date (default today). Idempotent: a second run "
        'for the same date prints "changed": 0, "notifications": 0.',
    )
    s.add_argument("--date", help="evaluate as of this date (YYYY-MM-DD)")
    s.set_defaults(func=sweep)

    i = cmds.add_parser("import", help="import the project ledger from an .xlsx file (all or nothing)")
    i.add_argument("file", type=Path)
    i.add_argument("--as", dest="username", help="act as this administrator (default: the system)")
    i.set_defaults(func=import_file)

    e = cmds.add_parser("export", help="export the project ledger to an .xlsx file")
    e.add_argument("-o", "--output", type=Path, required=True)
    e.add_argument("--as", dest="username", help="export what this user may see (default: everything)")
    e.set_defaults(func=export_file)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _user(username: str | None) -> Any:
    if not username:
        return None
    from luoshi.accounts.models import User
    from luoshi.core.errors import NotFound

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"用户“{username}”不存在或已停用。", code=ProjectError.USER_NOT_FOUND)
    return user


def sweep(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.core.errors import ValidationFailed
    from luoshi.projects.services import projects_sweep

    on = None
    if args.date:
        try:
            on = dt.date.fromisoformat(args.date)
        except ValueError as exc:
            raise ValidationFailed(
                f"日期“{args.date}”无效:请按 YYYY-MM-DD 填写。",
                code=ProjectError.DATE_INVALID,
            ) from exc
    result = projects_sweep(on=on)
    print(json.dumps(result.as_dict(), ensure_ascii=False))
    return 0


def import_file(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.core.errors import ValidationFailed
    from luoshi.projects.ledger import import_ledger

    if not args.file.is_file():
        raise ValidationFailed(f"找不到文件 {args.file}。", code=ProjectError.FILE_NOT_FOUND)
    result = import_ledger(user=_user(args.username), content=args.file.read_bytes())
    print(result.summary())
    return 0


def export_file(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.projects.ledger import export_ledger

    args.output.write_bytes(export_ledger(_user(args.username)))
    print(f"已导出到 {args.output}", file=sys.stderr)
    return 0
