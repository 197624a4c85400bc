"""Why an annual-plan service refuses (the API returns the code as ``reason``; the message is the default text)."""

from __future__ import annotations

from luoshi.core.errors import ErrorCodes


class PlanError(ErrorCodes):
    # finding things
    PLAN_NOT_FOUND = "plans.plan_not_found", "该方案不存在或已被删除。"
    MEASURE_NOT_FOUND = "plans.measure_not_found", "该举措不存在或已被删除,请刷新页面。"
    IMPORT_NOT_FOUND = "plans.import_not_found", "没有找到该导入记录,或您无权查看。"
    NO_REGION = "plans.no_region", "您的账号未设置管辖区域,不能导入方案。"
    # importing and revising
    YEAR_INVALID = "plans.year_invalid", "方案年度不正确,请填写 2000 至 2100 之间的四位年份。"
    REVISION_OTHER_REGION = "plans.revision_other_region", "修订版必须与原方案属于同一区域。"
    REVISING_ARCHIVED = "plans.revising_archived", "该方案已归档,请选择该方案的最新版本进行修订。"
    # editing on the review page
    PLAN_CLOSED = "plans.plan_closed", "该方案已发布或已归档,不能再修改;如需调整,请导入修订版后重新审核发布。"
    PLAN_ARCHIVED = "plans.plan_archived", "该方案已归档(被新版本取代),不能再修改方案信息。"
    MEASURE_EDITED_ELSEWHERE = "plans.measure_edited_elsewhere", "该举措已被他人修改,请刷新页面查看最新内容后再操作。"
    PLAN_EDITED_ELSEWHERE = "plans.plan_edited_elsewhere", "该方案在您查看后已被修改,请刷新页面后再操作。"
    FIELD_NOT_EDITABLE = "plans.field_not_editable", "不能修改这些字段。"
    UNIT_NAMES_INVALID = "plans.unit_names_invalid", "单位名称格式不正确,请用顿号分隔单位名称。"
    TARGETS_INVALID = "plans.targets_invalid", "量化目标格式不正确。"
    MEASURE_TEXT_MISSING = "plans.measure_text_missing", "举措内容不能为空;如该条不是举措,请删除它。"
    DUE_INVALID = "plans.due_invalid", "完成时限不是有效日期,请按 2025-06-30 的格式填写。"
    STANDING_WITH_DUE = "plans.standing_with_due", "“长期坚持”的举措不设完成时限,请二选一。"
    SPLIT_POINT_INVALID = "plans.split_point_invalid", "拆分位置不正确:请在举措内容中间选择拆分点,两部分都不能为空。"
    NOTHING_TO_MERGE = "plans.nothing_to_merge", "已是最后一条举措,没有可合并的下一条。"
    UNIT_OUTSIDE_REGION = "plans.unit_outside_region", "该单位不在本方案所属区域的组织机构库中,请选择其他单位。"
    UNIT_NAME_UNKNOWN = "plans.unit_name_unknown", "没有该单位名称,请刷新页面后重试。"
    PLAN_YEAR_MISSING = "plans.plan_year_missing", "该方案未写明年度,无法按方案期限设置完成时限;请先在方案信息中填写方案年度。"
    TITLE_MISSING = "plans.title_missing", "方案名称不能为空,请填写方案正文的标题。"
    # publishing
    NOT_PENDING_REVIEW = "plans.not_pending_review", "只有待审核的方案可以发布。"
    NOT_A_PLAN = "plans.not_a_plan", "该文件只陈述方案内容,没有可督办的举措,不能发布为任务。请导入方案原文。"
    NO_MEASURES = "plans.no_measures", "该方案没有举措,不能发布。请检查导入的文件是否为方案正文。"
    UNITS_UNCONFIRMED = "plans.units_unconfirmed", "还有责任单位未确认,请在审核页确认后再发布。"
    MEASURES_UNDATED = "plans.measures_undated", "有举措未写明完成时限,请填写或确认为“长期坚持”后再发布。"
    MEASURES_UNASSIGNED = "plans.measures_unassigned", "有举措未指定责任单位,请确认后再发布。"
    FILE_EMPTY = "plans.file_empty", "上传的文件是空的,请选择方案原文文件后重试。"
    FILE_TYPE_UNSUPPORTED = "plans.file_type_unsupported", "不支持该文件类型。请上传 Word(.docx/.doc/.wps)、PDF、网页(.html)、文本(.txt)或任务清单(.xlsx)文件。"
    ALREADY_IMPORTED = "plans.already_imported", "该文件已导入,无需重复导入。如方案有修订,请上传修订后的文件。"
    IMPORT_FAILED = "plans.import_failed", "导入失败,请检查文件后重试。"
    FILE_TOO_LARGE = "plans.file_too_large", "文件超过大小上限,无法导入。请拆分文件或只上传方案正文。"
    REGION_NOT_FOUND = "plans.region_not_found", "没有该代码的区域,请检查区域代码。"
    NO_PREVIOUS_REVISION = "plans.no_previous_revision", "该方案是第一版,没有可比较的上一版本。"
    SPLIT_POINT_MISSING = "plans.split_point_missing", "请在举措内容中点选拆分位置。"
