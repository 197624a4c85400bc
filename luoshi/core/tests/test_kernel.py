"""The kernel's shared pieces: app discovery fails loudly, every audit event has a Chinese label, the
importer reports every problem and writes nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from luoshi.core import discovery, events, imports
from luoshi.core.errors import ImportFailed, ValidationFailed

ROOT = Path(__file__).resolve().parents[2]


def test_every_app_declares_its_hooks_and_a_missing_module_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configs = {c.label: c for c in discovery.app_configs()}
    assert configs["supervision"].cli_module == "luoshi.supervision.cli"
    assert [c.label for c, _ in discovery.declared("demo_module")][:3] == ["directory", "accounts", "plans"]
    monkeypatch.setattr(configs["projects"], "home_module", "luoshi.projects.no_such_home")
    with pytest.raises(ImproperlyConfigured, match="no_such_home"):
        discovery.declared("home_module")


def test_cli_api_home_and_demo_come_from_the_declarations() -> None:
    from luoshi.api import api
    from luoshi.cli import build_parser

    commands: Any = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for cfg, _ in discovery.declared("cli_module"):
        assert cfg.cli_module
    assert {"calendar", "supervision", "projects"} <= set(commands)
    mounted = {prefix.strip("/") for prefix, _ in api._routers}
    assert {c.api_prefix for c, _ in discovery.declared("api_module")} <= mounted


def test_every_recorded_audit_action_is_a_declared_event_with_a_label() -> None:
    declared = events.all_events()
    assert declared["task.created"].label == "生成任务"
    assert events.event_label("calendar.correction_added") == "新增节假日调整"
    assert all(member.label for member in declared.values())
    # no free string reaches audit.record: every `action="x.y"` literal in services is gone
    literal = re.compile(r'action="[a-z_]+\.[a-z_]+"')
    offenders = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.py")
        if "/tests/" not in str(p)
        and "/migrations/" not in str(p)
        and literal.search(p.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders


def _event_references() -> set[tuple[str, str, str]]:
    """(file, enum name, member) of every ``SomethingEvent.MEMBER`` written in the code (tests and migrations
    excluded), read with ast."""
    import ast

    found = set()
    for path in ROOT.rglob("*.py"):
        text = str(path)
        if "/tests/" in text or "/migrations/" in text:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id.endswith("Event")
                and node.attr.isupper()
            ):
                found.add((str(path.relative_to(ROOT)), node.value.id, node.attr))
    return found


def test_every_event_used_anywhere_is_a_kernel_event_with_a_chinese_label() -> None:
    """Each app's events module holds ``luoshi.core.events.Event`` enums only (no TextChoices, no StrEnum with a
    side dict of labels), every member has a Chinese label, and every ``XEvent.MEMBER`` the code uses exists."""
    from enum import Enum

    enums: dict[str, type[events.Event]] = {}
    for module in discovery.declared_modules("events_module"):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Enum) and value.__module__ == module.__name__:
                assert issubclass(value, events.Labelled), f"{module.__name__}.{value.__name__} is no kernel enum"
        for enum in events.event_types(module):
            enums[enum.__name__] = enum
    assert {"RequestEvent", "PolicyEvent", "SupervisionEvent", "ProjectEvent"} <= set(enums)
    declared = events.all_events()
    chinese = re.compile(r"[\u4e00-\u9fff]")
    unlabelled = [v for v, m in declared.items() if not chinese.search(m.label)]
    assert not unlabelled, f"audit events without a Chinese label: {unlabelled}"
    missing = [
        f"{path}: {name}.{member}"
        for path, name, member in sorted(_event_references())
        if name in enums and member not in enums[name].__members__
    ]
    assert not missing, missing
    unknown = sorted({name for _, name, _ in _event_references()} - set(enums) - {"AuditEvent", "DeclaredEvent"})
    assert not unknown, f"event enums not declared through an events_module: {unknown}"
    # stored values are unchanged (data compatibility) and shown by their label
    assert events.event_label("request.paused") == "补正暂停"
    assert events.event_label("policy.batch_paid") == "兑现清单"


@pytest.mark.django_db
def test_importer_reports_every_problem_and_writes_nothing(regions: dict[str, Any]) -> None:
    from luoshi.orgs.models import Unit

    problems = imports.Problems(columns=["单位全称", "区域代码"])
    problems.add(3, "区域代码", "区域代码为空。")
    problems.add(2, "区域代码", "b")
    problems.add(2, "单位全称", "a")
    with pytest.raises(ImportFailed) as info:
        problems.raise_if_any()
    assert [(d["row"], d["column"]) for d in info.value.details] == [
        (2, "单位全称"),
        (2, "区域代码"),
        (3, "区域代码"),
    ]

    problems = imports.Problems()
    with pytest.raises(ImportFailed) as info, imports.all_or_nothing(problems):
        Unit.objects.create(region=regions["jingmen"], name="写入后应撤销的单位")
        with problems.catching(5, "单位全称"):
            raise ValidationFailed("单位全称不能为空。")
    assert info.value.details == [{"row": 5, "column": "单位全称", "message": "单位全称不能为空。"}]
    assert "1 处问题" in info.value.message
    assert not Unit.objects.filter(name="写入后应撤销的单位").exists()


def test_django_uses_each_apps_declared_config() -> None:
    from django.apps import apps

    for cfg in discovery.app_configs():
        assert type(apps.get_app_config(cfg.label)) is cfg, cfg
    assert apps.get_app_config("supervision").verbose_name == "督查督办"


def test_the_cli_discovers_apps_without_loading_settings() -> None:
    """`luoshi serve --prod` sets environment variables before settings load: building the parser must not
    load them (it did once, and production pages answered 500 for a missing static manifest)."""
    import subprocess
    import sys

    from django.conf import settings

    installed = sorted(a for a in settings.INSTALLED_APPS if a.startswith("luoshi."))
    assert discovery.package_apps() == installed
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'luoshi.settings'\n"
        "from luoshi.cli import build_parser; build_parser()\n"
        "from django.conf import settings; print(settings.configured)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_audit_trail_shows_every_declared_event_by_its_label() -> None:
    """The audit page's labels and filter come from the apps' event enums (requests and policies included)."""
    from luoshi.audit.presentation import action_choices, action_label

    choices = dict(action_choices())
    chinese = re.compile(r"[\u4e00-\u9fff]")
    for value in events.all_events():
        assert chinese.search(action_label(value)) and choices[value] == action_label(value), value
    assert action_label("request.paused") == "补正暂停"
    assert action_label("no.such_action") == "no.such_action"
