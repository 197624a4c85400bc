"""Who may do what with policies — the only module of the app that looks at roles.

The policy office (营商办管理员) manages the library, rules and parameters of its region; a department (部门工作人员)
sees and pays only the items it is the paying department of; an enterprise sees only its own results, pushes and
payments, and may declare (never authoritatively) its own profile; leaders read."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from luoshi.accounts.access import region_contains, region_subtree, region_subtree_q
from luoshi.accounts.models import Role, User
from luoshi.core.errors import AccessDenied
from luoshi.orgs.models import Enterprise, Region, Unit
from luoshi.policies.errors import PolicyError
from luoshi.policies.models import PayoutBatch, Policy, PolicyItem, Push


def is_office(user: User | None) -> bool:
    return user is None or user.is_superuser or user.role == Role.ADMIN


def is_reader(user: User) -> bool:
    """Office admins and leaders read the whole library and reach of their region."""
    return user.is_superuser or user.role in (Role.ADMIN, Role.LEADER)


def is_department(user: User) -> bool:
    return not user.is_superuser and user.role == Role.STAFF and user.unit_id is not None


def is_enterprise(user: User | None) -> bool:
    return user is not None and not user.is_superuser and user.role == Role.ENTERPRISE


def require_office(user: User | None, action: str = "管理政策与规则") -> None:
    if not is_office(user):
        raise AccessDenied(f"只有营商办(政策办)管理员可以{action}。", code=PolicyError.OFFICE_ONLY)


def require_policy_region(user: User | None, policy: Policy) -> None:
    if user is None or user.is_superuser:
        return
    if not region_contains(user.region, policy.region):
        raise AccessDenied("该政策不在您的管辖区域内。", code=PolicyError.POLICY_OUTSIDE_REGION)


def require_region(user: User | None, region: Region) -> None:
    if user is not None and not user.is_superuser and not region_contains(user.region, region):
        raise AccessDenied("您只能在本人管辖区域录入政策。", code=PolicyError.REGION_NOT_YOURS)


def policies_q(user: User) -> Q:
    if user.is_superuser:
        return Q()
    if is_reader(user) and user.region is not None:
        return region_subtree_q(user, "region")
    if is_department(user):
        return Q(items__department_id=user.unit_id)
    if is_enterprise(user):
        return Q(items__published_version__isnull=False)
    return Q(pk__in=[])


def items_q(user: User) -> Q:
    if user.is_superuser:
        return Q()
    if is_reader(user) and user.region is not None:
        return region_subtree_q(user, "policy__region")
    if is_department(user):
        return Q(department_id=user.unit_id)
    if is_enterprise(user):
        return Q(published_version__isnull=False)
    return Q(pk__in=[])


def require_item_department(user: User | None, item: PolicyItem, action: str = "处理该事项") -> None:
    """The paying department of the item, or the policy office of its region."""
    if user is None or user.is_superuser:
        return
    if user.role == Role.ADMIN and region_contains(user.region, item.policy.region):
        return
    if is_department(user) and user.unit_id == item.department_id:
        return
    raise AccessDenied(f"您无权{action}:该事项由{item.department.name}兑现,您只能查看和兑现本部门的事项。", code=PolicyError.NOT_YOUR_DEPARTMENT)


def require_can_pay(user: User | None, item: PolicyItem) -> None:
    """Lists are drawn, checked, confirmed and paid by the paying department (or the office of the region)."""
    require_item_department(user, item, "确认或兑现该事项的清单")


def scoped_batches(user: User) -> QuerySet[PayoutBatch]:
    if is_enterprise(user):
        return PayoutBatch.objects.none()
    return PayoutBatch.objects.filter(item__in=PolicyItem.objects.filter(items_q(user)))


def own_enterprise(user: User | None) -> Enterprise:
    if user is None or not is_enterprise(user) or user.enterprise is None:
        raise AccessDenied("只有企业用户可以查看“我的政策”。", code=PolicyError.ENTERPRISES_ONLY)
    return user.enterprise


def require_own_push(user: User | None, push: Push) -> None:
    enterprise = own_enterprise(user)
    if push.enterprise_id != enterprise.pk:
        raise AccessDenied("这不是贵企业的推送。", code=PolicyError.NOT_YOUR_PUSH)


def require_reach(user: User) -> None:
    if is_enterprise(user):
        raise AccessDenied("企业用户不能查看部门触达统计。", code=PolicyError.REACH_NOT_FOR_ENTERPRISES)


def require_profile_access(user: User | None, enterprise: Enterprise) -> None:
    """An enterprise sees its own profile; the office and departments see firms of their region."""
    if user is None or user.is_superuser:
        return
    if is_enterprise(user):
        if user.enterprise_id != enterprise.pk:
            raise AccessDenied("您只能查看本企业的画像与结果。", code=PolicyError.NOT_YOUR_ENTERPRISE)
        return
    if not region_contains(user.region, enterprise.region) and not (
        user.unit is not None and region_contains(user.unit.region, enterprise.region)
    ):
        raise AccessDenied("该企业不在您的管辖区域内。", code=PolicyError.ENTERPRISE_OUTSIDE_REGION)


def profile_write(user: User | None, enterprise: Enterprise, authoritative: bool, source: str) -> tuple[bool, str]:
    """Check a profile update and say how it is recorded: an enterprise only declares its own data (never
    authoritative); the office and departments supply data. Returns (authoritative, source)."""
    if is_enterprise(user):
        assert user is not None
        if user.enterprise_id != enterprise.pk:
            raise AccessDenied("您只能更新本企业的画像。", code=PolicyError.NOT_YOUR_ENTERPRISE)
        return False, source or "企业自报"
    require_profile_importer(user)
    return authoritative, source


def require_profile_importer(user: User | None) -> None:
    if user is not None and not user.is_superuser and user.role not in (Role.ADMIN, Role.STAFF):
        raise AccessDenied("您的角色不能更新或导入企业画像。", code=PolicyError.PROFILE_ROLE_REFUSED)


def enterprise_users(enterprise_ids: list[int]) -> QuerySet[User]:
    """The active accounts of these firms (who is told about pushes and payments)."""
    return User.objects.filter(enterprise_id__in=enterprise_ids, role=Role.ENTERPRISE, is_active=True)


def office_admin_of(region: Region) -> User | None:
    return User.objects.filter(role=Role.ADMIN, region=region, is_active=True).order_by("pk").first()


def enterprises_in(region: Region) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(region__in=region_subtree(region))


def departments_for(policy: Policy) -> QuerySet[Unit]:
    return Unit.objects.filter(region__in=region_subtree(policy.region), is_active=True).order_by("name")


def landing(user: User) -> str:
    """Which policies page a user starts on (url name)."""
    if is_enterprise(user):
        return "policies:mine"
    if is_department(user):
        return "policies:department"
    if is_reader(user):
        return "policies:library"
    return "policies:calculator"


def tabs(user: User) -> list[tuple[str, str]]:
    out = []
    if is_reader(user):
        out += [("政策库", "policies:library"), ("触达统计", "policies:reach")]
    if is_department(user):
        out += [("本部门事项", "policies:department"), ("触达统计", "policies:reach")]
    if user.is_superuser or user.role in (Role.ADMIN, Role.STAFF):
        out += [("导入企业画像", "policies:profiles_import")]
    if is_enterprise(user):
        out += [("我的政策", "policies:mine")]
    out.append(("政策计算器", "policies:calculator"))
    return out
