"""Fixtures for the project ledger: a project in 荆门市 with 市发改委 responsible, signed on a fixed date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest


@pytest.fixture
def project(users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]) -> Any:
    from luoshi.projects.services import project_create

    return project_create(
        user=users["admin"], region=regions["jingmen"], code="JM-2026-001", name="荆门新材料产业园一期",
        level="city", investment="120000", owner_name="荆门甲科技有限公司", industry="新材料",
        leader_name="张副市长", units=[units["jm_fgw"]], signed_planned=dt.date(2026, 1, 10),
    )


@pytest.fixture
def other_project(users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]) -> Any:
    """A project of 市经信局 (staff of 市发改委 must not see it)."""
    from luoshi.projects.services import project_create

    return project_create(
        user=users["admin"], region=regions["jingmen"], code="JM-2026-002", name="荆门智能装备产业园",
        level="park", investment="56000", units=[units["jm_jxj"]],
    )
