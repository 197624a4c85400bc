"""Demo step: a 荆门市 policy read from its text, five items with published rules (the shipped rule book
`rules/demo.yaml`), profiles (一企一档) for the demo firms with department provenance, and the pushes. Idempotent:
items are keyed by code, profiles by firm, pushes once per version."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INDUSTRY_CODES = {  # the demo directory's industry names → a GB/T 4754-2017 class code
    "化学原料和化学制品制造业": "C2614", "电气机械和器材制造业": "C3841", "农副食品加工业": "C1310",
    "通用设备制造业": "C3411", "非金属矿物制品业": "C3011", "汽车制造业": "C3670", "医药制造业": "C2710",
    "软件和信息技术服务业": "I6513", "批发和零售业": "F5211", "建筑业": "E4790", "交通运输、仓储和邮政业": "G5430",
    "住宿和餐饮业": "H6210", "租赁和商务服务业": "L7211", "农、林、牧、渔业": "A0111", "文化、体育和娱乐业": "R8710",
}
ITEMS: dict[str, tuple[str, str, dict[str, Any], str]] = {  # code → (department, mode, benefit, materials)
    "KJ-01": ("荆门市科学技术局", "automatic", {"benefit_fixed": Decimal("200000")}, ""),
    "KJ-02": ("荆门市科学技术局", "fast", {"benefit_formula": "revenue * rd_ratio * 10",
                                          "benefit_cap": Decimal("500000"), "payment_limit_workdays": 15},
              "研发费用专项审计报告;营业执照"),
    "CY-01": ("荆门市人力资源和社会保障局", "instant", {"benefit_fixed": Decimal("50000"),
                                                  "exclusive_group": "房租补贴"}, "租赁合同;租金发票"),
    "ZJ-01": ("荆门市经济和信息化局", "automatic", {"benefit_fixed": Decimal("100000"),
                                              "exclusive_group": "房租补贴"}, ""),
    "WG-01": ("荆门市经济和信息化局", "window", {"benefit_formula": "employees * 1000",
                                           "benefit_cap": Decimal("300000"), "quota": 100,
                                           "budget": Decimal("5000000")}, "社保缴纳明细"),
}


def load(ctx: Any) -> str:
    from luoshi.core.demo import DEMO_REGION_CODE
    from luoshi.orgs.models import Region, Unit
    from luoshi.policies import access, services
    from luoshi.policies.engine.rulebook import RuleBook
    from luoshi.policies.models import Policy, PolicyItem

    region = Region.objects.filter(code=DEMO_REGION_CODE).first()
    if region is None:
        return "惠企政策:未找到荆门市,跳过"
    admin = access.office_admin_of(region)
    book = RuleBook.from_yaml((HERE / "rules" / "demo.yaml").read_text(encoding="utf-8"))
    services.load_rule_book(actor=admin, book=book)
    policy = Policy.objects.filter(document_number="荆政发〔2026〕5号").first()
    if policy is None:
        text = (HERE / "demo_data" / "jingmen_policy.txt").read_bytes()
        policy = services.policy_import_document(
            actor=admin, region=region, filename="荆门市支持企业高质量发展若干政策措施.txt", data=text,
            title="荆门市支持企业高质量发展若干政策措施", document_number="荆政发〔2026〕5号", issuers="荆门市人民政府",
            published_on=dt.date(2026, 3, 1), effective_from=dt.date(2026, 3, 1), expires_on=dt.date(2028, 12, 31))
    rng = ctx.rng_for("policies")
    today = services.today()
    profiled = 0
    for e in access.enterprises_in(region).select_related("region").order_by("pk"):
        if hasattr(e, "policy_profile"):
            continue
        _profile(services, e, rng, today)
        profiled += 1
    published = 0
    for engine_item in book.items:
        dept_name, mode, benefit, materials = ITEMS[engine_item.code]
        department = Unit.objects.filter(name=dept_name).first() or Unit.objects.filter(region=region).first()
        assert department is not None
        item = PolicyItem.objects.filter(code=engine_item.code).first()
        if item is None:
            extra: dict[str, Any] = {}
            if mode == "window":
                extra = {"window_start": dt.date(today.year, 1, 1), "window_end": dt.date(today.year, 12, 31)}
            item = services.item_save(actor=admin, policy=policy, code=engine_item.code, department=department,
                                      title=engine_item.title, mode=mode, clause=engine_item.clause,
                                      materials=materials,
                                      how_to_apply="" if mode == "automatic" else "在“我的政策”点击“我要申报”并上传材料",
                                      **benefit, **extra)
        if item.published_version is None:
            data = engine_item.to_data()
            version = services.rule_draft(actor=admin, item=item, rule=data["rule"], cases=data.get("tests", []))
            services.rule_publish(actor=admin, version=version, push=False)
            published += 1
    pushed = sum(services.push_item(item_id=i.pk) for i in PolicyItem.objects.filter(policy=policy))
    return f"惠企政策:1 项政策,{len(book.items)} 个兑现事项(本次发布 {published} 个),画像 {profiled} 家,推送 {pushed} 条"


def _profile(services: Any, e: Any, rng: Any, today: dt.date) -> None:
    attrs = e.attributes or {}
    tags = [t for t, key in (("高新技术企业", "高新技术企业"), ("专精特新中小企业", "专精特新"),
                             ("科技型中小企业", "科技型中小企业")) if attrs.get(key)]
    industry = INDUSTRY_CODES.get(e.industry, "")
    if attrs.get("规上") and industry.startswith(("B", "C", "D")):
        tags.append("规上工业企业")
    recent = today - dt.timedelta(days=rng.randint(5, 120))
    # a few firms have stale tax data (older than 550 days): their results are 待核实 until it is refreshed
    tax_date = today - dt.timedelta(days=rng.randint(600, 800)) if rng.random() < 0.08 else recent
    registry = {"region": e.region.code, "industry": industry or None, "founded": e.founded}
    services.profile_save(actor=None, enterprise=e, values=registry, source="市场监管局", authoritative=True,
                          as_of=recent)
    revenue = attrs.get("营业收入万元")
    services.profile_save(actor=None, enterprise=e, values={
        "revenue": revenue, "assets": None if revenue is None else round(revenue * rng.uniform(0.5, 2.5)),
        "rd_ratio": round(rng.uniform(0.5, 8.0), 1) if tags else None, "tax_paid": None},
        source="税务局", authoritative=True, as_of=tax_date)
    services.profile_save(actor=None, enterprise=e, values={"employees": e.employees}, source="人社局",
                          authoritative=True, as_of=recent)
    self_declared = rng.random() < 0.15  # some firms declared their qualifications themselves
    services.profile_save(actor=None, enterprise=e, values={"tags": tags},
                          source="企业自报" if self_declared else "科技局", authoritative=not self_declared,
                          as_of=recent)
    services.profile_save(actor=None, enterprise=e, values={
        "credit_status": "失信" if rng.random() < 0.02 else "良好"}, source="发展改革委", authoritative=True,
        as_of=recent)
