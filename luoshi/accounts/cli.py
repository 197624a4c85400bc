"""`luoshi users ...`: create accounts and API tokens from the command line."""

from __future__ import annotations

import argparse
import getpass
import os
from typing import Any

from luoshi.accounts.errors import AccountError


def register(sub: Any) -> None:
    p = sub.add_parser("users", help="create accounts and API tokens")
    users = p.add_subparsers(dest="users_command", metavar="ACTION")

    c = users.add_parser("create", help="create an account with a role and scope")
    c.add_argument("username")
    c.add_argument("--role", required=True, choices=["admin", "staff", "leader", "enterprise", "observer"])
    c.add_argument("--region", help="region code (admin, leader, observer)")
    c.add_argument("--unit", help="unit full name or alias, resolved in --region (staff)")
    c.add_argument("--enterprise", help="unified social credit code (enterprise users)")
    c.add_argument("--name", default="", help="display name")
    c.add_argument("--password", help="password (default: $LUOSHI_PASSWORD or prompt)")
    c.set_defaults(func=create_user)

    t = users.add_parser("token", help="create an API token for a user (printed once)")
    t.add_argument("username")
    t.add_argument("--name", default="cli", help="what the token is for")
    t.set_defaults(func=create_token)


def create_user(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.accounts.models import Role
    from luoshi.accounts.services import user_create
    from luoshi.core.errors import NotFound
    from luoshi.orgs.models import Enterprise, Region, Unit

    region = unit = enterprise = None
    if args.region:
        region = Region.objects.filter(code=args.region).first()
        if region is None:
            raise NotFound(f"找不到区域代码“{args.region}”。", code=AccountError.REGION_NOT_FOUND)
    if args.unit:
        units = Unit.objects.filter(name=args.unit) | Unit.objects.filter(aliases__alias=args.unit)
        if region is not None:
            units = units.filter(region=region)
        found = list(units.distinct()[:2])
        if len(found) != 1:
            raise NotFound(
                f"单位“{args.unit}”{'有多个匹配' if found else '不存在'},请用 --region 和全称指定。",
                code=AccountError.UNIT_NOT_FOUND,
            )
        unit = found[0]
    if args.enterprise:
        enterprise = Enterprise.objects.filter(credit_code=args.enterprise).first()
        if enterprise is None:
            raise NotFound(f"找不到统一社会信用代码为“{args.enterprise}”的企业。", code=AccountError.ENTERPRISE_NOT_FOUND)
    password = args.password or os.environ.get("LUOSHI_PASSWORD") or getpass.getpass("密码: ")
    user = user_create(
        username=args.username,
        password=password,
        role=Role(args.role),
        region=region,
        unit=unit,
        enterprise=enterprise,
        display_name=args.name,
    )
    print(f"已创建用户 {user.username}({user.get_role_display()})")
    return 0


def create_token(args: argparse.Namespace) -> int:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.accounts.models import User
    from luoshi.accounts.services import token_create
    from luoshi.core.errors import NotFound

    user = User.objects.filter(username=args.username).first()
    if user is None:
        raise NotFound(f"用户“{args.username}”不存在。", code=AccountError.USER_NOT_FOUND)
    print(token_create(user=user, name=args.name))
    return 0
