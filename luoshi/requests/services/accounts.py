"""Enterprise accounts: created by the office, or self-registered with the USCC and approved by the office."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from luoshi.accounts.models import Role, User
from luoshi.accounts.services import user_create
from luoshi.audit.services import record
from luoshi.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from luoshi.orgs.credit_code import credit_code_problem
from luoshi.orgs.models import Enterprise, Region
from luoshi.requests import access
from luoshi.requests.errors import RequestError
from luoshi.requests.events import RequestEvent
from luoshi.requests.models import EnterpriseRegistration, RegistrationStatus
from luoshi.requests.services.intake import normalise_phone


def _enterprise_for(region: Region, name: str, code: str) -> Enterprise:
    ent = Enterprise.objects.filter(credit_code=code).first()
    if ent is not None:
        if not access.region_contains(region, ent.region) and not access.region_contains(ent.region, region):
            raise ValidationFailed("该统一社会信用代码的企业不属于本辖区。", code=RequestError.ENTERPRISE_OUTSIDE_REGION)
        return ent
    return Enterprise.objects.create(name=name, credit_code=code, region=region)


def enterprise_account_create(
    *,
    user: User | None,
    region: Region,
    enterprise_name: str,
    credit_code: str,
    username: str,
    password: str,
) -> User:
    """The office creates an enterprise account (and the enterprise, if it is not in the directory yet)."""
    access.require_office(user, None, "创建企业账号")
    if user is not None and not user.is_superuser and not access.region_contains(user.region, region):
        raise AccessDenied("您只能为本辖区的企业创建账号。", code=RequestError.ENTERPRISE_OUTSIDE_REGION)
    code = credit_code.strip().upper()
    problem = credit_code_problem(code)
    if problem:
        raise ValidationFailed(problem, code=RequestError.CREDIT_CODE_INVALID)
    if not enterprise_name.strip():
        raise ValidationFailed("请填写企业名称。", code=RequestError.FIELD_MISSING)
    with transaction.atomic():
        ent = _enterprise_for(region, enterprise_name.strip(), code)
        return user_create(
            username=username,
            password=password,
            role=Role.ENTERPRISE,
            enterprise=ent,
            actor=user,
        )


def registration_submit(
    *,
    region: Region,
    enterprise_name: str,
    credit_code: str,
    contact_name: str,
    contact_phone: str,
    username: str,
    password: str,
) -> EnterpriseRegistration:
    code = credit_code.strip().upper()
    problem = credit_code_problem(code)
    if problem:
        raise ValidationFailed(problem, code=RequestError.CREDIT_CODE_INVALID)
    for value, label in ((enterprise_name, "企业名称"), (contact_name, "联系人"), (username, "用户名")):
        if not (value or "").strip():
            raise ValidationFailed(f"请填写{label}。", code=RequestError.FIELD_MISSING)
    if len(password or "") < 10:
        raise ValidationFailed("密码至少 10 位。", code=RequestError.PASSWORD_TOO_SHORT)
    if (
        User.objects.filter(username=username.strip()).exists()
        or EnterpriseRegistration.objects.filter(
            username=username.strip(), status=RegistrationStatus.PENDING
        ).exists()
    ):
        raise ValidationFailed(f"用户名“{username}”已被使用,请换一个。", code=RequestError.USERNAME_TAKEN)
    phone = normalise_phone(contact_phone)
    with transaction.atomic():
        reg = EnterpriseRegistration.objects.create(
            region=region,
            enterprise_name=enterprise_name.strip(),
            credit_code=code,
            contact_name=contact_name.strip(),
            contact_phone=phone,
            username=username.strip(),
            password_hash=make_password(password),
        )
        record(
            actor=None,
            action=RequestEvent.REGISTRATION_SUBMITTED,
            subject=reg,
            after={"credit_code": code, "username": reg.username},
            actor_label="企业自助注册",
        )
    return reg


def registration_decide(
    *, user: User | None, registration: EnterpriseRegistration, approve: bool, note: str = ""
) -> EnterpriseRegistration:
    access.require_office(user, None, "审核企业注册")
    if (
        user is not None
        and not user.is_superuser
        and not access.region_contains(user.region, registration.region)
    ):
        raise AccessDenied("该注册申请不在您的管辖区域内。", code=RequestError.REGISTRATION_OUTSIDE_REGION)
    if not approve and not note.strip():
        raise ValidationFailed("请填写不予通过的理由。", code=RequestError.REASON_MISSING)
    with transaction.atomic():
        reg = EnterpriseRegistration.objects.select_for_update().get(pk=registration.pk)
        if reg.status != RegistrationStatus.PENDING:
            raise InvalidTransition(f"该申请已{reg.get_status_display()}。", code=RequestError.REGISTRATION_DECIDED)
        reg.status = RegistrationStatus.APPROVED if approve else RegistrationStatus.REFUSED
        reg.decided_at, reg.decided_by, reg.note = timezone.now(), user, note.strip()
        reg.save(update_fields=["status", "decided_at", "decided_by", "note"])
        if approve:
            ent = _enterprise_for(reg.region, reg.enterprise_name, reg.credit_code)
            account = User.objects.create(
                username=reg.username,
                password=reg.password_hash,
                role=Role.ENTERPRISE,
                enterprise=ent,
                phone=reg.contact_phone,
                display_name=reg.contact_name,
            )
            record(
                actor=user,
                action=RequestEvent.ACCOUNT_CREATED,
                subject=account,
                after={"role": Role.ENTERPRISE, "enterprise": ent.pk},
            )
        record(
            actor=user,
            action=RequestEvent.REGISTRATION_DECIDED,
            subject=reg,
            after={"status": reg.status},
            reason=note,
        )
    return reg
