"""App discovery: each luoshi app declares, on its ``AppConfig``, the modules it contributes (its CLI, its
API router, its home cards, its demo step, its audit event types). The CLI, the API, the home page and the
demo read these declarations; there is no hand-kept list of modules. A declared module that cannot be
imported fails loudly (``ImproperlyConfigured``) instead of being skipped.

Declarations are class attributes, read without ``django.setup()`` (the CLI builds its parser before it
knows whether a command needs the database)::

    from luoshi.core import discovery   # the module: `from ... import LuoshiAppConfig` would put a second
                                        # AppConfig subclass in apps.py and Django would pick neither

    class RequestsConfig(discovery.LuoshiAppConfig):
        name = "luoshi.requests"
        label = "enterprise_requests"
        cli_module = "luoshi.requests.cli"        # register(subparsers)
        api_module = "luoshi.requests.api"        # `router`, mounted at /api/<api_prefix>/
        api_prefix = "requests"
        home_module = "luoshi.requests.home"      # cards_for(user) [, charts_for(user)]
        demo_module = "luoshi.requests.demo"      # load(ctx) -> str
        demo_order = 60                           # demo steps run by ascending order
        events_module = "luoshi.requests.events"  # Event enums (audit event types)
        metrics_module = "luoshi.requests.metrics"  # SOURCES for the dashboard
        nav_module = "luoshi.requests.nav"        # NAV entries (and badges) for the navigation bar
        audit_scope_module = "luoshi.requests.audit_scopes"  # SCOPES: whose audit history a user may read
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Literal

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured

Hook = Literal[
    "cli_module",
    "api_module",
    "home_module",
    "demo_module",
    "events_module",
    "metrics_module",
    "nav_module",
    "audit_scope_module",
]


class LuoshiAppConfig(AppConfig):
    """Base of every luoshi app's config; the hooks are optional (None: the app contributes nothing)."""

    cli_module: str | tuple[str, ...] | None = None  # one module or several (core: the CLI and backup)
    api_module: str | None = None
    api_prefix: str = ""
    home_module: str | None = None
    demo_module: str | None = None
    demo_order: int = 100
    events_module: str | None = None
    metrics_module: str | None = None  # the dashboard's figures: SOURCES (luoshi.dashboard.providers)
    nav_module: str | None = None  # NAV: list[luoshi.core.nav.NavItem] [, context(user) -> dict]
    audit_scope_module: str | None = None  # SCOPES: {subject type: scope(user)} (luoshi.audit.scopes)


def _installed_apps() -> list[str]:
    """INSTALLED_APPS once settings are loaded. Before that (the CLI builds its parser first) every luoshi
    package with an ``apps.py``: reading settings here would load them before a command such as
    ``serve --prod`` has set the environment they depend on (a test checks both lists agree)."""
    conf = sys.modules.get("django.conf")  # not imported: not configured either (and django.conf pulls in asyncio)
    if conf is not None and conf.settings.configured:
        return [str(name) for name in conf.settings.INSTALLED_APPS]
    return package_apps()


def package_apps() -> list[str]:
    root = Path(__file__).resolve().parents[1]
    return sorted(f"luoshi.{p.parent.name}" for p in root.glob("*/apps.py"))


def app_configs() -> list[type[LuoshiAppConfig]]:
    """The config class of every installed luoshi app, in INSTALLED_APPS order (no django.setup needed)."""
    out: list[type[LuoshiAppConfig]] = []
    for entry in _installed_apps():
        if not entry.startswith("luoshi."):
            continue
        # Django's own lookup ("luoshi.x" or "luoshi.x.apps.XConfig"; the one AppConfig of apps.py), which reads
        # no settings and registers nothing: the class is all that is needed
        cls = type(AppConfig.create(entry))
        if not issubclass(cls, LuoshiAppConfig):
            raise ImproperlyConfigured(
                f"{cls.__qualname__} ({entry}) must subclass luoshi.core.discovery.LuoshiAppConfig"
            )
        out.append(cls)
    return out


def _import_declared(cfg: type[LuoshiAppConfig], hook: Hook, name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            raise ImproperlyConfigured(
                f"{cfg.__qualname__} declares {hook} = {name!r}, but that module does not exist"
            ) from exc
        raise


def declared(hook: Hook) -> list[tuple[type[LuoshiAppConfig], ModuleType]]:
    """(config, imported module) of every app declaring `hook`; demo steps sorted by ``demo_order``."""
    configs = app_configs()
    if hook == "demo_module":
        configs = sorted(configs, key=lambda c: c.demo_order)
    out = []
    for cfg in configs:
        names = getattr(cfg, hook)
        for name in (names,) if isinstance(names, str) else names or ():
            out.append((cfg, _import_declared(cfg, hook, name)))
    return out


def declared_modules(hook: Hook) -> list[ModuleType]:
    return [module for _, module in declared(hook)]
