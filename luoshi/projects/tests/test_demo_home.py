"""The demo step (idempotent, all three colours) and the home cards."""

from __future__ import annotations

import io
from typing import Any

import pytest

from luoshi.core.home import home_cards
from luoshi.projects.models import Project

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_shows_every_colour(regions: dict[str, Any]) -> None:
    from luoshi.core.demo import DemoContext, DemoOptions
    from luoshi.directory.services import region_create
    from luoshi.orgs.models import RegionLevel, Unit
    from luoshi.projects import demo

    jingmen = region_create(code="420800", name="荆门市", level=RegionLevel.CITY, parent=regions["hubei"])
    for name in ("荆门市发展和改革委员会", "荆门市经济和信息化局", "荆门市自然资源和规划局"):
        Unit.objects.create(region=jingmen, name=name)
    ctx = DemoContext(options=DemoOptions(projects=16), out=io.StringIO())
    first = demo.load(ctx)
    assert "新建 16 个" in first
    colours = set(Project.objects.filter(region=jingmen).values_list("colour", flat=True))
    assert {"red", "yellow", "green"} <= colours
    snapshot = list(Project.objects.order_by("code").values_list("code", "name", "colour", "version"))
    second = demo.load(DemoContext(options=DemoOptions(projects=16), out=io.StringIO()))
    assert "新建 0 个" in second
    assert list(Project.objects.order_by("code").values_list("code", "name", "colour", "version")) == snapshot


def test_home_cards(project: Project, users: dict[str, Any]) -> None:
    admin_cards = {c.label: c for c in home_cards(users["admin"])}
    assert admin_cards["重大项目红灯"].value == 1 and admin_cards["重大项目红灯"].tone == "red"
    staff_labels = {c.label for c in home_cards(users["staff"])}
    assert "待解决的项目问题" in staff_labels
    assert not any(c.label.startswith("重大项目") for c in home_cards(users["enterprise"]))
