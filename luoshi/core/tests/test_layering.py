"""Rules of the house that a parse or a grep can check: imports follow the layers (declared once, below); roles
are compared only in access modules; no module list or importlib seam decides silently what is installed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # luoshi/

ROLE_COMPARISON = re.compile(
    r"""\.role\s*(==|!=|\bin\b|\bnot\s+in\b)"""  # user.role == ..., user.role in (...)
    r"""|(==|!=)\s*Role\.[A-Z]"""  # ... == Role.ADMIN
    r"""|Role\.[A-Z]+\s*(==|!=)"""  # Role.ADMIN == ...
    r"""|\brole\s*(==|!=)\s*Role\."""  # role == Role.X
    r"""|(==|!=)\s*["'](admin|staff|leader|enterprise|observer)["']"""  # == "admin"
)


# access modules not named access.py (none: each app's audit_scopes.py uses its access predicates)
ACCESS_MODULES: set[str] = set()


def _sources(*suffixes: str) -> list[Path]:
    return [
        p
        for p in ROOT.rglob("*")
        if p.suffix in suffixes and "/tests/" not in str(p) and "/migrations/" not in str(p)
    ]


def test_roles_are_compared_only_in_access_modules() -> None:
    offenders = []
    for path in _sources(".py", ".html"):
        if path.name == "access.py" or str(path.relative_to(ROOT)) in ACCESS_MODULES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if ROLE_COMPARISON.search(line) or (path.suffix == ".html" and "user.role" in line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "compare roles only in <app>/access.py:\n" + "\n".join(offenders)


def test_the_guard_catches_a_role_comparison() -> None:
    for line in (
        'if user.role == "admin":',
        "if user.role in (Role.ADMIN, Role.LEADER):",
        "x = Role.STAFF == r",
    ):
        assert ROLE_COMPARISON.search(line), line
    assert not ROLE_COMPARISON.search("require_role(user, Role.ADMIN)")


def test_no_importlib_seam_outside_discovery() -> None:
    allowed = {"core/discovery.py"}
    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources(".py")
        if "importlib.import_module" in p.read_text(encoding="utf-8")
        and str(p.relative_to(ROOT)) not in allowed
        and "/parser/" not in str(p)
    ]
    assert not offenders, offenders


GUARDED_APP_IMPORT = re.compile(r"try:\s*\n(\s+(from luoshi\.|import luoshi\.)[^\n]*\n)+\s*except ImportError")


def test_no_luoshi_import_guarded_by_import_error() -> None:
    """An app reaches another through a plain import: a `try: from luoshi… except ImportError` fallback would
    silently do nothing (send no notification, say) when the other app is renamed or missing."""
    offenders = [
        str(p.relative_to(ROOT)) for p in _sources(".py") if GUARDED_APP_IMPORT.search(p.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders
    assert GUARDED_APP_IMPORT.search("try:\n    from luoshi.notifications.services import notify\nexcept ImportError:\n")


SUBTREE_REIMPLEMENTATION = re.compile(
    r"""path__startswith|region\.path\.startswith|\.path\.strip\(["']/["']\)"""
)


def test_one_region_subtree_helper() -> None:
    """Region ancestry and subtrees are computed only in luoshi.accounts.access (and the pure orgs.paths)."""
    allowed = {"accounts/access.py", "orgs/paths.py"}
    offenders = []
    for path in _sources(".py"):
        if str(path.relative_to(ROOT)) in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if SUBTREE_REIMPLEMENTATION.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "use luoshi.accounts.access (subtree_q, region_ancestor_ids ...):\n" + "\n".join(
        offenders
    )


# --- layers: declared once, checked on every import -----------------------------------------------------------
# Lowest first. A module may import its own app and any app of a LOWER layer; never one of its own layer (no
# two domains know each other) or of a higher one. Every import counts: module level, inside a function and under
# TYPE_CHECKING alike. The kernel (core … notifications, directory) knows no domain; domains reach each other only
# through the kernel's hooks (discovery, plans.hooks.plan_published, dashboard.providers via each app's metrics.py).
LAYERS: list[tuple[str, ...]] = [
    ("core",),  # errors, events, discovery, imports, nav and home registries: imports no other luoshi app
    ("audit",),  # recording the trail; whose history one may read comes from each app's audit_scope_module
    ("orgs",),  # regions, units, enterprises: the directory's models, file format and matching rules
    ("accounts",),  # people in units, roles, the access kernel
    ("calendar", "notifications", "directory"),  # directory: the org directory's checked pages, API, commands
    ("plans", "dashboard"),  # upstream of supervision; the dashboard's provider protocol for every metrics.py
    ("supervision", "projects", "requests", "policies"),
    ("api", "cli"),  # luoshi/*.py: the composition root, which reads the apps' declarations
    ("urls", "settings", "wsgi"),
]
LAYER = {name: level for level, names in enumerate(LAYERS) for name in names}

# Imports still running against the layers. Shrink-only: a test fails when an entry is no longer needed.
KNOWN_TIES: dict[tuple[str, str], str] = {}


def _app_of(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imports(path: Path) -> list[tuple[int, str]]:
    import ast

    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
            out += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return out


def upward_imports() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) -> 'file:line module' of every import breaking the layers."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in _sources(".py"):
        source = _app_of(path)
        for line, module in _imports(path):
            if not module.startswith("luoshi.") or module.count(".") < 1:
                continue
            target = module.split(".")[1]
            if target == source or target not in LAYER:
                continue
            assert source in LAYER, f"{path.relative_to(ROOT)}: app {source!r} is missing from LAYERS"
            if LAYER[target] >= LAYER[source]:
                where = f"{path.relative_to(ROOT)}:{line} {module}"
                found.setdefault((source, target), []).append(where)
    return found


def test_every_app_has_a_layer() -> None:
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {
        p.stem for p in ROOT.glob("*.py") if p.stem != "__init__"
    }
    assert apps <= set(LAYER), sorted(apps - set(LAYER))


def test_no_import_runs_from_a_lower_layer_to_a_higher_one() -> None:
    found = upward_imports()
    new = {pair: sites for pair, sites in found.items() if pair not in KNOWN_TIES}
    assert not new, (
        "imports against the layers (lowest first: "
        + " < ".join("/".join(n) for n in LAYERS)
        + "):\n"
        + "\n".join(f"{a} -> {b}: " + "; ".join(sites) for (a, b), sites in sorted(new.items()))
    )
    stale = set(KNOWN_TIES) - set(found)
    assert not stale, f"remove these from KNOWN_TIES, they are gone: {sorted(stale)}"


def test_the_layer_guard_catches_an_upward_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "luoshi"
    (fake / "core").mkdir(parents=True)
    (fake / "supervision").mkdir()
    (fake / "core" / "home.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from luoshi.supervision.models import Task\n",
        encoding="utf-8",
    )
    (fake / "supervision" / "views.py").write_text(
        "def f():\n    from luoshi.projects import selectors\n", encoding="utf-8"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", fake)
    assert set(upward_imports()) == {("core", "supervision"), ("supervision", "projects")}
