"""Audit actions of enterprise requests, with their Chinese labels (shown in the audit trail)."""

from __future__ import annotations

from django.db import models


class RequestEvent(models.TextChoices):
    FILED = "request.filed", "提交诉求"
    ATTACHMENT_UPLOADED = "request.attachment_uploaded", "上传诉求附件"
    ACCEPTED = "request.accepted", "受理"
    REJECTED = "request.rejected", "不予受理"
    TRANSFERRED = "request.transferred", "转办"
    CLASSIFIED = "request.classified", "分类限期"
    ASSIGNED = "request.assigned", "分办"
    SIGNED = "request.signed", "签收"
    RETURNED = "request.returned", "退回"
    NOTE_ADDED = "request.note_added", "办理记录"
    PAUSED = "request.paused", "补正暂停"
    RESUMED = "request.resumed", "补正恢复"
    EXTENSION_REQUESTED = "request.extension_requested", "申请延期"
    EXTENSION_DECIDED = "request.extension_decided", "延期审批"
    REPLIED = "request.replied", "答复"
    COMPLETED = "request.completed", "办结"
    REVISITED = "request.revisited", "回访"
    REOPENED = "request.reopened", "重办"
    ESCALATED = "request.escalated", "提级办理"
    CLOSED = "request.closed", "归档"
    CONTACT_VIEWED = "request.contact_viewed", "查看联系方式"
    CONTACT_ERASED = "request.contact_erased", "删除过期联系方式"
    ARREARS_RECORDED = "request.arrears_recorded", "拖欠账款登记"
    ARREARS_PAYMENT = "request.arrears_payment", "拖欠账款支付"
    ARREARS_CLOSED = "request.arrears_closed", "拖欠账款清零/化解"
    OVERDUE = "request.overdue", "列入问责清单"
    TIME_LIMIT_SET = "request.time_limit_set", "设置办理时限"
    HOTSPOT_TASK = "request.hotspot_task", "热点转督办"
    ROUTING_TRAINED = "request.routing_trained", "分办模型训练"
    REGISTRATION_SUBMITTED = "request.registration_submitted", "企业注册申请"
    REGISTRATION_DECIDED = "request.registration_decided", "企业注册审核"
