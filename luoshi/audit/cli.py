"""`luoshi audit seal` (chain the rows written since the last seal), `luoshi audit verify` (seal, then check the
hash chain) and `luoshi audit grant-app-role ROLE` (PostgreSQL privileges)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="the audit trail: verify the hash chain, set up the application role")
    group = p.add_subparsers(dest="audit_command", metavar="ACTION")
    s = group.add_parser("seal", help="hash-chain the audit rows written since the last seal (also run every minute)")
    s.set_defaults(func=seal)
    v = group.add_parser(
        "verify", help="seal, then check every sealed audit row's hash and link; report the first broken link"
    )
    v.add_argument("--no-seal", action="store_true", help="only check (e.g. as a read-only role)")
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
    from luoshi.audit.services import chain_verify, seal

    if not args.no_seal:
        seal()
    result = chain_verify()
    if result.first_break is not None:
        print(f"审计链校验失败:{result.first_break.describe()}(已检查 {result.checked} 条)", file=sys.stderr)
        return 1
    pending = ""
    if result.unsealed:
        from django.utils import timezone

        at = result.oldest_unsealed
        oldest = f",最早的写于 {timezone.localtime(at):%Y-%m-%d %H:%M:%S}" if at else ""
        pending = f";另有 {result.unsealed} 条尚未封存(尚未编入哈希链{oldest})"
    print(f"审计链完整:共 {result.checked} 条已封存记录{pending}。")
    return 0


def seal(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.audit.services import seal as run_seal

    print(f"已封存 {run_seal().sealed} 条审计记录(编入哈希链)。")
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
