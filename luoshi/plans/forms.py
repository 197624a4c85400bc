"""Input forms of the plan pages: they parse what was typed; the services decide whether it is allowed."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from luoshi.core.formfields import BoundedForm, VersionField
from luoshi.orgs.models import Region
from luoshi.plans.models import Plan

_OPS = {"≥": ">=", "≤": "<=", "＞": ">", "＜": "<", "=": "==", "＝": "=="}


class UploadForm(BoundedForm, forms.Form):
    file = forms.FileField(
        label="方案文件", help_text="支持 .docx、.doc、.wps、.pdf、.html、.txt,或任务清单 .xlsx"
    )
    region = forms.ModelChoiceField(label="所属区域", queryset=Region.objects.none(), empty_label=None)
    year = forms.IntegerField(
        label="方案年度",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="留空则取文件中的年份;“年底前”等时限按此年度计算",
    )
    previous = forms.ModelChoiceField(
        label="作为以下方案的修订版",
        queryset=Plan.objects.none(),
        required=False,
        empty_label="(新方案,不是修订版)",
    )

    def __init__(self, *args: Any, regions: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["previous"].queryset = plans  # type: ignore[attr-defined]


def split_names(value: str) -> list[str]:
    return [n.strip() for n in re.split(r"[、,,;;\n]+", value or "") if n.strip()]


def parse_targets(value: str) -> list[dict[str, Any]]:
    """One target per line: `指标|比较符|数值|单位`, e.g. `企业开办时间|<=|1|个工作日`."""
    out = []
    for line in (value or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[|｜]", line)]
        parts += [""] * (4 - len(parts))
        metric, op, number, unit = parts[:4]
        out.append({"metric": metric, "op": _OPS.get(op, op), "value": number, "unit": unit})
    return out


def format_targets(targets: list[dict[str, Any]]) -> str:
    lines = []
    for t in targets or []:
        value = t.get("value")
        shown = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
        lines.append(f"{t.get('metric', '')}|{t.get('op', '')}|{shown}|{t.get('unit', '')}")
    return "\n".join(lines)


class MeasureForm(BoundedForm, forms.Form):
    version = VersionField()
    title = forms.CharField(label="标题", required=False, max_length=300)
    text = forms.CharField(label="举措内容", widget=forms.Textarea(attrs={"rows": 5}))
    lead_units_text = forms.CharField(label="牵头单位", required=False, help_text="多个单位用顿号分隔")
    co_units_text = forms.CharField(label="责任单位/配合单位", required=False)
    deadline = forms.DateField(
        label="完成时限", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    deadline_phrase = forms.CharField(label="时限原文", required=False, max_length=200)
    ongoing = forms.BooleanField(label="长期坚持(不设完成时限)", required=False)
    targets = forms.CharField(
        label="量化目标",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一个:指标|比较符|数值|单位,如 企业开办时间|<=|1|个工作日",
    )

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "text": data["text"],
            "lead_units_text": split_names(data["lead_units_text"]),
            "co_units_text": split_names(data["co_units_text"]),
            "deadline": data["deadline"],
            "deadline_phrase": data["deadline_phrase"],
            "ongoing": data["ongoing"],
            "targets": parse_targets(data["targets"]),
        }

    @staticmethod
    def initial_for(measure: Any) -> dict[str, Any]:
        return {
            "version": measure.version,
            "title": measure.title,
            "text": measure.text,
            "lead_units_text": "、".join(measure.lead_units_text),
            "co_units_text": "、".join(measure.co_units_text),
            "deadline": measure.deadline,
            "deadline_phrase": measure.deadline_phrase,
            "ongoing": measure.ongoing,
            "targets": format_targets(measure.targets),
        }
