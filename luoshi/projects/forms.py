"""Input parsing for the project pages (no business rules here: the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms

from luoshi.accounts.access import subtree_or_above_q, subtree_q
from luoshi.accounts.models import Role, User
from luoshi.core.formfields import BoundedForm, VersionField
from luoshi.orgs.models import Region, Unit
from luoshi.projects.models import LimitUnit, MilestoneKind, ProjectLevel, ProjectStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def regions_for(user: User) -> Any:
    qs = Region.objects.all()
    if not user.is_superuser:
        qs = qs.filter(subtree_q(user.region, "")) if user.region else qs.none()
    return qs.order_by("path")


def units_for(user: User) -> Any:
    if user.is_superuser:
        return Unit.objects.filter(is_active=True).select_related("region").order_by("region_id", "name")
    if user.region is None:
        return Unit.objects.none()
    return (
        Unit.objects.filter(subtree_or_above_q(user.region), is_active=True)
        .select_related("region")
        .order_by("region_id", "name")
    )


class ProjectForm(BoundedForm, forms.Form):
    code = forms.CharField(label="项目编码", max_length=64)
    name = forms.CharField(label="项目名称", max_length=200)
    level = forms.ChoiceField(label="项目层级", choices=ProjectLevel.choices)
    region = forms.ModelChoiceField(label="所属区域", queryset=Region.objects.none(), empty_label="请选择区域")
    investment = forms.DecimalField(label="总投资(万元)", max_digits=14, decimal_places=2, min_value=0)
    owner_name = forms.CharField(label="项目业主", max_length=200, required=False)
    industry = forms.CharField(label="所属行业", max_length=100, required=False)
    leader_name = forms.CharField(label="包保领导", max_length=100, required=False)
    leader_user = forms.ModelChoiceField(
        label="包保领导账号(可选)", queryset=User.objects.none(), required=False, empty_label="(不关联账号)"
    )
    units = forms.ModelMultipleChoiceField(label="责任单位", queryset=Unit.objects.none(), required=False)
    status = forms.ChoiceField(label="状态", choices=ProjectStatus.choices, required=False)
    note = forms.CharField(label="备注", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    signed_planned = forms.DateField(label="签约计划日期", required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(user)  # type: ignore[attr-defined]
        self.fields["units"].queryset = units_for(user)  # type: ignore[attr-defined]
        leaders = User.objects.filter(role=Role.LEADER, is_active=True)
        if not user.is_superuser and user.region is not None:
            leaders = leaders.filter(subtree_q(user.region))
        self.fields["leader_user"].queryset = leaders  # type: ignore[attr-defined]
        if creating:
            del self.fields["status"]
        else:
            del self.fields["signed_planned"]


class MilestoneActualForm(BoundedForm, forms.Form):
    kind = forms.ChoiceField(label="节点", choices=MilestoneKind.choices)
    actual_date = forms.DateField(label="实际日期(留空为清除)", required=False, widget=DATE)
    note = forms.CharField(label="说明", max_length=300, required=False)
    version = VersionField()


class MilestonePlanForm(BoundedForm, forms.Form):
    kind = forms.ChoiceField(label="节点", choices=MilestoneKind.choices)
    planned_date = forms.DateField(label="计划日期", required=False, widget=DATE)
    version = VersionField()


class ProblemForm(BoundedForm, forms.Form):
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.none(), empty_label="请选择责任单位")
    due = forms.DateField(label="解决时限", widget=DATE)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user)  # type: ignore[attr-defined]


class ResolveForm(BoundedForm, forms.Form):
    resolution = forms.CharField(label="解决情况", widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()


class ImportForm(BoundedForm, forms.Form):
    file = forms.FileField(label="台账文件(.xlsx)")


class RuleForm(BoundedForm, forms.Form):
    scope = forms.ChoiceField(
        label="适用范围", choices=[("region", "本区域"), ("global", "全部区域(默认规则)")]
    )
    from_kind = forms.ChoiceField(label="起始节点", choices=MilestoneKind.choices)
    to_kind = forms.ChoiceField(label="目标节点", choices=MilestoneKind.choices)
    limit_value = forms.IntegerField(label="时限", min_value=1, max_value=1000)
    limit_unit = forms.ChoiceField(label="单位", choices=LimitUnit.choices)
    warn_working_days = forms.IntegerField(label="提前预警(工作日)", min_value=0, max_value=250, initial=15)
    source = forms.CharField(label="依据", max_length=200, required=False)
