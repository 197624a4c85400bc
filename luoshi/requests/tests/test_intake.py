"""Intake: validation (USCC position, phone), scoping, idempotency and external ids."""

from __future__ import annotations

import random
from typing import Any

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, Conflict, ValidationFailed
from luoshi.orgs.credit_code import credit_code_problem, make_credit_code
from luoshi.requests.models import ArrearsClaim, Channel, Request
from luoshi.requests.services import normalise_phone, request_file
from luoshi.requests.tests.conftest import form

pytestmark = pytest.mark.django_db


def test_credit_code_problem_names_the_position() -> None:
    code = make_credit_code(random.Random(1), "420800")
    assert credit_code_problem(code) == ""
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert "第 18 位" in (credit_code_problem(wrong) or "")
    assert "18 位" in (credit_code_problem(code[:10]) or "")
    assert "第 3 位" in (credit_code_problem(code[:2] + "I" + code[3:]) or "")
    org_bad = code[:16] + ("0" if code[16] != "0" else "1") + code[17]
    assert "第 17 位" in (credit_code_problem(org_bad) or "")


def test_phone_validated_with_phonenumbers() -> None:
    assert normalise_phone("138 0013 8000") == "13800138000"
    assert normalise_phone("0724-2345678").startswith("0724")
    with pytest.raises(ValidationFailed, match="不是有效的电话号码"):
        normalise_phone("12345")
    with pytest.raises(ValidationFailed, match="请填写联系电话"):
        normalise_phone("")


def test_enterprise_files_for_itself_and_the_event_is_audited(users: dict[str, Any]) -> None:
    req, created = request_file(user=users["enterprise"], data=form())
    assert created and req.enterprise == users["enterprise"].enterprise
    assert req.region == users["enterprise"].enterprise.region
    assert req.status == "submitted" and req.number.startswith("SQ")
    assert req.procedural_due_on is not None and req.substantive_due_on is not None
    assert AuditEvent.objects.filter(subject_id=str(req.pk), action="request.filed").count() == 1


def test_enterprise_cannot_file_for_another_firm(users: dict[str, Any]) -> None:
    other_code = make_credit_code(random.Random(2), "420800")
    with pytest.raises(AccessDenied, match="只能为本企业"):
        request_file(user=users["enterprise"], data=form(credit_code=other_code))
    assert not Request.objects.exists()


def test_staff_files_on_a_callers_behalf_with_a_checked_code(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    bad = make_credit_code(random.Random(3), "420800")[:17] + "0"
    if not credit_code_problem(bad):
        bad = bad[:17] + "1"
    with pytest.raises(ValidationFailed, match="第 18 位"):
        request_file(user=users["admin"], data=form(credit_code=bad, channel=Channel.HOTLINE))
    good = make_credit_code(random.Random(3), "420800")
    req, _ = request_file(user=users["admin"], data=form(credit_code=good, channel=Channel.HOTLINE))
    assert req.region == regions["jingmen"] and req.enterprise is None and req.credit_code == good


def test_observer_reports_through_their_own_channel(users: dict[str, Any]) -> None:
    req, _ = request_file(user=users["observer"], data=form(channel=Channel.WEB))
    assert req.channel == Channel.OBSERVER and req.filed_by == users["observer"]


def test_admin_of_another_region_cannot_file_here(users: dict[str, Any]) -> None:
    with pytest.raises(AccessDenied):
        request_file(user=users["admin_jz"], data=form(region_code="t420800"))


def test_leader_files_nothing(users: dict[str, Any]) -> None:
    with pytest.raises(AccessDenied):
        request_file(user=users["leader"], data=form())


def test_bad_input_names_every_problem_and_writes_nothing(users: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as err:
        request_file(user=users["enterprise"], data=form(title="", contact_phone="abc", category="nope"))
    assert len(err.value.details) == 3
    assert not Request.objects.exists()


def test_same_idempotency_key_returns_the_first_request(users: dict[str, Any]) -> None:
    first, c1 = request_file(user=users["admin"], data=form(), idempotency_key="k-1")
    again, c2 = request_file(user=users["admin"], data=form(), idempotency_key="k-1")
    assert c1 and not c2 and first.pk == again.pk
    with pytest.raises(Conflict, match="Idempotency-Key"):
        request_file(user=users["admin"], data=form(title="另一件事"), idempotency_key="k-1")
    assert Request.objects.count() == 1


def test_same_external_id_with_different_content_is_refused(users: dict[str, Any]) -> None:
    first, _ = request_file(user=users["admin"], data=form(external_id="12345-2026-0001", channel="hotline"))
    again, created = request_file(
        user=users["admin"], data=form(external_id="12345-2026-0001", channel="hotline")
    )
    assert again.pk == first.pk and not created
    with pytest.raises(Conflict, match="外部工单号“12345-2026-0001”已用于诉求"):
        request_file(
            user=users["admin"], data=form(external_id="12345-2026-0001", channel="hotline", text="不同")
        )


def test_arrears_complaint_records_the_claim(users: dict[str, Any]) -> None:
    req, _ = request_file(
        user=users["enterprise"],
        data=form(category="arrears", debtor_name="某区住建局", amount_claimed="1,200,000"),
    )
    claim = ArrearsClaim.objects.get(request=req)
    assert claim.debtor_name == "某区住建局" and str(claim.amount_claimed) == "1200000.00"
    with pytest.raises(ValidationFailed, match="主张金额"):
        request_file(user=users["enterprise"], data=form(category="arrears", debtor_name="某局", title="x2"))


def test_a_request_number_already_drawn_today_is_drawn_again(users: dict[str, Any], monkeypatch: Any) -> None:
    """Numbers are SQ + date + 6 random hex digits: at 12345 volumes two intakes of a day do draw the same one
    (about 1 in 8 over 2,000 a day). The unique index refuses the second; intake draws again instead of a 500."""
    from luoshi.requests.services import intake

    first, _ = request_file(user=users["enterprise"], data=form())
    draws = iter([first.number, first.number, "SQ20990101FFFFFF"])
    monkeypatch.setattr(intake, "new_number", lambda at: next(draws))
    second, created = request_file(user=users["enterprise"], data=form(title="另一件诉求"))
    assert created and second.number == "SQ20990101FFFFFF" and second.pk != first.pk
    assert Request.objects.count() == 2


def test_evidence_is_stored_with_the_kernel_rule_and_a_bad_file_writes_nothing(
    users: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    import io

    settings.FILES_DIR = str(tmp_path)
    req, _ = request_file(
        user=users["enterprise"], data=form(), files=[("合同.pdf", io.BytesIO(b"%PDF-1.4 contract"))]
    )
    (att,) = req.attachments.all()
    assert att.original_name == "合同.pdf" and att.size == 17 and len(att.sha256) == 64
    assert (tmp_path / att.stored_name).read_bytes() == b"%PDF-1.4 contract"
    with pytest.raises(ValidationFailed, match="内容与扩展名"):
        request_file(
            user=users["enterprise"], data=form(title="另一件事"), files=[("假.pdf", io.BytesIO(b"MZ\x90"))]
        )
    assert Request.objects.count() == 1
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [att.stored_name.rsplit("/", 1)[-1]]
