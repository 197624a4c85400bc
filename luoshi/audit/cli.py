"""`luoshi audit verify` (check the hash chain) and `luoshi audit grant-app-role ROLE` (PostgreSQL privileges)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="the audit trail: verify the hash chain, set up the application role")
    group = p.add_subparsers(dest="audit_command", metavar="ACTION")
    v = group.add_parser("verify", help="check every audit row's hash and link; report the first broken link")
    v.set_defaults(func=verify)
    g = group.add_parser(
        "grant-app-role",
        help="PostgreSQL: grant ROLE (the non-owner role the platform connects as) what it needs, "
        "audit trail insert-only",
    )
    g.add_argument("role")
    g.add_argument("--print", action="store_true", help="only print the SQL")
    g.set_defaults(func=grant_app_role)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def verify(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.audit.services import chain_verify

    result = chain_verify()
    if result.first_break is not None:
        print(f"审计链校验失败:{result.first_break.describe()}(已检查 {result.checked} 条)", file=sys.stderr)
        return 1
    legacy = f",其中 {result.legacy} 条为启用哈希链之前的记录" if result.legacy else ""
    print(f"审计链完整:共 {result.checked} 条记录{legacy}。")
    return 0


def grant_app_role(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from django.db import connection

    from luoshi.audit.services import app_role_grants

    statements = app_role_grants(args.role)
    if args.print or connection.vendor != "postgresql":
        print(";\n".join(statements) + ";")
        return 0
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    print(f"已为数据库角色 {args.role} 授权(审计记录只能读取与追加)。")
    return 0
