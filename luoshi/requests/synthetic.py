"""Deterministic synthetic enterprise requests for the demo, the benchmark and tests (no Django).

Each theme is the kind of problem one unit handles; texts are assembled from the theme's phrases with varied
wording, so a router has something to learn and near-duplicates exist for hotspots."""

from __future__ import annotations

import random
from dataclasses import dataclass

THEMES: dict[str, dict[str, list[str]]] = {
    "发展和改革委员会": {
        "what": ["项目立项备案", "企业投资项目核准", "节能审查", "重点项目纳规", "价格收费"],
        "issue": ["迟迟没有批复", "要求重复提交材料", "办理时限超出承诺", "不清楚办理流程"],
    },
    "经济和信息化局": {
        "what": ["技改专项资金", "专精特新认定", "工业用电保障", "企业上云补贴", "规上工业企业奖励"],
        "issue": ["资金一直未拨付", "申报系统无法提交", "认定结果没有公示", "补贴标准不明确"],
    },
    "市场监督管理局": {
        "what": ["营业执照变更", "食品经营许可", "特种设备检验", "计量器具检定", "商标质押登记"],
        "issue": ["窗口要求补充证明", "网上办理无法通过", "现场核查一直未安排", "收费标准有疑问"],
    },
    "人力资源和社会保障局": {
        "what": ["稳岗返还", "社保补贴", "职业技能培训补贴", "人才引进落户", "用工招聘"],
        "issue": ["申请后没有结果", "补贴到账延迟", "招不到技术工人", "政策兑现慢"],
    },
    "自然资源和规划局": {
        "what": ["工业用地出让", "不动产权证办理", "规划许可", "土地指标", "用地红线调整"],
        "issue": ["证件至今未办下来", "审批环节太多", "指标迟迟不落实", "规划条件变更没有答复"],
    },
    "住房和城乡建设局": {
        "what": ["施工许可", "竣工联合验收", "消防设计审查", "厂房消防验收", "燃气报装"],
        "issue": ["验收一直未安排", "审查意见反复变化", "报装周期过长", "需要跑多个部门"],
    },
    "税务局": {
        "what": ["增值税留抵退税", "出口退税", "研发费用加计扣除", "发票领用", "税收优惠备案"],
        "issue": ["退税迟迟未到账", "系统提示异常无法申报", "优惠政策享受不了", "核查时间过长"],
    },
    "交通运输局": {
        "what": ["货车通行证", "园区道路积水", "道路运输许可", "公交线路延伸", "物流园区道路修复"],
        "issue": ["影响货车通行", "雨后严重积水", "办理周期过长", "多次反映没有解决"],
    },
}
OPENERS = ["我公司", "本企业", "我司", "我们企业", "园区内我单位"]
ASKS = [
    "请尽快协调解决。",
    "希望相关部门给予答复。",
    "恳请帮助推动。",
    "请告知办理进度。",
    "影响正常生产经营,请协调。",
]


@dataclass(frozen=True)
class SyntheticRequest:
    unit: str
    title: str
    text: str


def make(rng: random.Random) -> SyntheticRequest:
    unit = rng.choice(list(THEMES))
    theme = THEMES[unit]
    what, issue = rng.choice(theme["what"]), rng.choice(theme["issue"])
    months = rng.randint(1, 6)
    text = f"{rng.choice(OPENERS)}于{months}个月前申请{what},{issue}。{rng.choice(ASKS)}"
    return SyntheticRequest(unit=unit, title=f"{what}{issue}"[:40], text=text)


def many(n: int, seed: int = 1) -> list[SyntheticRequest]:
    rng = random.Random(seed)
    return [make(rng) for _ in range(n)]
