"""Demo step: synthetic enterprise requests through every stage of the loop, a hotspot cluster, an arrears claim,
and a trained routing model. Idempotent: the demo requests carry external ids ``DEMO-<n>``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from luoshi.core.demo import DEMO_REGION_CODE
from luoshi.orgs.models import Enterprise, Region, Unit
from luoshi.requests import access, services, synthetic
from luoshi.requests.models import Category, Channel, Request
from luoshi.requests.services.routing import routing_train

if TYPE_CHECKING:
    from luoshi.core.demo import DemoContext

PHONES = ["13871234567", "13907241234", "15972345678", "18607249876", "13797651234"]
NAMES = ["张伟", "王芳", "李强", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"]


def _unit_for(units: list[Unit], theme: str) -> Unit | None:
    key = theme.replace("委员会", "").replace("局", "")[:4]
    return next((u for u in units if key in u.name), None)


def load(ctx: DemoContext) -> str:
    region = Region.objects.filter(code=DEMO_REGION_CODE).first()
    if region is None:
        return ""
    if Request.objects.filter(external_id__startswith="DEMO-").exists():
        return f"企业诉求 {Request.objects.filter(external_id__startswith='DEMO-').count()} 件(已存在)"
    rng = ctx.rng_for("requests")
    units = list(Unit.objects.filter(region=region, is_active=True, kind="government").order_by("pk"))
    if len(units) < 2:
        units = list(Unit.objects.filter(region=region, is_active=True).order_by("pk"))
    enterprises = list(
        Enterprise.objects.filter(region_id__in=access.subtree_ids(region)).order_by("pk")[:200]
    )
    if not units or not enterprises:
        return ""
    now = timezone.now()
    n = max(20, ctx.options.requests)
    made = 0
    for i, item in enumerate(synthetic.many(n, seed=ctx.options.seed)):
        ent = enterprises[i % len(enterprises)]
        unit = _unit_for(units, item.unit) or units[i % len(units)]
        received = now - dt.timedelta(days=rng.randint(0, 50), hours=rng.randint(0, 8))
        req, _ = services.request_file(
            user=None,
            data=services.RequestInput(
                enterprise_name=ent.name,
                credit_code="",
                contact_name=rng.choice(NAMES),
                contact_phone=rng.choice(PHONES),
                title=item.title,
                text=item.text,
                channel=rng.choice(Channel.values),
                category=Category.OTHER,
                region_code=region.code,
                external_id=f"DEMO-{i + 1}",
                received_at=received,
            ),
        )
        Request.objects.filter(pk=req.pk).update(enterprise=ent, credit_code=ent.credit_code)
        req.refresh_from_db()
        _advance(req, unit, rng.random(), rng)
        made += 1
    # a hotspot: the same road keeps flooding
    for j in range(5):
        req, _ = services.request_file(
            user=None,
            data=services.RequestInput(
                enterprise_name=enterprises[j % len(enterprises)].name,
                contact_name=NAMES[j],
                contact_phone=PHONES[j],
                title="园区纬三路雨后积水严重",
                text=f"工业园区纬三路每逢下雨积水严重,货车无法进出,影响企业生产(第{j + 1}家企业反映)。",
                channel=Channel.HOTLINE,
                region_code=region.code,
                external_id=f"DEMO-FLOOD-{j + 1}",
            ),
        )
    req, _ = services.request_file(
        user=None,
        data=services.RequestInput(
            enterprise_name=enterprises[0].name,
            contact_name="张伟",
            contact_phone=PHONES[0],
            title="工程款拖欠两年未付",
            text="我公司承建的园区道路工程已竣工验收,工程款 320 万元拖欠两年未支付。",
            category=Category.ARREARS,
            debtor_name="某区城市建设投资有限公司",
            amount_claimed="3200000",
            region_code=region.code,
            external_id="DEMO-ARREARS-1",
        ),
    )
    trained = routing_train(region=region)
    return f"企业诉求 {made + 6} 件(含热点与拖欠账款),分办模型{'已训练' if trained else '未训练'}"


def _advance(req: Request, unit: Unit, roll: float, rng: object) -> None:
    if roll < 0.08:
        return  # waiting for review
    if roll < 0.12:
        services.request_reject(user=None, request=req, reason="属于司法诉讼程序事项,请通过法律途径解决。")
        return
    urgency = "urgent" if roll < 0.2 else "complex" if roll > 0.92 else "normal"
    req = services.request_accept(user=None, request=req, urgency=urgency)
    if roll < 0.16:
        return
    req = services.request_assign(user=None, request=req, lead_unit=unit)
    if roll < 0.24:
        return
    req = services.request_sign(user=None, request=req)
    if roll < 0.35:
        return
    req = services.request_reply(
        user=None, request=req, text="经核实,已协调相关科室加快办理,预计本周内办结。"
    )
    req = services.request_complete(user=None, request=req, resolved=roll < 0.85)
    if roll < 0.45:
        return
    satisfaction = "satisfied" if roll < 0.8 else "basic" if roll < 0.9 else "unsatisfied"
    services.request_revisit(
        user=None,
        request=req,
        satisfaction=satisfaction,
        comment="问题仍未解决" if satisfaction == "unsatisfied" else "",
    )
