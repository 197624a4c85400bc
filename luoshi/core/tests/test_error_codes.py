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

from luoshi.core import errors as core_errors
from luoshi.core.errors import DomainError, ErrorCodes, ValidationFailed

ROOT = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# the platform's refusals (DomainError and every subclass of it in luoshi.core.errors); a module's own subclass
# of one of them (policies.forms.FormEditError) counts too, and so does Django's PermissionDenied / Http404 when
# raised with a text of its own (a refusal the user reads, which should be an AccessDenied / NotFound with a code)
GENERIC = {cls.__name__ for cls in vars(core_errors).values() if isinstance(cls, type) and issubclass(cls, DomainError)}
DJANGO_REFUSALS = {"PermissionDenied", "Http404"}
# files (globs) checked per app: each app's services, access rules, selectors, and the edges that refuse (API,
# pages, commands, forms); a new app adds itself here once its errors.py covers them
EDGES = ["api.py", "views.py", "cli.py", "forms.py"]
CODED_APPS = {
    "accounts": EDGES,
    "calendar": EDGES,
    "directory": EDGES,
    "projects": ["services.py", "access.py", *EDGES],
    "dashboard": ["services.py", "access.py", "selectors.py", *EDGES],
    "plans": ["services.py", "access.py", "selectors.py", *EDGES],
    "policies": ["services.py", "access.py", "selectors.py", "importing.py", *EDGES],
    "requests": ["services/*.py", "access.py", "selectors.py", *EDGES],
    "supervision": ["services/*.py", "access.py", "selectors.py", *EDGES],
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


def _uncoded_refusals(path: Path, enum: str) -> list[int]:
    """Lines of `path` raising a refusal without ``code=<enum>.MEMBER`` (the app's own code)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    generic = GENERIC | {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id in GENERIC for b in node.bases)
    }
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in DJANGO_REFUSALS:
            if node.exc.args and isinstance(node.exc.args[0], ast.Constant | ast.JoinedStr):
                lines.append(node.lineno)
            continue
        if name not in generic:
            continue
        code = next((k.value for k in node.exc.keywords if k.arg == "code"), None)
        if not (isinstance(code, ast.Attribute) and isinstance(code.value, ast.Name) and code.value.id == enum):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("app", sorted(CODED_APPS))
def test_every_refusal_of_a_coded_app_carries_its_code(app: str) -> None:
    (enum,) = _enums()[app]
    missing = []
    paths = [path for pattern in CODED_APPS[app] for path in sorted((ROOT / app).glob(pattern))]
    for path in paths:
        name = path.relative_to(ROOT / app).as_posix()
        missing += [f"{app}/{name}:{line}" for line in _uncoded_refusals(path, enum.__name__)]
    assert not missing, f"raise with code={enum.__name__}.X: " + ", ".join(missing)


def test_the_guard_catches_an_uncoded_refusal(tmp_path: Path) -> None:
    source = tmp_path / "views.py"
    source.write_text(
        "class EditError(ValidationFailed): ...\n"
        "raise NotFound('未找到。')\n"  # 2: no code
        "raise NotFound(code=PlanError.PLAN_NOT_FOUND)\n"
        "raise DomainError('x', code=ErrorCode.INVALID)\n"  # 4: the kind, not the app's code
        "raise EditError('x')\n"  # 5: a subclass of a refusal
        "raise PermissionDenied('只有管理员可以。')\n"  # 6: Django's, with a text of its own
        "raise PermissionDenied(exc.message) from exc\n"  # a coded refusal handed on
        "raise ImportFailed(details=[], code=PlanError.IMPORT)\n",
        encoding="utf-8",
    )
    assert _uncoded_refusals(source, "PlanError") == [2, 4, 5, 6]


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
