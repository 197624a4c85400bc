"""Support policies (惠企政策直达): the policy library, the claimable items (兑现事项) with versioned rules, dated
parameters, enterprise profiles (一企一档) with per-field provenance, pushes (政策找企), 免申即享 lists with four-eyes
confirmation, and payments (兑现). Eligibility itself is computed by the pure engine in `engine/`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PolicyLevel(models.TextChoices):
    NATIONAL = "national", "国家"
    PROVINCE = "province", "省"
    CITY = "city", "市"
    DISTRICT = "district", "区(县)"
    PARK = "park", "园区"


class Policy(models.Model):
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="policies",
                               verbose_name="所属区域")
    title = models.CharField("政策名称", max_length=300)
    issuers = models.CharField("发文单位", max_length=300, blank=True)
    document_number = models.CharField("文号", max_length=100, blank=True)
    level = models.CharField("层级", max_length=16, choices=PolicyLevel.choices, default=PolicyLevel.CITY)
    published_on = models.DateField("发布日期", null=True, blank=True)
    effective_from = models.DateField("施行日期", null=True, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)
    source_name = models.CharField("原文文件", max_length=200, blank=True)
    source_text = models.TextField("政策原文", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "政策"
        verbose_name_plural = "政策"
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Mode(models.TextChoices):
    AUTOMATIC = "automatic", "免申即享"
    INSTANT = "instant", "即申即享"
    FAST = "fast", "快申快享"
    WINDOW = "window", "限时享受"


class PolicyItem(models.Model):
    """A claimable item (兑现事项). `department` pays it and is the only unit that sees its lists."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="items", verbose_name="政策")
    code = models.CharField("事项编号", max_length=40, unique=True)
    title = models.CharField("事项名称", max_length=300)
    department = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="policy_items",
                                   verbose_name="兑现部门")
    mode = models.CharField("兑现方式", max_length=16, choices=Mode.choices, default=Mode.INSTANT)
    payment_limit_workdays = models.PositiveSmallIntegerField("兑现时限(工作日)", null=True, blank=True)
    window_start = models.DateField("申报开始", null=True, blank=True)
    window_end = models.DateField("申报截止", null=True, blank=True)
    materials = models.TextField("申报材料", blank=True)
    how_to_apply = models.TextField("申报方式", blank=True)
    clause = models.CharField("依据条款", max_length=200, blank=True)
    benefit_fixed = models.DecimalField("固定金额(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    benefit_formula = models.CharField("金额公式", max_length=200, blank=True)
    benefit_cap = models.DecimalField("单户上限(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    exclusive_group = models.CharField("不重复享受组", max_length=60, blank=True)
    quota = models.PositiveIntegerField("名额", null=True, blank=True)
    budget = models.DecimalField("资金总额(元)", max_digits=16, decimal_places=2, null=True, blank=True)
    published_version = models.ForeignKey("RuleVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+", verbose_name="生效规则版本")

    class Meta:
        verbose_name = "兑现事项"
        verbose_name_plural = "兑现事项"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class RuleStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已被新版本取代"


class RuleVersion(models.Model):
    """One version of an item's rule. A published version is never changed: editing it makes a new draft."""

    item = models.ForeignKey(PolicyItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    rule = models.JSONField("条件树")
    cases = models.JSONField("测试用例", default=list, blank=True)
    status = models.CharField("状态", max_length=16, choices=RuleStatus.choices, default=RuleStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "规则版本"
        verbose_name_plural = "规则版本"
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="rule_version_unique_number")]
        ordering = ["item_id", "-number"]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.number}"


class Parameter(models.Model):
    """A dated parameter (门槛、年限…): `values` maps an effective date (YYYY-MM-DD) to a value; all kept."""

    name = models.CharField("参数名", max_length=100, unique=True)
    label = models.CharField("名称", max_length=200)
    unit = models.CharField("单位", max_length=20, blank=True)
    values = models.JSONField("取值(生效日期: 值)", default=dict)
    reference = models.CharField("依据", max_length=300, blank=True)

    class Meta:
        verbose_name = "政策参数"
        verbose_name_plural = "政策参数"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label


class EnterpriseProfile(models.Model):
    """一企一档: the fields rules read (`data`, engine field names) and, per field, where it comes from
    (`provenance`: {field: {source, as_of, authoritative}})."""

    enterprise = models.OneToOneField("orgs.Enterprise", on_delete=models.CASCADE, related_name="policy_profile")
    data = models.JSONField("画像数据", default=dict)
    provenance = models.JSONField("数据来源", default=dict)
    credit_code_problem = models.CharField("信用代码校验问题", max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "企业画像"
        verbose_name_plural = "企业画像"

    def __str__(self) -> str:
        return str(self.enterprise)


class PushKind(models.TextChoices):
    QUALIFYING = "qualifying", "符合条件"
    NEAR_MISS = "near_miss", "差一项"


class Feedback(models.TextChoices):
    NONE = "", "未评价"
    USEFUL = "useful", "有用"
    NOT_USEFUL = "not_useful", "没用"


class Push(models.Model):
    """政策找企: one push per item version and firm, never twice (unique constraint)."""

    version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="pushes")
    item = models.ForeignKey(PolicyItem, on_delete=models.CASCADE, related_name="pushes")
    enterprise = models.ForeignKey("orgs.Enterprise", on_delete=models.CASCADE, related_name="policy_pushes")
    kind = models.CharField("推送类型", max_length=16, choices=PushKind.choices)
    status = models.CharField("判定结果", max_length=8)
    reason = models.TextField("原因")
    missing_leaf = models.CharField("差的条件", max_length=200, blank=True)
    amount = models.DecimalField("预计金额(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    feedback = models.CharField("评价", max_length=16, choices=Feedback.choices, default=Feedback.NONE, blank=True)

    class Meta:
        verbose_name = "政策推送"
        verbose_name_plural = "政策推送"
        constraints = [models.UniqueConstraint(fields=["version", "enterprise"], name="push_once_per_version")]
        indexes = [models.Index(fields=["enterprise", "-created_at"]), models.Index(fields=["item", "kind"])]

    def __str__(self) -> str:
        return f"{self.item.code} → {self.enterprise}"


class BatchStatus(models.TextChoices):
    DRAWN = "drawn", "待复核"
    CHECKED = "checked", "已初核,待第二人确认"
    CONFIRMED = "confirmed", "已双人确认,待兑现"
    PAID = "paid", "已兑现"
    CANCELLED = "cancelled", "已作废"


class PayoutBatch(models.Model):
    """A 免申即享 list: drawn from the eligibility of one item version, confirmed by two different people, paid."""

    item = models.ForeignKey(PolicyItem, on_delete=models.PROTECT, related_name="batches")
    version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="batches")
    status = models.CharField("状态", max_length=16, choices=BatchStatus.choices, default=BatchStatus.DRAWN)
    evaluated_on = models.DateField("判定日期")
    total = models.DecimalField("合计金额(元)", max_digits=16, decimal_places=2, default=0)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    paid_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField("兑现期限", null=True, blank=True)

    class Meta:
        verbose_name = "免申即享清单"
        verbose_name_plural = "免申即享清单"
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"{self.item.code} 清单 #{self.pk}"


class PayoutState(models.TextChoices):
    PENDING = "pending", "待兑现"
    PAID = "paid", "已兑现"
    EXCLUDED = "excluded", "未纳入"


class Payout(models.Model):
    """One firm's line of a list (兑现): the amount, the rule version that decided it, and its state."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="payouts")
    enterprise = models.ForeignKey("orgs.Enterprise", on_delete=models.PROTECT, related_name="policy_payouts")
    version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="payouts")
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    state = models.CharField("状态", max_length=16, choices=PayoutState.choices, default=PayoutState.PENDING)
    reason = models.TextField("判定依据", blank=True)
    excluded_reason = models.CharField("未纳入原因", max_length=100, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "兑现记录"
        verbose_name_plural = "兑现记录"
        constraints = [models.UniqueConstraint(fields=["batch", "enterprise"], name="payout_once_per_batch")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.amount}"
