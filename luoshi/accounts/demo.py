"""Demo step: one account per role, in 荆门市 (seed 000's city). Prints the logins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from luoshi.accounts.access import subtree_q
from luoshi.accounts.models import Role, User
from luoshi.accounts.services import user_create
from luoshi.core.demo import DEMO_REGION_CODE, DEMO_USERNAMES, demo_passwords
from luoshi.orgs.models import Enterprise, Region, Unit

if TYPE_CHECKING:
    from luoshi.core.demo import DemoContext

DEMO_STAFF_UNIT_ALIAS = "市发改委"


def _staff_unit(region: Region) -> Unit:
    unit = Unit.objects.filter(region=region, aliases__alias=DEMO_STAFF_UNIT_ALIAS).first()
    return (
        unit
        or Unit.objects.filter(region=region).order_by("pk").first()
        or Unit.objects.create(region=region, name=f"{region.name}发展和改革委员会", verified=False)
    )


def load(ctx: DemoContext) -> str:
    region = Region.objects.get(code=DEMO_REGION_CODE)
    unit = _staff_unit(region)
    enterprise = Enterprise.objects.filter(subtree_q(region)).order_by("pk").first()
    if enterprise is None:
        enterprise = Enterprise.objects.create(
            name="荆门示范科技有限公司",
            credit_code="91420800MA4DEMO001",
            region=region,
            industry="制造业",
            scale="中型",
        )
    wanted: list[tuple[str, Role, str, dict[str, object]]] = [
        ("yingshang", Role.ADMIN, "营商办 管理员", {"region": region}),
        ("bumen", Role.STAFF, f"{unit.name} 工作人员", {"unit": unit, "region": region}),
        ("lingdao", Role.LEADER, "市领导", {"region": region}),
        ("qiye", Role.ENTERPRISE, f"{enterprise.name} 联系人", {"enterprise": enterprise}),
        ("guanchayuan", Role.OBSERVER, "营商环境观察员", {"region": region}),
    ]
    assert [w[0] for w in wanted] == list(DEMO_USERNAMES)
    passwords = demo_passwords(create=True)
    lines = []
    for username, role, name, scope in wanted:
        if not User.objects.filter(username=username).exists():
            user_create(username=username, password=passwords[username], role=role, display_name=name, **scope)  # type: ignore[arg-type]
        lines.append(f"    {role.label:<8} 用户名 {username:<12} 密码 {passwords[username]}  ({name})")
    print("演示账号(仅供演示,密码首次运行时随机生成,保存在数据目录 demo-passwords.json):", file=ctx.out)
    for line in lines:
        print(line, file=ctx.out)
    return f"演示账号 {len(wanted)} 个"
