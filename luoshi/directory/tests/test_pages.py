"""Directory pages: administrators maintain, leaders read, everyone else is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from luoshi.audit.models import AuditEvent
from luoshi.directory.tests.conftest import csv_bytes
from luoshi.orgs.models import Unit, UnitAlias


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["admin", "leader"])
def test_directory_is_readable_by_admins_and_leaders(
    who: str, users: dict[str, Any], units: dict[str, Any]
) -> None:
    response = _client(users[who]).get(reverse("orgs:index"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "荆门市发展和改革委员会" in text and "市发改委" in text
    assert "荆州市发展和改革委员会" not in text
    detail = _client(users[who]).get(reverse("orgs:unit", args=[units["jm_fgw"].pk]))
    assert detail.status_code == 200 and "变更记录" in detail.content.decode()
    assert ("添加别名" in detail.content.decode()) == (who == "admin")


@pytest.mark.parametrize("who", ["staff", "enterprise", "observer"])
def test_directory_pages_refuse_other_roles(who: str, users: dict[str, Any], units: dict[str, Any]) -> None:
    client = _client(users[who])
    for url in (
        reverse("orgs:index"),
        reverse("orgs:unit", args=[units["jm_fgw"].pk]),
        reverse("orgs:import"),
        reverse("orgs:export"),
        reverse("orgs:confirm"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "无权" in response.content.decode()


def test_anonymous_is_sent_to_login(db: Any) -> None:
    response = Client().get(reverse("orgs:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_other_city_unit_is_not_found_for_a_jingmen_leader(
    users: dict[str, Any], units: dict[str, Any]
) -> None:
    assert _client(users["leader"]).get(reverse("orgs:unit", args=[units["jz_fgw"].pk])).status_code == 404


def test_search_and_unverified_filter(
    users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]
) -> None:
    Unit.objects.create(region=regions["jingmen"], name="市城控集团", verified=False)
    client = _client(users["leader"])
    text = client.get(reverse("orgs:index"), {"q": "经信"}).content.decode()
    assert "荆门市经济和信息化局" in text and "荆门市发展和改革委员会" not in text
    text = client.get(reverse("orgs:index"), {"unverified": "1", "region": "t420800"}).content.decode()
    assert "市城控集团" in text and "荆门市经济和信息化局" not in text


def test_admin_adds_alias_through_the_page(users: dict[str, Any], units: dict[str, Any]) -> None:
    unit = units["jm_fgw"]
    response = _client(users["admin"]).post(
        reverse("orgs:alias_add", args=[unit.pk]), {"alias": "市发展改革委"}
    )
    assert response.status_code == 302
    assert UnitAlias.objects.filter(unit=unit, alias="市发展改革委").exists()
    event = AuditEvent.objects.get(action="unit.alias_added")
    assert event.interface == "page" and event.actor == users["admin"]


def test_leader_cannot_post_changes(users: dict[str, Any], units: dict[str, Any]) -> None:
    unit = units["jm_fgw"]
    client = _client(users["leader"])
    response = client.post(reverse("orgs:alias_add", args=[unit.pk]), {"alias": "发改"})
    assert response.status_code == 403 and "无权" in response.content.decode()
    response = client.post(reverse("orgs:unit_verify", args=[unit.pk]), {"name": "改名"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="unit.").exists()


def test_verify_page_flow(users: dict[str, Any], regions: dict[str, Any]) -> None:
    unit = Unit.objects.create(region=regions["jingmen"], name="市城管委", verified=False)
    client = _client(users["admin"])
    response = client.post(
        reverse("orgs:unit_verify", args=[unit.pk]),
        {"name": "荆门市城市管理执法委员会", "version": unit.version},
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.verified and unit.name == "荆门市城市管理执法委员会"
    # A stale form is refused with a message, not applied.
    response = client.post(
        reverse("orgs:unit_verify", args=[unit.pk]), {"name": "别的名字", "version": 1}, follow=True
    )
    assert "刚被其他人修改" in response.content.decode()


def test_confirm_page_resolves_and_confirms(users: dict[str, Any], units: dict[str, Any]) -> None:
    client = _client(users["admin"])
    text = client.get(reverse("orgs:confirm"), {"name": "市招商局", "region": "t420800"}).content.decode()
    assert "未知" in text and "确认加入目录" in text
    response = client.post(reverse("orgs:confirm"), {"name": "市招商局", "region": "t420800"})
    assert response.status_code == 302
    assert Unit.objects.get(name="市招商局").verified is False
    leader_text = _client(users["leader"]).get(reverse("orgs:confirm"), {"name": "市发改委"}).content.decode()
    assert "荆门市发展和改革委员会" in leader_text and "确认加入目录" not in leader_text


def test_import_page_lists_problems_by_row_and_column(users: dict[str, Any], regions: dict[str, Any]) -> None:
    rows = [["t420800", "荆门市", "", "市(州)", "t420000", "荆门市财政局", "不知道", "", "是", ""]]
    client = _client(users["admin"])
    response = client.post(reverse("orgs:import"), {"file": _upload(csv_bytes(rows, encoding="gbk"))})
    assert response.status_code == 400
    text = response.content.decode()
    assert "单位类别" in text and "不知道" in text and "未写入任何数据" in text
    assert not Unit.objects.filter(name="荆门市财政局").exists()
    rows[0][6] = "政府部门"
    response = client.post(reverse("orgs:import"), {"file": _upload(csv_bytes(rows))})
    assert response.status_code == 200 and "导入成功" in response.content.decode()


def test_import_page_refuses_leaders(users: dict[str, Any]) -> None:
    client = _client(users["leader"])
    assert client.get(reverse("orgs:import")).status_code == 403
    assert client.post(reverse("orgs:import"), {"file": _upload(b"x")}).status_code == 403


def test_export_downloads(users: dict[str, Any], units: dict[str, Any]) -> None:
    client = _client(users["leader"])
    response = client.get(reverse("orgs:export"), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "荆门市发展和改革委员会" in response.content.decode("utf-8-sig")
    response = client.get(reverse("orgs:export"), {"format": "xlsx", "region": "t420800"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client.get(reverse("orgs:export"), {"region": "t421000"}).status_code == 403


def test_index_query_count_does_not_grow_with_units(
    users: dict[str, Any], regions: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        unit = Unit.objects.create(region=regions["jingmen"], name=f"荆门市第{i}局")
        UnitAlias.objects.create(unit=unit, region=regions["jingmen"], alias=f"市{i}局")
    client = _client(users["leader"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("orgs:index")).status_code == 200


def _upload(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("目录.csv", data, content_type="text/csv")


def test_django_admin_is_read_only(units: dict[str, Any]) -> None:
    from luoshi.accounts.models import User

    root = User.objects.create_superuser(username="root", password="Root-password-2025")
    client = _client(root)
    assert client.get("/admin/orgs/unit/").status_code == 200
    assert client.get(f"/admin/orgs/unit/{units['jm_fgw'].pk}/change/").status_code == 200
    assert client.get("/admin/orgs/unit/add/").status_code == 403
