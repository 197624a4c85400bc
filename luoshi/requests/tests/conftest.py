"""Fixtures: helpers that drive a request through the loop with the real services."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _files_dir(tmp_path: Any, settings: Any) -> None:
    settings.FILES_DIR = tmp_path / "files"


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """`at(datetime)` sets the clock every service reads (django.utils.timezone.now)."""
    from django.utils import timezone

    def set_now(moment: dt.datetime) -> None:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=SH)
        monkeypatch.setattr(timezone, "now", lambda: aware)

    return set_now


def form(**overrides: Any) -> Any:
    from luoshi.requests.services import RequestInput

    data: dict[str, Any] = {
        "enterprise_name": "荆门甲科技有限公司",
        "contact_name": "张三",
        "contact_phone": "13800138000",
        "title": "厂房消防验收迟迟未办理",
        "text": "我公司新建厂房已于上月提交消防验收申请,至今未安排现场验收,影响投产。",
    }
    data.update(overrides)
    return RequestInput(**data)


@pytest.fixture
def file_request(users: dict[str, Any]) -> Callable[..., Any]:
    from luoshi.requests.services import request_file

    def make(user: Any = None, **overrides: Any) -> Any:
        req, _ = request_file(user=user or users["enterprise"], data=form(**overrides))
        return req

    return make


@pytest.fixture
def assigned(
    users: dict[str, Any], units: dict[str, Any], file_request: Callable[..., Any]
) -> Callable[..., Any]:
    """A request accepted (平急) and routed to 市发改委 (the `staff` user's unit)."""
    from luoshi.requests import services

    def make(**overrides: Any) -> Any:
        req = file_request(**overrides)
        req = services.request_accept(user=users["admin"], request=req, urgency="normal")
        return services.request_assign(user=users["admin"], request=req, lead_unit=units["jm_fgw"])

    return make


@pytest.fixture
def signed(users: dict[str, Any], assigned: Callable[..., Any]) -> Callable[..., Any]:
    from luoshi.requests import services

    def make(**overrides: Any) -> Any:
        return services.request_sign(user=users["staff"], request=assigned(**overrides))

    return make
