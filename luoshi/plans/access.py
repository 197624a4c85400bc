"""Who may see and change action plans.

- 营商办管理员: imports, reviews and publishes the plans of their region subtree; sees drafts.
- 领导: reads every plan of their region subtree.
- 部门工作人员: reads published (and archived) plans of their region.
- enterprise users and observers: no plan.
"""

from __future__ import annotations

from typing import Any

from luoshi.accounts.access import Policy, in_region, is_government, is_office_admin, is_staff_role

policy = Policy(
    "plans",
    labels={
        "plan.view": "查看行动方案",
        "plan.import": "导入行动方案",
        "plan.review": "审核该方案",
        "plan.view_drafts": "查看草稿方案",
    },
)
policy.rule("plan.view", is_government)
policy.rule("plan.import", is_office_admin)
policy.rule("plan.view_drafts", is_government & ~is_staff_role)
policy.rule("plan.review", is_office_admin & in_region)  # obj: a plan (its region)

can = policy.can
allowed_actions = policy.allowed_actions


def sees_only_published(user: Any) -> bool:
    return user is not None and not policy.can(user, "plan.view_drafts")
