"""Demo step: the shipped directories, then deterministic synthetic enterprises in 荆门市 and its counties.

The same seed always gives the same enterprises (credit codes included), so a second run finds them all
and adds nothing. Synthetic enterprises are demo data, not business events: they are bulk-created
without audit entries.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from luoshi.directory.services import load_shipped_directories
from luoshi.orgs.credit_code import make_credit_code
from luoshi.orgs.models import Enterprise, Region

if TYPE_CHECKING:
    from luoshi.core.demo import DemoContext

DEMO_CITY_CODE = "420800"

BRAND_CHARS = (
    "宏",
    "瑞",
    "鑫",
    "华",
    "盛",
    "泰",
    "源",
    "博",
    "恒",
    "达",
    "荆",
    "楚",
    "汉",
    "新",
    "民",
    "丰",
    "远",
    "航",
    "信",
    "诚",
    "利",
    "祥",
    "凯",
    "润",
    "隆",
    "嘉",
    "峰",
    "银",
    "金",
    "龙",
    "凤",
    "天",
    "宇",
    "正",
    "和",
    "兴",
    "汇",
    "德",
    "东",
    "明",
    "安",
    "昌",
    "通",
    "海",
    "中",
    "科",
    "创",
    "亿",
)
INDUSTRIES: tuple[tuple[str, tuple[str, ...], float], ...] = (
    # (industry, words used in names, weight)
    ("化学原料和化学制品制造业", ("化工", "新材料", "精细化工", "磷化"), 7),
    ("电气机械和器材制造业", ("新能源", "锂电", "电气", "储能"), 6),
    ("农副食品加工业", ("食品", "粮油", "米业", "农产品"), 8),
    ("通用设备制造业", ("机械", "装备", "智能装备"), 6),
    ("非金属矿物制品业", ("建材", "水泥", "新型建材"), 5),
    ("汽车制造业", ("汽车零部件", "汽配", "专用车"), 3),
    ("医药制造业", ("生物医药", "药业", "医疗器械"), 3),
    ("软件和信息技术服务业", ("信息技术", "软件", "数字科技", "网络科技"), 6),
    ("批发和零售业", ("商贸", "贸易", "供应链"), 14),
    ("建筑业", ("建设工程", "建筑", "路桥"), 9),
    ("交通运输、仓储和邮政业", ("物流", "运输", "仓储"), 7),
    ("住宿和餐饮业", ("餐饮管理", "酒店管理"), 6),
    ("租赁和商务服务业", ("企业管理", "商务服务", "咨询"), 7),
    ("农、林、牧、渔业", ("农业发展", "生态农业", "种养殖"), 8),
    ("文化、体育和娱乐业", ("文化传媒", "文旅"), 3),
)
SCALES: tuple[tuple[str, float, tuple[int, int]], ...] = (
    ("微型", 45, (1, 9)),
    ("小型", 35, (10, 99)),
    ("中型", 15, (100, 999)),
    ("大型", 5, (1000, 6000)),
)
FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")


def _place_word(name: str) -> str:
    """东宝区 → 东宝, 漳河新区 → 漳河, 荆门高新区 → 荆门: the word a company name starts with."""
    for suffix in ("管理区", "高新区", "新区", "区", "市", "县"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _weighted(rng: random.Random, items: tuple[Any, ...], weight_index: int) -> Any:
    return rng.choices(items, weights=[item[weight_index] for item in items])[0]


def generate(rng: random.Random, regions: list[Region], count: int) -> list[Enterprise]:
    """`count` synthetic enterprises spread over `regions`; the same rng state gives the same list."""
    out: list[Enterprise] = []
    names: set[str] = set()
    codes: set[str] = set()
    today = dt.date(2025, 6, 30)
    while len(out) < count:
        region = regions[0] if rng.random() < 0.3 else rng.choice(regions)
        industry, words, _ = _weighted(rng, INDUSTRIES, 2)
        scale, _, (low, high) = _weighted(rng, SCALES, 1)
        place = _place_word(region.short_name or region.name)
        brand = "".join(rng.sample(BRAND_CHARS, 2))
        name = f"{'荆门' if rng.random() < 0.5 else place}{brand}{rng.choice(words)}{rng.choice(FORMS)}"
        division = region.code if region.code.isdigit() else DEMO_CITY_CODE
        code = make_credit_code(rng, division)
        if name in names or code in codes:
            continue
        names.add(name)
        codes.add(code)
        founded = today - dt.timedelta(days=rng.randint(180, 30 * 365))
        employees = rng.randint(low, high)
        revenue = int(employees * rng.uniform(20, 160))  # 万元
        manufacturing = "制造" in industry or "加工" in industry
        high_tech = scale != "微型" and rng.random() < (0.35 if manufacturing or "信息" in industry else 0.06)
        specialised = high_tech and scale in ("小型", "中型") and rng.random() < 0.35
        above_size = (manufacturing and revenue >= 2000) or (not manufacturing and revenue >= 5000)
        out.append(
            Enterprise(
                name=name,
                credit_code=code,
                region=region,
                industry=industry,
                scale=scale,
                founded=founded,
                employees=employees,
                attributes={
                    "高新技术企业": high_tech,
                    "专精特新": specialised,
                    "规上": above_size,
                    "科技型中小企业": scale != "大型" and (high_tech or rng.random() < 0.08),
                    "民营企业": rng.random() < 0.88,
                    "营业收入万元": revenue,
                },
            )
        )
    return out


def load(ctx: DemoContext) -> str:
    results = load_shipped_directories()
    changed = sum(1 for _, r in results if r.changed)
    city = Region.objects.get(code=DEMO_CITY_CODE)
    regions = [city, *Region.objects.filter(parent=city).order_by("code")]
    wanted = generate(ctx.rng_for("orgs"), regions, ctx.options.enterprises)
    existing: set[str] = set()
    codes = [e.credit_code for e in wanted]
    for start in range(0, len(codes), 900):
        existing.update(
            Enterprise.objects.filter(credit_code__in=codes[start : start + 900]).values_list(
                "credit_code", flat=True
            )
        )
    new = [e for e in wanted if e.credit_code not in existing]
    Enterprise.objects.bulk_create(new, batch_size=1000)
    return (
        f"组织机构目录 {len(results)} 个文件(本次更新 {changed} 个);企业 {len(wanted)} 家(新建 {len(new)} 家)"
    )
