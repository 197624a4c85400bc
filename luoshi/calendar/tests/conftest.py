from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    """Each test starts with no in-memory calendars (the version token would catch changes anyway)."""
    from luoshi.calendar import services

    services.clear_cache()
    yield
    services.clear_cache()


NOTICE_2027 = """
title = "国务院办公厅关于2027年部分节假日安排的通知(测试)"
source = "测试文号"
covers_year = 2027

[[days]]
date = "2027-01-01"
until = "2027-01-03"
kind = "holiday"
name = "元旦"

[[days]]
date = "2027-02-05"
until = "2027-02-11"
kind = "holiday"
name = "春节"

[[days]]
date = "2027-02-13"
kind = "workday"
name = "春节调休上班"
"""
