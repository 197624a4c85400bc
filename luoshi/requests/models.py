"""Enterprise requests (企业诉求): one closed loop from intake to revisit.

A `Request` moves through `RequestStatus` (the transitions are data in `services/states.py`). Time limits come from
`TimeLimit` rows (per class and region, edited on a page); pauses (补正) and extensions (延期) are rows of their own
so every change of the clock is recorded. Arrears claims (拖欠账款) hang off a request; accountability entries
(问责清单) are written by the overdue sweep.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    HOTLINE = "hotline", "12345热线"
    PARK = "park", "园区投诉平台"
    PETITION = "petition", "智慧信访"
    WINDOW = "window", "办不成事窗口"
    OBSERVER = "observer", "营商环境观察员"
    LEADER_VISIT = "leader_visit", "领导走访"
    WEB = "web", "网上诉求"


class Category(models.TextChoices):
    CONSULT = "consult", "政策咨询"
    COMPLAINT = "complaint", "投诉举报"
    SUGGESTION = "suggestion", "意见建议"
    APPROVAL = "approval", "审批服务"
    FACTORS = "factors", "要素保障"
    ENFORCEMENT = "enforcement", "执法监管"
    ARREARS = "arrears", "拖欠账款"
    OTHER = "other", "其他"


class Urgency(models.TextChoices):
    URGENT = "urgent", "紧急"
    NORMAL = "normal", "平急"
    COMPLEX = "complex", "疑难"


DEFAULT_LIMIT_DAYS = {Urgency.URGENT: 3, Urgency.NORMAL: 5, Urgency.COMPLEX: 15}


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审查"
    ACCEPTED = "accepted", "已受理待分办"
    REJECTED = "rejected", "不予受理"
    TRANSFERRED = "transferred", "已转办"
    ASSIGNED = "assigned", "待签收"
    IN_PROGRESS = "in_progress", "办理中"
    REPLIED = "replied", "已答复"
    COMPLETED = "completed", "已办结待回访"
    ESCALATED = "escalated", "提级营商办办理"
    CLOSED = "closed", "已归档"


OPEN_STATUSES = (
    RequestStatus.SUBMITTED,
    RequestStatus.ACCEPTED,
    RequestStatus.ASSIGNED,
    RequestStatus.IN_PROGRESS,
    RequestStatus.REPLIED,
    RequestStatus.ESCALATED,
)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Request(models.Model):
    number = models.CharField("诉求编号", max_length=32, unique=True)
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区域")
    enterprise = models.ForeignKey(
        "orgs.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    enterprise_name = models.CharField("企业名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=20)
    channel = models.CharField("来源渠道", max_length=16, choices=Channel.choices)
    category = models.CharField("诉求类别", max_length=16, choices=Category.choices, default=Category.OTHER)
    title = models.CharField("标题", max_length=200)
    text = models.TextField("诉求内容")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # NULL, not "", when absent: the unique constraints must ignore requests without them
    external_id = models.CharField("外部工单号", max_length=64, null=True, blank=True)  # noqa: DJ001
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001
    content_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED, db_index=True
    )
    received_at = models.DateTimeField("收到时间", default=timezone.now)
    # review
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField("审查意见", blank=True)
    transfer_to = models.CharField("转办去向", max_length=200, blank=True)
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, blank=True)
    limit_days = models.PositiveSmallIntegerField("办理时限(工作日)", null=True, blank=True)
    # routing
    lead_unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="主办单位",
    )
    co_units = models.ManyToManyField("orgs.Unit", blank=True, related_name="+", verbose_name="协办单位")
    assigned_at = models.DateTimeField(null=True, blank=True)
    suggestion = models.JSONField("分办建议", default=dict, blank=True)
    # clock
    clock_start = models.DateField("起算日", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("已批准延期(工作日)", default=0)
    signin_due_at = models.DateTimeField("签收时限", null=True, blank=True)
    due_on = models.DateField("办结时限", null=True, blank=True)
    procedural_due_on = models.DateField("程序性回复时限", null=True, blank=True)
    substantive_due_on = models.DateField("实体性答复时限", null=True, blank=True)
    paused_since = models.DateField("补正暂停自", null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_response_at = models.DateTimeField("首次程序性回复", null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    reply_text = models.TextField("答复内容", blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    resolved = models.BooleanField("诉求已解决", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    satisfaction = models.CharField(max_length=16, choices=Satisfaction.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # filed, the office not told yet: the coalesced job `tasks.notify_office_of_new` tells it (ADR 110). Rows
    # loaded in bulk (imports of history, the benchmarks' COPY) take the database default: nobody is told.
    office_pending = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = "企业诉求"
        verbose_name_plural = "企业诉求"
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="request_unique_external_id"),
            models.UniqueConstraint(fields=["filed_by", "idempotency_key"], name="request_unique_idem_key"),
        ]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(office_pending=True), name="request_office_pending"),
            models.Index(fields=["region", "received_at"]),
            models.Index(fields=["lead_unit", "status"]),
            models.Index(fields=["enterprise", "received_at"]),
            models.Index(fields=["status", "due_on"]),
            # the monitoring tallies (requests received / due in a period, per region, unit, channel, category)
            # read these two alone, never the wide rows: a range on the leading date, the rest covered (ADR 0135)
            models.Index(
                fields=["received_at", "region", "lead_unit", "channel", "category"], name="request_received_tally"
            ),
            models.Index(fields=["due_on", "region", "lead_unit", "completed_at"], name="request_due_tally"),
        ]
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TimeLimit(models.Model):
    """Working days per class in a region (紧急3日办、平急5日办、疑难15日办 by default). The nearest region
    up the tree that has a row wins."""

    region = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="+")
    urgency = models.CharField(max_length=16, choices=Urgency.choices)
    days = models.PositiveSmallIntegerField("工作日")
    signin_hours = models.PositiveSmallIntegerField("签收时限(工作小时)", default=8)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        constraints = [models.UniqueConstraint(fields=["region", "urgency"], name="time_limit_unique")]

    def __str__(self) -> str:
        return f"{self.region} {self.get_urgency_display()} {self.days}"


class Pause(models.Model):
    """补正: the clock stops while the enterprise must supply something."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="pauses")
    reason = models.TextField("需补正内容")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} 补正 {self.started_on}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"


class Extension(models.Model):
    """延期: requested by the unit before the due date, approved or refused by the office."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长工作日")
    reason = models.TextField("延期理由")
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} 延期 {self.days}"


class NoteKind(models.TextChoices):
    PROGRESS = "progress", "办理进展"
    COOPERATION = "cooperation", "协办意见"
    RETURN = "return", "退回说明"
    SUPPLEMENT = "supplement", "企业补正"
    CALL = "call", "回访记录"


class Note(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=16, choices=NoteKind.choices)
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class Attachment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    purpose = models.CharField(max_length=16, default="intake")  # intake | reply | supplement
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.original_name


class Revisit(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="revisits")
    round = models.PositiveSmallIntegerField()
    satisfaction = models.CharField(max_length=16, choices=Satisfaction.choices)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_call = models.BooleanField("电话回访", default=False)
    at = models.DateTimeField(default=timezone.now)
    unit = models.ForeignKey("orgs.Unit", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "round"], name="revisit_unique_round")]

    def __str__(self) -> str:
        return f"{self.request_id} 回访 {self.round}"


class AccountabilityKind(models.TextChoices):
    SIGNIN = "signin", "超时未签收"
    REPLY = "reply", "超时未答复"
    COMPLETION = "completion", "超时未办结"


class AccountabilityEntry(models.Model):
    """问责清单: one row per request, kind and round (a reopened request may be late again)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="accountability")
    kind = models.CharField(max_length=16, choices=AccountabilityKind.choices)
    round = models.PositiveSmallIntegerField(default=0)
    unit = models.ForeignKey("orgs.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    found_on = models.DateField(db_index=True)

    class Meta:
        verbose_name = "问责清单"
        verbose_name_plural = "问责清单"
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "round"], name="accountability_unique")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_kind_display()}"


class OverdueNotice(models.Model):
    """督办单 on overdue requests: the office to the responsible unit, from the accountability list (问责清单).
    Numbered per region and year like supervision's (``荆门市营商诉督〔2026〕1号``, its own series)."""

    number = models.CharField("编号", max_length=60, unique=True)
    year = models.PositiveIntegerField()
    serial = models.PositiveIntegerField()
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="督办单位")
    entries = models.ManyToManyField(AccountabilityEntry, related_name="notices")
    items = models.JSONField("督办事项", default=list)
    requirement = models.TextField("督办要求", blank=True)
    reply_deadline = models.DateField("回复期限")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "诉求督办单"
        verbose_name_plural = "诉求督办单"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "serial"], name="request_notice_unique_serial")
        ]

    def __str__(self) -> str:
        return self.number


# the counters of the metrics roll-up (services/metrics.py): one per figure the metrics page divides
class MetricCounters(models.Model):
    """The counters of the metrics roll-up, declared once for the summary and its deltas."""

    total = models.IntegerField(default=0)
    reviewed = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    signed = models.IntegerField(default=0)
    signed_on_time = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    completed_on_time = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    good = models.IntegerField(default=0)
    fair = models.IntegerField(default=0)
    bad = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    # completed and reopened at least once: the dashboard's 重办率 (reopened ÷ completed of the month's requests)
    reopened_completed = models.IntegerField(default=0)
    proc_ok = models.IntegerField(default=0)
    subst_ok = models.IntegerField(default=0)

    class Meta:
        abstract = True


METRIC_COUNTERS = [f.name for f in MetricCounters._meta.local_fields]


class MetricsSummary(MetricCounters):
    """Metrics roll-up: the counters of the requests received in `period` (YYYY-MM, Beijing) in one region with
    one lead unit (`unit_key` 0 = not yet routed). Folded from `MetricsDelta` every 15 minutes and rebuilt from
    the requests nightly for the recent months; the metrics page reads this and the unfolded deltas only."""

    region = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit_key = models.PositiveIntegerField(default=0)
    period = models.CharField(max_length=7)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "诉求指标汇总"
        verbose_name_plural = "诉求指标汇总"
        constraints = [
            models.UniqueConstraint(fields=["period", "region", "unit_key"], name="metrics_summary_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.region_id}/{self.unit_key}: {self.total}"


class MetricsDelta(MetricCounters):
    """One state change's effect on the roll-up (append-only, so concurrent writers never wait on a counter
    row); folded into `MetricsSummary` and deleted by the 15-minute job."""

    region_id = models.IntegerField()
    unit_key = models.PositiveIntegerField(default=0)
    period = models.CharField(max_length=7)

    class Meta:
        indexes = [models.Index(fields=["period", "region_id"], name="metrics_delta_period_idx")]

    def __str__(self) -> str:
        return f"Δ {self.period} {self.region_id}/{self.unit_key}: {self.total}"


class ArrearsStatus(models.TextChoices):
    OPEN = "open", "未清偿"
    CLEARED = "cleared", "已清零"
    SETTLED = "settled", "已协议化解"


class ArrearsClaim(models.Model):
    """拖欠账款: money a government body or state enterprise owes the enterprise."""

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="arrears")
    debtor_name = models.CharField("欠款主体", max_length=200, db_index=True)
    debtor_unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount_claimed = models.DecimalField("主张金额(元)", max_digits=16, decimal_places=2)
    amount_confirmed = models.DecimalField(
        "确认金额(元)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    confirmed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ArrearsStatus.choices, default=ArrearsStatus.OPEN)
    settlement_note = models.TextField("化解协议说明", blank=True)
    closed_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.debtor_name} {self.amount_claimed}"


class ArrearsPayment(models.Model):
    claim = models.ForeignKey(ArrearsClaim, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField("支付金额(元)", max_digits=16, decimal_places=2)
    paid_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.amount}"


class ContactView(models.Model):
    """Every view of unmasked contact details by staff (个人信息保护法)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="contact_views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    where = models.CharField(max_length=16, default="page")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.viewer_id} {self.request_id}"


class RoutingModel(models.Model):
    """A trained routing model (scikit-learn pipeline, pickled) for one region."""

    region = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="+")
    trained_at = models.DateTimeField(default=timezone.now)
    n_samples = models.PositiveIntegerField()
    n_classes = models.PositiveIntegerField()
    blob = models.BinaryField()

    class Meta:
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"{self.region} {self.trained_at:%Y-%m-%d %H:%M}"


class Hotspot(models.Model):
    """A cluster of similar requests that the office turned into a supervised task."""

    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7)
    label = models.CharField(max_length=200)
    signature = models.CharField(max_length=64)
    requests = models.ManyToManyField(Request, related_name="hotspots")
    task_ref = models.CharField("督办任务", max_length=64, blank=True)
    task_url = models.CharField("督办任务页面", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "period", "signature"], name="hotspot_unique_signature")
        ]

    def __str__(self) -> str:
        return self.label


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REFUSED = "refused", "未通过"


class EnterpriseRegistration(models.Model):
    """An enterprise that registers itself with its USCC; the office approves, which creates the account."""

    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    enterprise_name = models.CharField(max_length=200)
    credit_code = models.CharField(max_length=18)
    contact_name = models.CharField(max_length=50)
    contact_phone = models.CharField(max_length=20)
    username = models.CharField(max_length=150)
    password_hash = models.CharField(max_length=256)
    status = models.CharField(
        max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.enterprise_name} {self.get_status_display()}"


class RetentionSetting(models.Model):
    """How long contact details of closed requests are kept before they are erased (per region)."""

    region = models.OneToOneField("orgs.Region", on_delete=models.CASCADE, related_name="+")
    contact_retention_days = models.PositiveIntegerField("联系方式保留天数", default=730)

    def __str__(self) -> str:
        return f"{self.region} {self.contact_retention_days}"
