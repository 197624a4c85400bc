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
from luoshi.core.errors import ValidationFailed
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
            "region": region.pk if region else None,
            "unit": unit.pk if unit else None,
            "enterprise": enterprise.pk if enterprise else None,
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
    record(actor=actor, action=AccountEvent.API_TOKEN_CREATED, subject=token, after={"user": user.pk, "name": name})
    return raw
