"""Who may see and change what: the kernel of every app's ``access.py``. Selectors and services of every
domain build on these helpers, so pages, the API, commands and jobs all inherit the same scoping.

- 营商办管理员 (admin): everything in their region and the regions below it; may change.
- 部门工作人员 (staff): only their own unit's work.
- 领导 (leader): reads everything in their region subtree; changes nothing.
- 企业用户 (enterprise): only their own firm's requests and profile.
- 观察员 (observer): may file reports (observations); sees only what they filed.
- National data (the holiday corrections that shift every deadline of the deployment) belongs to its owner:
  a superuser or the office of a top-level region (``is_national_office``).

Roles are compared only in access modules (``<app>/access.py``, this file): everywhere else code asks a
predicate (``is_office_admin(user)``) or an app's policy (``policy.can(user, "task.sign_off", task)``).
``luoshi/core/tests/test_layering.py`` fails on a role comparison anywhere else.

Each app declares its rules with :class:`Policy` (built on django-rules: predicates combine with ``&``,
``|``, ``~``)::

    policy = Policy("requests", labels={"request.answer": "答复诉求"})
    policy.rule("request.answer", is_office_admin & in_region)
    can, require, allowed_actions = policy.can, policy.require, policy.allowed_actions

``user=None`` is the system (jobs, demo, commands) and may do everything; a superuser too; an inactive
account nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, cast

import rules
from django.db.models import Q, QuerySet

from luoshi.accounts.models import Role, User
from luoshi.core.errors import AccessDenied
from luoshi.orgs.models import Region
from luoshi.orgs.paths import ids_of_path, path_contains

__all__ = [
    "Policy",
    "Predicate",
    "has_role",
    "home_template_for",
    "in_region",
    "is_enterprise_user",
    "is_government",
    "is_leader",
    "is_national_office",
    "is_observer",
    "is_office_admin",
    "is_reader",
    "is_staff_role",
    "is_unit_staff",
    "office_admins_over",
    "own_unit",
    "path_ancestor_ids",
    "predicate",
    "region_ancestor_ids",
    "region_contains",
    "region_of",
    "region_subtree",
    "region_subtree_ids",
    "region_subtree_q",
    "require_can_change",
    "require_region",
    "require_role",
    "subtree_or_above_q",
    "subtree_q",
    "unit_members",
]


# --- predicates: django-rules, typed ---------------------------------------------------------------------------


class Predicate(Protocol):
    """A django-rules predicate as callers see it: called with (user[, obj]) it answers a bool; combined with
    ``&``, ``|``, ``^`` and ``~`` it makes another predicate."""

    def __call__(self, *args: Any) -> bool: ...
    def __and__(self, other: Predicate) -> Predicate: ...
    def __or__(self, other: Predicate) -> Predicate: ...
    def __xor__(self, other: Predicate) -> Predicate: ...
    def __invert__(self) -> Predicate: ...


def predicate(fn: Callable[..., bool]) -> Predicate:
    """``rules.predicate`` with a type: django-rules ships ``py.typed`` but leaves its decorator unannotated."""
    return cast(Predicate, rules.predicate(fn))  # type: ignore[no-untyped-call]  # django-rules is unannotated


# --- roles: the only place they are compared ----------------------------------------------------------------


def effective_role(user: User) -> Role:
    """The role whose pages a user sees: superusers see the office's."""
    return Role.ADMIN if user.is_superuser else Role(user.role)


HOME_TEMPLATES = {
    Role.ADMIN: "core/home_admin.html",
    Role.STAFF: "core/home_staff.html",
    Role.LEADER: "core/home_leader.html",
    Role.ENTERPRISE: "core/home_enterprise.html",
    Role.OBSERVER: "core/home_observer.html",
}


def home_template_for(user: User) -> str:
    """What each role sees first (``luoshi.core.home`` asks through ``luoshi.accounts.home``)."""
    return HOME_TEMPLATES[effective_role(user)]


def check_role_scope(role: Role, *, unit: Any, enterprise: Any, region: Any) -> str:
    """Why an account of `role` with this scope cannot exist ("" when it can): each role needs its scope."""
    if role == Role.STAFF and unit is None:
        return "部门工作人员必须指定所属单位。"
    if role == Role.ENTERPRISE and enterprise is None:
        return "企业用户必须指定所属企业。"
    if role in (Role.ADMIN, Role.LEADER) and region is None:
        return "管理员和领导必须指定管辖区域。"
    return ""


def is_office_role(role: Role) -> bool:
    """Accounts of this role administer a region (and get the office's group)."""
    return role == Role.ADMIN


def has_role(user: User | None, *roles: Role) -> bool:
    """True when `user` is a real account with one of `roles` (superusers and the system have no role)."""
    return user is not None and not user.is_superuser and user.role in roles


@predicate
def is_office_admin(user: User | None) -> bool:
    """营商办管理员 (or a superuser)."""
    return user is not None and (user.is_superuser or user.role == Role.ADMIN)


@predicate
def is_unit_staff(user: User | None) -> bool:
    """部门工作人员 with a unit."""
    return user is not None and not user.is_superuser and user.role == Role.STAFF and user.unit_id is not None


@predicate
def is_staff_role(user: User | None) -> bool:
    """部门工作人员 (with or without a unit yet)."""
    return user is not None and not user.is_superuser and user.role == Role.STAFF


@predicate
def is_government(user: User | None) -> bool:
    """Government users: office admins, leaders, unit staff (and superusers) — not enterprises or observers."""
    return user is not None and (user.is_superuser or user.role in (Role.ADMIN, Role.LEADER, Role.STAFF))


@predicate
def is_leader(user: User | None) -> bool:
    return user is not None and not user.is_superuser and user.role == Role.LEADER


@predicate
def is_enterprise_user(user: User | None) -> bool:
    return user is not None and not user.is_superuser and user.role == Role.ENTERPRISE and user.enterprise_id is not None


@predicate
def is_observer(user: User | None) -> bool:
    return user is not None and not user.is_superuser and user.role == Role.OBSERVER


@predicate
def is_reader(user: User | None) -> bool:
    """Government readers of a region's work: office admins and leaders (and superusers)."""
    return user is not None and (user.is_superuser or user.role in (Role.ADMIN, Role.LEADER))


@predicate
def is_national_office(user: User | None) -> bool:
    """The owner of national data: a superuser, or an office admin of a top-level region (no parent)."""
    if user is None:
        return True
    if user.is_superuser:
        return True
    return user.role == Role.ADMIN and user.region is not None and user.region.parent_id is None


def region_of(obj: Any) -> Region | None:
    """The region an object belongs to: a Region itself, or its ``region`` attribute."""
    if isinstance(obj, Region):
        return obj
    region = getattr(obj, "region", None)
    return region if isinstance(region, Region) else None


@predicate
def in_region(user: User | None, obj: Any) -> bool:
    """`obj` (a region or anything with ``.region``) lies in the user's region subtree."""
    region = region_of(obj)
    return user is not None and region is not None and region_contains(user.region, region)


@predicate
def own_unit(user: User | None, obj: Any) -> bool:
    """`obj` (anything with ``unit_id``) belongs to the user's unit."""
    unit_id = getattr(obj, "unit_id", None)
    return user is not None and user.unit_id is not None and unit_id == user.unit_id


# --- per-app policies -----------------------------------------------------------------------------------------


class Policy:
    """One app's rules: action name → predicate over (user, object). Built on a django-rules ``RuleSet``."""

    def __init__(self, app: str, labels: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.rules = rules.RuleSet()
        self.labels: dict[str, str] = dict(labels or {})

    def rule(self, action: str, check: Callable[..., bool], label: str = "") -> None:
        self.rules.add_rule(action, check)  # type: ignore[no-untyped-call]  # django-rules is unannotated
        if label:
            self.labels[action] = label

    @property
    def actions(self) -> list[str]:
        return list(self.rules)

    def can(self, user: User | None, action: str, obj: Any = None) -> bool:
        if action not in self.rules:
            raise KeyError(f"{self.app} has no access rule {action!r}")
        if user is None:
            return True
        if not user.is_active:
            return False
        if user.is_superuser:
            return True
        return bool(self.rules.test_rule(action, user, obj))  # type: ignore[no-untyped-call]  # as above

    def require(self, user: User | None, action: str, obj: Any = None, message: str = "") -> None:
        """Raise AccessDenied (Chinese message naming the action) unless `user` may do `action` on `obj`."""
        if not self.can(user, action, obj):
            label = self.labels.get(action, "执行此操作")
            raise AccessDenied(message or f"您无权{label}。")

    def allowed_actions(self, user: User | None, obj: Any = None, actions: Iterable[str] = ()) -> frozenset[str]:
        """The actions `user` may do on `obj` (pages and the API decide which buttons to show from this)."""
        names = list(actions) or self.actions
        return frozenset(a for a in names if self.can(user, a, obj))


# --- regions: the one subtree helper --------------------------------------------------------------------------


def is_system(user: User | None) -> bool:
    """Jobs run as the system (user None) and see everything."""
    return user is None


def region_subtree(region: Region) -> QuerySet[Region]:
    """`region` and every region below it (paths are "/1/5/12/": a prefix match is the subtree)."""
    return Region.objects.filter(subtree_q(region, ""))


def subtree_q(region: Region, field: str = "region") -> Q:
    """A filter keeping rows whose `field` (a Region foreign key; "" for Region itself) lies in `region`'s
    subtree."""
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}path__startswith": region.path})


def subtree_or_above_q(region: Region, field: str = "region") -> Q:
    """Rows of `region`, the regions below it and the regions above it (rules and holidays inherited)."""
    prefix = f"{field}__" if field else ""
    return subtree_q(region, field) | Q(**{f"{prefix}pk__in": region_ancestor_ids(region)})


def path_ancestor_ids(path: str) -> list[int]:
    """The region ids of a stored path ("/1/5/12/" → [1, 5, 12])."""
    return ids_of_path(path)


def region_subtree_ids(region: Region) -> list[int]:
    return list(region_subtree(region).values_list("pk", flat=True))


def region_subtree_q(user: User, field: str = "region") -> Q:
    """A filter on `<field>` keeping rows in the user's region subtree (superusers: everything)."""
    if user.is_superuser:
        return Q()
    if user.region_id is None:
        return Q(pk__in=[])
    region = user.region
    assert region is not None
    return subtree_q(region, field)


def require_role(user: User | None, *roles: Role, action: str = "执行此操作") -> None:
    if user is None or user.is_superuser:
        return
    if user.role not in roles:
        raise AccessDenied(f"您的角色({user.get_role_display()})无权{action}。")


def require_can_change(user: User | None) -> None:
    """Leaders and observers read; they never change domain objects."""
    if user is None or user.is_superuser:
        return
    if user.role in (Role.LEADER, Role.OBSERVER):
        raise AccessDenied(f"您的角色({user.get_role_display()})为只读,不能修改。")


def region_contains(ancestor: Region | None, region: Region) -> bool:
    """`region` is `ancestor` or lies below it."""
    return ancestor is not None and path_contains(ancestor.path, region.path)


def require_region(user: User | None, region: Region, action: str = "访问该区域的数据") -> None:
    if user is None or user.is_superuser:
        return
    if not region_contains(user.region, region):
        raise AccessDenied(f"您无权{action}:不在您的管辖区域内。")


def region_ancestor_ids(region: Region) -> list[int]:
    """The ids on `region`'s path, the top-level region first and `region` itself last."""
    return path_ancestor_ids(region.path) or [region.pk]


def office_admins_over(region: Region) -> QuerySet[User]:
    """Active 营商办 administrators whose region contains `region` (they are the ones who act on its work)."""
    return User.objects.filter(role=Role.ADMIN, is_active=True, region_id__in=region_ancestor_ids(region))


def unit_members(unit_ids: list[int]) -> QuerySet[User]:
    """Active staff of the given units (who receive a unit's notifications)."""
    return User.objects.filter(unit_id__in=unit_ids, role=Role.STAFF, is_active=True)


# --- managing accounts (the office's 账号管理 page) -----------------------------------------------------------

# Roles an office may give an account on its page; enterprise accounts come with their firm (requests' sign-up).
ASSIGNABLE_ROLES: tuple[Role, ...] = (Role.STAFF, Role.ADMIN, Role.LEADER, Role.OBSERVER)


def assignable_role(value: str) -> Role | None:
    """The role named `value` when an office may give it on its page, else None."""
    try:
        role = Role(value)
    except ValueError:
        return None
    return role if role in ASSIGNABLE_ROLES else None


def role_needs_unit(role: Role) -> bool:
    return role == Role.STAFF


@predicate
def is_plain_account(user: User | None, target: Any) -> bool:
    """`target` is an ordinary account (a superuser is managed in Django admin by superusers only)."""
    return isinstance(target, User) and not target.is_superuser


@predicate
def is_other_account(user: User | None, target: Any) -> bool:
    """Nobody deactivates, re-roles or unlocks themselves from the page (they could lock the office out)."""
    return user is not None and isinstance(target, User) and target.pk != user.pk


accounts_policy = Policy(
    "accounts",
    labels={
        "account.list": "管理账号",
        "account.create": "在该区域新增账号",
        "account.manage": "管理该账号",
        "account.change_self": "调整该账号",
    },
)
accounts_policy.rule("account.list", is_office_admin)
# obj: the Region the new account belongs to
accounts_policy.rule("account.create", is_office_admin & in_region)
# obj: the target account (its region lies in the admin's subtree)
accounts_policy.rule("account.manage", is_office_admin & in_region & is_plain_account)
accounts_policy.rule("account.change_self", is_office_admin & in_region & is_plain_account & is_other_account)


def account_scope_q(user: User | None) -> Q:
    """The accounts `user` may manage: ordinary accounts of their region subtree (superusers: every ordinary
    account); nobody else sees any."""
    if user is None or user.is_superuser:
        return Q(is_superuser=False)
    if not accounts_policy.can(user, "account.list") or user.region is None:
        return Q(pk__in=[])
    return subtree_q(user.region, "region") & Q(is_superuser=False)
