"""Creating people and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from luoshi.accounts import access
from luoshi.accounts.events import AccountEvent
from luoshi.accounts.models import ApiToken, Role, User
from luoshi.audit.services import record
from luoshi.core.errors import AccessDenied, ValidationFailed
from luoshi.orgs.models import Enterprise, Region, Unit


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role,
    region: Region | None = None,
    unit: Unit | None = None,
    enterprise: Enterprise | None = None,
    display_name: str = "",
    actor: User | None = None,
    check_password: bool = True,
) -> User:
    """Create an account whose scope matches its role (staff need a unit, enterprise users a firm)."""
    problem = access.check_role_scope(role, unit=unit, enterprise=enterprise, region=region)
    if problem:
        raise ValidationFailed(problem)
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(f"用户名“{username}”已存在。")
    if region is None:
        region = unit.region if unit else (enterprise.region if enterprise else None)
    user = User(
        username=username,
        role=role,
        region=region,
        unit=unit,
        enterprise=enterprise,
        display_name=display_name,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed("密码不符合要求:" + ";".join(exc.messages)) from exc
    user.set_password(password)
    # 营商办 administrators also use Django admin for the directory and calendar
    user.is_staff = access.is_office_role(role)
    user.save()
    if access.is_office_role(role):
        user.groups.add(_admin_group())
    record(
        actor=actor,
        action=AccountEvent.USER_CREATED,
        subject=user,
        after={
            "username": username,
            "role": str(role),
            # names, not ids: the trail is read by people ("单位: (空) → 荆门市发改委")
            "region": region.name if region else None,
            "unit": unit.name if unit else None,
            "enterprise": enterprise.name if enterprise else None,
        },
    )
    return user


ADMIN_GROUP = "营商办管理员"
# Apps whose tables 营商办 administrators may maintain in Django admin (reference data, not workflow state:
# tasks, requests and policies change only through services so that every change is checked and audited).
ADMIN_APPS = ("orgs", "calendar")


def _admin_group() -> Group:
    group, created = Group.objects.get_or_create(name=ADMIN_GROUP)
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
    return group


@transaction.atomic
def token_create(*, user: User, name: str, actor: User | None = None) -> str:
    """Create an API token and return it in clear text, once; only its digest is kept."""
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(user=user, name=name, digest=ApiToken.digest_of(raw))
    record(
        actor=actor,
        action=AccountEvent.API_TOKEN_CREATED,
        subject=token,
        after={"user": user.pk, "name": name},
    )
    return raw


# --- the office's account management (账号管理) ---------------------------------------------------------------
ACCOUNT_FIELDS = ["role", "region", "unit", "is_active"]


def generate_password() -> str:
    """A password for a new or reset account, shown once: 14 characters from letters and digits, never only
    digits, easy to read aloud (no 0/O, 1/l/I)."""
    import secrets

    letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
    digits = "23456789"
    alphabet = letters + digits
    while True:
        raw = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c in digits for c in raw) and any(c in letters for c in raw):
            return raw


def _require_manage(actor: User | None, target: User, action: str, *, self_too: bool = False) -> None:
    rule = "account.manage" if self_too else "account.change_self"
    if not access.accounts_policy.can(actor, rule, target):
        if actor is not None and target.pk == actor.pk and not self_too:
            raise AccessDenied(f"不能{action}您自己的账号,请由本区域另一位营商办管理员办理。")
        raise AccessDenied(f"您无权{action}该账号:只有其所在区域(或上级区域)的营商办管理员可以办理。")


def _scope_for(
    actor: User | None, role: Role, unit: Unit | None, region: Region | None
) -> tuple[Unit | None, Region]:
    """Check a role's scope (staff a unit, others a region) lies in the actor's subtree; returns (unit, region)."""
    if access.role_needs_unit(role):
        if unit is None:
            raise ValidationFailed("部门工作人员必须指定所属单位,请选择单位。")
        region = unit.region
    else:
        unit = None
        if region is None:
            raise ValidationFailed(f"{role.label}必须指定管辖区域,请选择区域。")
    if not access.accounts_policy.can(actor, "account.create", region):
        raise AccessDenied(f"“{region.name}”不在您的管辖区域内,不能在该区域设置账号。")
    return unit, region


@transaction.atomic
def account_create(
    *,
    actor: User | None,
    username: str,
    role: Role,
    display_name: str = "",
    unit: Unit | None = None,
    region: Region | None = None,
    phone: str = "",
) -> tuple[User, str]:
    """The office creates an account in its subtree; returns it and its generated password (shown once)."""
    username = username.strip()
    if not username:
        raise ValidationFailed("请填写用户名。")
    if len(username) > 150 or any(c.isspace() for c in username):
        raise ValidationFailed("用户名不能含空格,且不超过150个字符。")
    if role not in access.ASSIGNABLE_ROLES:
        raise ValidationFailed(f"不能在此创建“{role.label}”账号。")
    unit, region = _scope_for(actor, role, unit, region)
    password = generate_password()
    user = user_create(
        username=username,
        password=password,
        role=role,
        region=region,
        unit=unit,
        display_name=display_name.strip()[:50],
        actor=actor,
    )
    if phone.strip():
        user.phone = phone.strip()[:20]
        user.save(update_fields=["phone"])
    return user, password


def _name(obj: Region | Unit | None) -> str | None:
    """Names, not ids, in the audit trail: it is read by people ("单位: 市发改委 → 市经信局")."""
    return obj.name if obj is not None else None


def _locked(target: User) -> User:
    return User.objects.select_for_update().get(pk=target.pk)


@transaction.atomic
def account_set_active(*, actor: User | None, target: User, active: bool, reason: str = "") -> User:
    """停用 / 启用 an account. A deactivated account cannot sign in and its API tokens stop working."""
    verb = "启用" if active else "停用"
    _require_manage(actor, target, verb)
    row = _locked(target)
    if row.is_active == active:
        raise ValidationFailed(f"该账号已经是{verb}状态。")
    row.is_active = active
    row.save(update_fields=["is_active"])
    record(
        actor=actor,
        action=AccountEvent.USER_REACTIVATED if active else AccountEvent.USER_DEACTIVATED,
        subject=row,
        before={"is_active": not active},
        after={"is_active": active},
        reason=reason.strip()[:200],
    )
    return row


@transaction.atomic
def account_unlock(*, actor: User | None, target: User) -> int:
    """Clear the wrong-password attempts of `target`'s username (django-axes), from every address; returns how
    many attempt records were cleared."""
    from axes.utils import reset

    _require_manage(actor, target, "解除锁定", self_too=True)
    cleared: int = reset(username=target.username)
    record(
        actor=actor,
        action=AccountEvent.USER_UNLOCKED,
        subject=target,
        after={"attempts_cleared": cleared},
    )
    return cleared


@transaction.atomic
def account_reset_password(*, actor: User | None, target: User) -> str:
    """A new generated password for `target` (shown once to the admin, never stored in clear or audited); also
    lifts a login lock, since the person will sign in with it."""
    from axes.utils import reset

    _require_manage(actor, target, "重置密码")
    row = _locked(target)
    password = generate_password()
    row.set_password(password)
    row.save(update_fields=["password"])
    reset(username=row.username)
    record(actor=actor, action=AccountEvent.USER_PASSWORD_RESET, subject=row, after={"password": "(已重置)"})
    return password


@transaction.atomic
def account_assign(
    *, actor: User | None, target: User, role: Role, unit: Unit | None = None, region: Region | None = None
) -> User:
    """Give `target` a role and its scope (staff: a unit; others: a region), within the actor's subtree."""
    _require_manage(actor, target, "调整角色与单位")
    if access.assignable_role(target.role) is None or access.assignable_role(role) is None:
        raise ValidationFailed(f"“{Role(target.role).label}”账号的角色不能在此调整。")
    unit, region = _scope_for(actor, role, unit, region)
    row = _locked(target)
    before = {"role": row.role, "region": _name(row.region), "unit": _name(row.unit)}
    after = {"role": str(role), "region": _name(region), "unit": _name(unit)}
    if before == after:
        raise ValidationFailed("角色与单位没有变化。")
    row.role, row.region, row.unit = role, region, unit
    row.is_staff = access.is_office_role(role)
    row.save(update_fields=["role", "region", "unit", "is_staff"])
    if access.is_office_role(role):
        row.groups.add(_admin_group())
    else:
        row.groups.remove(_admin_group())
    record(actor=actor, action=AccountEvent.USER_ROLE_CHANGED, subject=row, before=before, after=after)
    return row
