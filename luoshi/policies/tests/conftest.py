"""Fixtures of the policies tests: one policy with items paid by 荆门市发改委, parameters, two profiled firms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

ON = dt.date(2026, 6, 1)
AUTH: dict[str, Any] = {"source": "科技局", "authoritative": True}

HIGH_TECH_RULE = {"all": [
    {"id": "高企", "field": "tags", "op": "has_tag", "tag": "高新技术企业", "clause": "第三条第一款"},
    {"id": "注册地", "field": "region", "op": "prefix_in", "codes": ["4208"], "clause": "第二条"},
    {"not": {"id": "失信", "field": "credit_status", "op": "in", "values": ["失信"], "clause": "第九条"}},
]}
HIGH_TECH_CASES = [
    {"name": "荆门高企", "profile": {"tags": ["高新技术企业"], "region": "420802", "credit_status": "良好"},
     "expect": "符合"},
    {"name": "失信", "profile": {"tags": ["高新技术企业"], "region": "420802", "credit_status": "失信"},
     "expect": "不符合", "failing": ["失信"]},
]


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    from luoshi.policies import services

    monkeypatch.setattr(services, "today", lambda: ON)
    return ON


@pytest.fixture
def policy_setup(users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any],
                 enterprises: dict[str, Any], today: dt.date) -> dict[str, Any]:
    from luoshi.policies import services
    from luoshi.policies.models import Mode

    admin = users["admin"]
    services.parameter_save(actor=admin, name="rd.ratio_min", label="研发费用占比下限", unit="%",
                            values={"2024-01-01": 3, "2026-01-01": 4})
    policy = services.policy_create(actor=admin, region=regions["jingmen"], title="荆门市支持科技创新若干政策",
                                    issuers="荆门市人民政府", document_number="荆政发〔2026〕3号",
                                    published_on=dt.date(2026, 3, 1), effective_from=dt.date(2026, 3, 1),
                                    source_text="第三条 对新认定的高新技术企业给予20万元奖励。")
    auto = services.item_save(actor=admin, policy=policy, code="JM-KJ-01", department=units["jm_fgw"],
                              title="高新技术企业认定奖励", mode=Mode.AUTOMATIC, clause="第三条",
                              benefit_fixed=Decimal("200000"), exclusive_group="科技奖励")
    other = services.item_save(actor=admin, policy=policy, code="JM-JX-01", department=units["jm_jxj"],
                               title="规上工业企业稳岗奖励", mode=Mode.INSTANT, clause="第八条",
                               benefit_formula="employees * 1000", benefit_cap=Decimal("300000"))
    a, b = enterprises["a"], enterprises["b"]
    services.profile_save(actor=admin, enterprise=a, values={
        "tags": ["高新技术企业"], "region": "420802", "credit_status": "良好", "industry": "C3911",
        "employees": 80, "revenue": 5000, "founded": "2020-05-01"}, as_of=today, **AUTH)
    services.profile_save(actor=admin, enterprise=b, values={
        "tags": ["规上工业企业"], "region": "420802", "credit_status": "良好", "industry": "C3411",
        "employees": 30, "revenue": 900}, as_of=today, **AUTH)
    return {"policy": policy, "auto": auto, "other": other, "a": a, "b": b}


@pytest.fixture
def published(policy_setup: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    from luoshi.policies import services

    version = services.rule_draft(actor=users["admin"], item=policy_setup["auto"], rule=HIGH_TECH_RULE,
                                  cases=HIGH_TECH_CASES)
    version = services.rule_publish(actor=users["admin"], version=version, push=False)
    policy_setup["auto"].refresh_from_db()
    return policy_setup | {"version": version}
