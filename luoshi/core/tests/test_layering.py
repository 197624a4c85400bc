"""Rules of the house that a grep can check: roles are compared only in access modules; no module list or
importlib seam decides silently what is installed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # luoshi/

ROLE_COMPARISON = re.compile(
    r"""\.role\s*(==|!=|\bin\b|\bnot\s+in\b)"""  # user.role == ..., user.role in (...)
    r"""|(==|!=)\s*Role\.[A-Z]"""  # ... == Role.ADMIN
    r"""|Role\.[A-Z]+\s*(==|!=)"""  # Role.ADMIN == ...
    r"""|\brole\s*(==|!=)\s*Role\."""  # role == Role.X
    r"""|(==|!=)\s*["'](admin|staff|leader|enterprise|observer)["']"""  # == "admin"
)


# access modules not named access.py: the audit trail's scoping per subject type (the hardening issue's)
ACCESS_MODULES = {"audit/scopes.py"}


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
