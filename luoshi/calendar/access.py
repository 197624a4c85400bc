"""Who may change calendar data.

- National data — holiday corrections (调休) and State Council notices — shifts every statutory deadline of
  the deployment, so it belongs to its owner: a superuser or the 营商办 of a top-level region (a region
  without a parent, e.g. the province or the city the deployment serves). Every other role and region is
  refused: a district or park office, leaders, unit staff, enterprises, observers.
- Regional holidays stay regional: an office admin for their own region and the regions below it.
- Everyone signed in reads the calendar (its effect on working days); the correction table is for offices.
"""

from __future__ import annotations

from typing import Any

from luoshi.accounts.access import Policy, in_region, is_national_office, is_office_admin

NATIONAL_REFUSAL = "节假日更正和放假通知是全国数据,影响所有区域的法定时限,只有顶层区域的营商办管理员或系统管理员可以{action}。"

policy = Policy(
    "calendar",
    labels={
        "national.change": "维护全国节假日数据",
        "regional.change": "维护该区域的地方性假日",
        "corrections.view": "查看节假日更正",
    },
)
policy.rule("national.change", is_national_office)
policy.rule("regional.change", is_office_admin & in_region)
policy.rule("regional.add_any", is_office_admin)  # the form: an office may add for some region of its own
policy.rule("corrections.view", is_office_admin)

can = policy.can
allowed_actions = policy.allowed_actions


def require_national(user: Any, action: str) -> None:
    policy.require(user, "national.change", message=NATIONAL_REFUSAL.format(action=action))


def require_regional(user: Any, region: Any, action: str) -> None:
    if not policy.can(user, "regional.add_any"):
        policy.require(user, "regional.add_any", message=f"只有营商办管理员可以{action}。")
    policy.require(user, "regional.change", region, message=f"您无权{action}:不在您的管辖区域内。")
