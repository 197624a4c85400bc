"""Error codes per domain app: each ``<app>/errors.py`` holds one ``ErrorCodes`` enum with a Chinese message per
member; the app's services pass one with every refusal they raise; the API answers it as ``reason`` beside the
kind (``code``) so a client can tell the cases apart."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from luoshi.core.errors import DomainError, ErrorCodes, ValidationFailed

ROOT = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
GENERIC = {"AccessDenied", "NotFound", "ValidationFailed", "InvalidTransition", "Conflict"}
# apps whose services and access rules pass an app code with every refusal, with the files (globs) checked; a new
# domain app adds itself here once its errors.py covers its services
CODED_APPS = {
    "projects": ["services.py", "access.py"],
    "dashboard": ["services.py", "access.py", "selectors.py"],
    "plans": ["services.py", "access.py", "selectors.py"],
    "policies": ["services.py", "access.py", "selectors.py", "importing.py"],
    "requests": ["services/*.py", "access.py", "selectors.py"],
    "supervision": ["services/*.py", "access.py", "selectors.py"],
}


def _enums() -> dict[str, list[type[ErrorCodes]]]:
    out = {}
    for path in sorted(ROOT.glob("*/errors.py")):
        app = path.parent.name
        if app == "core":
            continue
        module = importlib.import_module(f"luoshi.{app}.errors")
        out[app] = [
            v
            for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, ErrorCodes) and v is not ErrorCodes
        ]
    return out


def test_every_error_code_has_a_chinese_message_and_the_apps_prefix() -> None:
    enums = _enums()
    assert set(CODED_APPS) <= set(enums)
    seen: set[str] = set()
    for app, classes in enums.items():
        assert len(classes) == 1, f"{app}/errors.py: one ErrorCodes enum per app"
        for member in classes[0]:
            assert CHINESE.search(member.message), f"{member.value}: no Chinese message"
            assert member.value.startswith(f"{app}."), member.value
            assert member.value not in seen
            seen.add(member.value)


@pytest.mark.parametrize("app", sorted(CODED_APPS))
def test_every_refusal_of_a_coded_app_carries_its_code(app: str) -> None:
    missing = []
    paths = [path for pattern in CODED_APPS[app] for path in sorted((ROOT / app).glob(pattern))]
    assert len(paths) >= len(CODED_APPS[app]), f"{app}: a listed file is missing"
    for path in paths:
        name = path.relative_to(ROOT / app).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and isinstance(node.exc.func, ast.Name)
                and node.exc.func.id in GENERIC
                and not any(k.arg == "code" for k in node.exc.keywords)
            ):
                missing.append(f"{app}/{name}:{node.lineno}")
    assert not missing, "raise with code=<App>Error.X: " + ", ".join(missing)


def test_a_code_gives_its_message_and_the_kind_stays() -> None:
    from luoshi.projects.errors import ProjectError

    exc = ValidationFailed(code=ProjectError.TERMINATED)
    assert exc.message == ProjectError.TERMINATED.message
    assert exc.as_dict() == {"code": "invalid", "reason": "projects.terminated", "message": exc.message}
    assert DomainError("x").as_dict() == {"code": "invalid", "message": "x"}


@pytest.mark.django_db
def test_the_api_returns_the_apps_code(users: dict[str, Any], regions: dict[str, Any]) -> None:
    client = Client()
    client.force_login(users["admin"])
    body = {"code": "API-1", "name": "", "region_id": regions["jingmen"].pk}
    response = client.post("/api/projects/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and response.json()["reason"] == "projects.name_invalid"
    assert response.json()["message"] == "请填写项目名称。"


@pytest.mark.django_db
def test_the_coded_apps_services_refuse_with_their_code_and_their_message(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    from luoshi.core.errors import AccessDenied, NotFound
    from luoshi.plans.selectors import plan_get
    from luoshi.policies.services import policy_create
    from luoshi.requests.services.privacy import retention_set
    from luoshi.supervision.access import require_office

    jm = regions["jingmen"]
    with pytest.raises(ValidationFailed) as caught:
        retention_set(user=users["admin"], region=jm, days=5)
    assert (caught.value.reason, caught.value.message) == ("requests.retention_invalid", "保留期限应为 30 至 3650 天。")
    with pytest.raises(AccessDenied) as denied:
        retention_set(user=users["staff"], region=jm, days=90)
    assert denied.value.reason == "requests.office_only"
    with pytest.raises(ValidationFailed) as caught:
        policy_create(actor=users["admin"], region=jm, title="")
    assert (caught.value.reason, caught.value.message) == ("policies.policy_name_missing", "请填写政策名称。")
    with pytest.raises(AccessDenied) as denied:
        require_office(users["staff"], None, "下发任务")
    assert denied.value.reason == "supervision.office_only"
    assert denied.value.as_dict()["code"] == "forbidden"
    with pytest.raises(NotFound) as missing:
        plan_get(users["admin"], 999_999)
    assert (missing.value.reason, missing.value.message) == ("plans.plan_not_found", "没有找到该方案,或您无权查看。")
