"""Why a monitoring (营商环境监测) service refuses (the API returns the code; the message is the default text)."""

from __future__ import annotations

from luoshi.core.errors import ErrorCodes


class DashboardError(ErrorCodes):
    NO_ACCESS = "dashboard.no_access", "您的角色无权查看监测分析。"
    OFFICE_ONLY = "dashboard.office_only", "只有营商办管理员可以执行此操作。"
    OWN_UNIT_ONLY = "dashboard.own_unit_only", "部门工作人员只能查看本单位的监测数据。"
    OUTSIDE_JURISDICTION = "dashboard.outside_jurisdiction", "该区域或单位不在您的管辖区域内。"
    NO_DIRECTORY = "dashboard.no_directory", "尚未建立区域目录,请先导入组织机构。"
    REGION_NOT_FOUND = "dashboard.region_not_found", "未找到该区域。"
    UNIT_NOT_FOUND = "dashboard.unit_not_found", "未找到该单位。"
    INDICATOR_NOT_FOUND = "dashboard.indicator_not_found", "未找到该监测指标。"
    FILE_UNREADABLE = "dashboard.file_unreadable", "文件无法读取或不符合指标体系模板。"
    INDICATOR_CYCLE = "dashboard.indicator_cycle", "指标的上级关系形成了循环,请检查“上级编码”。"
    FIELD_NOT_EDITABLE = "dashboard.field_not_editable", "这些字段不能修改。"
    NAME_MISSING = "dashboard.name_missing", "指标名称不能为空。"
    WEIGHT_INVALID = "dashboard.weight_invalid", "权重应为 0 到 100 之间的数字,且至少一项大于 0。"
    WEIGHT_REASON_MISSING = "dashboard.weight_reason_missing", "请填写调整说明(为什么调整权重)。"
    SOURCE_UNKNOWN = "dashboard.source_unknown", "系统计算指标需要有效的计算口径。"
    LEAD_UNIT_OUTSIDE = "dashboard.lead_unit_outside", "牵头单位不在指标体系所属区域范围内。"
    EDITED_ELSEWHERE = "dashboard.edited_elsewhere", "该指标已被他人修改,请刷新页面后再改。"
    EVIDENCE_REFUSED = "dashboard.evidence_refused", "佐证材料的类型或大小不允许上传。"
    EVIDENCE_MISSING = "dashboard.evidence_missing", "请填写佐证说明或上传佐证材料。"
    NOT_REPORTER = "dashboard.not_reporter", "只有该指标的牵头单位或本区域营商办管理员可以填报该指标。"
    COMPUTED = "dashboard.computed", "该指标由系统自动计算或由下级指标汇总,不能直接填报。"
    PERIOD_INVALID = "dashboard.period_invalid", "统计周期不符合该指标的填报周期,或尚未开始。"
    VALUE_INVALID = "dashboard.value_invalid", "数值不是数字,请填写数字(如 95.5)。"
    NOT_RANKABLE = "dashboard.not_rankable", "该指标不能参与排名。"
    NOTHING_TO_SUPERVISE = "dashboard.nothing_to_supervise", "该指标没有可发起的督办。"
    FILE_NOT_FOUND = "dashboard.file_not_found", "找不到该文件。"
    DATE_INVALID = "dashboard.date_invalid", "日期无效:请按 YYYY-MM-DD 填写。"
