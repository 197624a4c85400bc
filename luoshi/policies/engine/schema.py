"""The fields of an enterprise profile (一企一档) that rules may read, with their Chinese labels and how long a
reported value stays fresh. No Django.

A field is one of five kinds:

- ``number``: employees, revenue … (``float``; missing is ``NaN``)
- ``date``: the founding date (成立日期)
- ``code``: a hierarchical code matched by prefix — industry (GB/T 4754-2017, ``C3911`` / ``C39`` / ``C``) and
  region (GB/T 2260, ``320102`` / ``3201`` / ``32``)
- ``category``: one value out of a short list (credit status, enterprise size)
- ``tags``: a set of labels (高新技术企业, 专精特新 …)

``max_age_days`` is how old a reported value may be before the engine treats it as stale (待核实); ``None`` never goes
stale (a founding date does not change).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FieldKind(StrEnum):
    NUMBER = "number"
    DATE = "date"
    CODE = "code"
    CATEGORY = "category"
    TAGS = "tags"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    kind: FieldKind
    unit: str = ""
    max_age_days: int | None = None
    authority: str = ""  # the department whose data is authoritative for this field (empty: none)


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("region", "注册地区", FieldKind.CODE, authority="市场监管局"),
        Field("industry", "所属行业", FieldKind.CODE, authority="市场监管局"),
        Field("founded", "成立日期", FieldKind.DATE, authority="市场监管局"),
        Field("employees", "从业人数", FieldKind.NUMBER, "人", 400, "人社局"),
        Field("revenue", "营业收入", FieldKind.NUMBER, "万元", 550, "税务局"),
        Field("assets", "资产总额", FieldKind.NUMBER, "万元", 550, "税务局"),
        Field("rd_ratio", "研发费用占营业收入比例", FieldKind.NUMBER, "%", 550, "税务局"),
        Field("tax_paid", "上年度纳税额", FieldKind.NUMBER, "万元", 550, "税务局"),
        Field("tags", "资质标签", FieldKind.TAGS, "", 400, "科技局"),
        Field("credit_status", "信用状况", FieldKind.CATEGORY, "", 90, "发展改革委"),
        Field("size", "企业规模", FieldKind.CATEGORY, "", 550, "统计局"),
    )
}

CREDIT_STATUSES = ("良好", "一般", "失信")
SIZES = ("大型", "中型", "小型", "微型")
KNOWN_TAGS = (
    "高新技术企业",
    "科技型中小企业",
    "专精特新中小企业",
    "专精特新小巨人",
    "创新型中小企业",
    "规上工业企业",
    "限上商贸企业",
    "外贸企业",
    "首次升规",
)


def field(name: str) -> Field:
    try:
        return FIELDS[name]
    except KeyError:
        raise KeyError(f"未知的画像字段「{name}」") from None
