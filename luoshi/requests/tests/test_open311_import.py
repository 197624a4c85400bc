"""Open311 GeoReport v2 facade and the 12345 bulk import (all rows or none)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook

from luoshi.accounts.services import token_create
from luoshi.core.errors import ImportFailed
from luoshi.requests.models import Request
from luoshi.requests.services.imports import import_12345

pytestmark = pytest.mark.django_db


def test_open311_services_file_and_read(users: dict[str, Any]) -> None:
    key = token_create(user=users["admin"], name="open311")
    services = Client().get("/requests/open311/v2/services.json").json()
    assert {"service_code": "arrears"}.items() <= next(
        s for s in services if s["service_code"] == "arrears"
    ).items()
    anon = Client().get("/requests/open311/v2/requests.json")
    assert anon.status_code == 401 and anon.json()[0]["code"] == 401
    form = {
        "api_key": key,
        "service_code": "factors",
        "description": "园区天然气管网未接通,影响投产。",
        "first_name": "七",
        "last_name": "钱",
        "phone": "13512345678",
        "attribute[region_code]": "t420800",
        "attribute[external_id]": "PARK-9",
    }
    created = Client().post("/requests/open311/v2/requests.json", form)
    assert created.status_code == 201
    rid = created.json()[0]["service_request_id"]
    assert (
        Client().post("/requests/open311/v2/requests.json", form).status_code == 200
    )  # retried: same request
    assert Request.objects.count() == 1
    bad = Client().post("/requests/open311/v2/requests.json", {**form, "service_code": "nope"})
    assert bad.status_code == 400
    listed = Client().get("/requests/open311/v2/requests.json", {"api_key": key, "status": "open"}).json()
    assert [r["service_request_id"] for r in listed] == [rid] and "13512345678" not in str(listed)
    one = Client().get(f"/requests/open311/v2/requests/{rid}.json", {"api_key": key}).json()[0]
    assert one["service_code"] == "factors" and one["status"] == "open"
    other = token_create(user=users["admin_jz"], name="x")
    assert Client().get(f"/requests/open311/v2/requests/{rid}.json", {"api_key": other}).status_code == 404


def _xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(
        ["工单编号", "来电时间", "企业名称", "联系人", "联系电话", "诉求类别", "标题", "诉求内容", "区域代码"]
    )
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_12345_all_or_nothing(users: dict[str, Any]) -> None:
    good = [
        "GD20260001",
        "2026-05-08 09:30",
        "荆门戊食品有限公司",
        "孙八",
        "13811112222",
        "政策咨询",
        "补贴咨询",
        "咨询稳岗补贴政策。",
        "t420800",
    ]
    bad_phone = [
        "GD20260002",
        "2026-05-08 10:00",
        "荆门己公司",
        "周九",
        "12",
        "",
        "用电",
        "用电报装慢。",
        "t420800",
    ]
    bad_time = [
        "GD20260003",
        "昨天",
        "荆门庚公司",
        "吴十",
        "13811113333",
        "",
        "用水",
        "用水报装慢。",
        "t420800",
    ]
    with pytest.raises(ImportFailed) as err:
        import_12345(
            user=users["admin"], content=_xlsx([good, bad_phone, bad_time, good]), file_name="a.xlsx"
        )
    problems = {(p["row"], p["column"]) for p in err.value.details}
    assert problems == {(3, "联系电话"), (4, "来电时间"), (5, "工单编号")}
    assert not Request.objects.exists()
    result = import_12345(user=users["admin"], content=_xlsx([good]), file_name="a.xlsx")
    assert (result.created, result.existing) == (1, 0)
    again = import_12345(user=users["admin"], content=_xlsx([good]), file_name="a.xlsx")
    assert (again.created, again.existing) == (0, 1)
    req = Request.objects.get()
    assert req.channel == "hotline" and req.external_id == "GD20260001" and req.category == "consult"


def test_import_csv_in_gb18030(users: dict[str, Any]) -> None:
    text = "工单编号,企业名称,联系人,联系电话,标题,诉求内容,区域代码\nGD1,荆门辛公司,郑一,13822223333,标题,内容,t420800\n"
    result = import_12345(user=users["admin"], content=text.encode("gb18030"), file_name="export.csv")
    assert result.created == 1
    with pytest.raises(ImportFailed, match="缺少必需的列"):
        import_12345(user=users["admin"], content=b"a,b\n1,2\n", file_name="x.csv")
