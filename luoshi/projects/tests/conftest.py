"""Fixtures for the project ledger: a project in 荆门市 with 市发改委 responsible, signed on 2026-01-10 (so
开工 is planned for 2026-07-10 and 入库 for 2026-09-10 by the default rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest


@pytest.fixture
def project(users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]) -> Any:
    from luoshi.projects.services import milestone_record, project_create

    created = project_create(
        user=users["admin"],
        region=regions["jingmen"],
        code="JM-2026-001",
        name="荆门新材料产业园一期",
        level="city",
        investment="120000",
        owner_name="荆门甲科技有限公司",
        industry="新材料",
        leader_name="张副市长",
        units=[units["jm_fgw"]],
        signed_planned=dt.date(2026, 1, 10),
    )
    milestone_record(user=users["admin"], project=created, kind="signed", actual_date=dt.date(2026, 1, 10))
    created.refresh_from_db()
    return created


@pytest.fixture
def other_project(users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]) -> Any:
    """A project of 市经信局 (staff of 市发改委 must not see it)."""
    from luoshi.projects.services import project_create

    return project_create(
        user=users["admin"],
        region=regions["jingmen"],
        code="JM-2026-002",
        name="荆门智能装备产业园",
        level="park",
        investment="56000",
        units=[units["jm_jxj"]],
    )
