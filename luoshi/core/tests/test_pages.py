from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "title", "sees", "hidden"),
    [
        ("admin", "营商办工作台", "组织机构", None),
        ("staff", "部门工作台", "督查督办", "组织机构"),
        ("leader", "领导驾驶舱", "监测分析", None),
        ("enterprise", "企业服务", "企业诉求", "督查督办"),
        ("observer", "观察员工作台", "企业诉求", "行动方案"),
    ],
)
def test_home_page_per_role(
    client: Client, users: dict[str, Any], username: str, title: str, sees: str, hidden: str | None
) -> None:
    client.force_login(users[username])
    html = client.get("/").content.decode()
    assert title in html and sees in html
    assert "您" in html
    if hidden:
        assert f">{hidden}<" not in html


def test_healthz(client: Client) -> None:
    assert client.get("/healthz").json() == {"ok": True}


def test_leaders_and_office_get_echarts_charts_others_do_not(client: Client, users: dict[str, Any]) -> None:
    for username, expected in (("leader", True), ("admin", True), ("staff", False), ("enterprise", False)):
        client.force_login(users[username])
        html = client.get("/").content.decode()
        assert ('id="task-colours"' in html) is expected, username
        assert ("vendor/echarts/echarts.min.js" in html) is expected, username
