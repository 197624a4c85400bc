"""Why a major-project service refuses (the API returns the code; the message is the default text)."""

from __future__ import annotations

from luoshi.core.errors import ErrorCodes


class ProjectError(ErrorCodes):
    NO_ACCESS = "projects.no_access", "您的角色无权查看重大项目。"
    PROBLEM_NOT_YOURS = "projects.problem_not_yours", "只有问题的责任单位或营商办管理员可以填写解决情况。"
    PROJECT_NOT_FOUND = "projects.project_not_found", "项目不存在或已被删除。"
    PROBLEM_NOT_FOUND = "projects.problem_not_found", "问题不存在。"
    EDITED_ELSEWHERE = "projects.edited_elsewhere", "该项目已被他人修改,请刷新页面后重新操作。"
    CODE_TAKEN = "projects.code_taken", "项目编码已存在:请使用其他编码。"
    CODE_INVALID = "projects.code_invalid", "请填写项目编码(最多 64 个字符)。"
    NAME_INVALID = "projects.name_invalid", "请填写项目名称(最多 200 字)。"
    LEVEL_INVALID = "projects.level_invalid", "项目层级只能是:省重点、市重点、园区重大。"
    INVESTMENT_INVALID = "projects.investment_invalid", "总投资应为以万元为单位的非负金额。"
    DATE_INVALID = "projects.date_invalid", "日期无效,请核对。"
    UNIT_OUTSIDE_REGION = (
        "projects.unit_outside_region",
        "责任单位不属于项目所在区域或其上级区域,请重新选择。",
    )
    FIELD_NOT_EDITABLE = "projects.field_not_editable", "这些字段不能修改。"
    STATUS_INVALID = "projects.status_invalid", "项目状态只能是:推进中、已投产、已暂停、已终止。"
    STATUS_FROM_MILESTONE = "projects.status_from_milestone", "“已投产”由投产节点的实际日期自动确定。"
    TERMINATED = "projects.terminated", "项目已终止,不能再办理。"
    MILESTONE_KIND_INVALID = "projects.milestone_kind_invalid", "节点只能是:签约、开工、入库、竣工、投产。"
    MILESTONE_ORDER = "projects.milestone_order", "节点日期顺序不对,请核对。"
    PROBLEM_DESCRIPTION_MISSING = "projects.problem_description_missing", "请填写问题描述。"
    PROBLEM_DUE_INVALID = "projects.problem_due_invalid", "解决时限不能早于今天。"
    PROBLEM_RESOLVED = "projects.problem_resolved", "该问题已解决,不能重复办结。"
    PROBLEM_EDITED_ELSEWHERE = "projects.problem_edited_elsewhere", "该问题已被他人处理,请刷新页面后查看。"
    RESOLUTION_MISSING = "projects.resolution_missing", "请填写解决情况。"
    DEFAULT_RULE_NATIONAL = (
        "projects.default_rule_national",
        "默认时限规则只能由系统管理员修改;您可以为本区域设置规则。",
    )
    RULE_INVALID = "projects.rule_invalid", "时限规则不符合要求,请核对节点、单位和时限。"
    UNIT_IDS_UNKNOWN = "projects.unit_ids_unknown", "有责任单位不存在:请检查 unit_ids。"
    REGION_NOT_FOUND = "projects.region_not_found", "区域不存在。"
    UNIT_NOT_FOUND = "projects.unit_not_found", "责任单位不存在。"
    CREATE_OFFICE_ONLY = "projects.create_office_only", "只有营商办管理员可以新建重大项目。"
    EDIT_OFFICE_ONLY = "projects.edit_office_only", "只有本区域的营商办管理员可以修改重大项目。"
    IMPORT_OFFICE_ONLY = "projects.import_office_only", "只有营商办管理员可以导入重大项目台账。"
    RULES_OFFICE_ONLY = "projects.rules_office_only", "只有营商办管理员可以修改节点时限规则。"
    USER_NOT_FOUND = "projects.user_not_found", "用户不存在或已停用。"
    FILE_NOT_FOUND = "projects.file_not_found", "找不到该文件。"
