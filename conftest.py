"""Shared test fixtures: a small org directory, one user per role, and a real browser.

Per-app fixtures live in `luoshi/<app>/tests/conftest.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("LUOSHI_TESTING", "1")
# Playwright's sync API runs an event loop; Django must allow ORM calls from the test thread anyway.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TEST_PASSWORD = "Test-password-2025"  # noqa: S105 - test accounts only


@pytest.fixture
def regions(db: Any) -> dict[str, Any]:
    """湖北省 > 荆门市, 荆州市 (so the same alias can live in two cities)."""
    from luoshi.directory.services import region_create
    from luoshi.orgs.models import RegionLevel

    hubei = region_create(code="t420000", name="湖北省", level=RegionLevel.PROVINCE)
    jingmen = region_create(code="t420800", name="荆门市", level=RegionLevel.CITY, parent=hubei)
    jingzhou = region_create(code="t421000", name="荆州市", level=RegionLevel.CITY, parent=hubei)
    return {"hubei": hubei, "jingmen": jingmen, "jingzhou": jingzhou}


@pytest.fixture
def units(regions: dict[str, Any]) -> dict[str, Any]:
    from luoshi.orgs.models import Unit, UnitAlias

    def make(region: Any, name: str, *aliases: str) -> Unit:
        unit = Unit.objects.create(region=region, name=name)
        for alias in aliases:
            UnitAlias.objects.create(unit=unit, region=region, alias=alias)
        return unit

    return {
        "jm_fgw": make(regions["jingmen"], "荆门市发展和改革委员会", "市发改委"),
        "jm_jxj": make(regions["jingmen"], "荆门市经济和信息化局", "市经信局"),
        "jz_fgw": make(regions["jingzhou"], "荆州市发展和改革委员会", "市发改委"),
    }


@pytest.fixture
def enterprises(regions: dict[str, Any]) -> dict[str, Any]:
    from luoshi.orgs.models import Enterprise

    return {
        "a": Enterprise.objects.create(
            name="荆门甲科技有限公司", credit_code="91420800TEST0000A1", region=regions["jingmen"]
        ),
        "b": Enterprise.objects.create(
            name="荆门乙制造有限公司", credit_code="91420800TEST0000B2", region=regions["jingmen"]
        ),
    }


@pytest.fixture
def users(regions: dict[str, Any], units: dict[str, Any], enterprises: dict[str, Any]) -> dict[str, Any]:
    """One user per role in 荆门市, plus a second staff member in another unit and an admin of 荆州市."""
    from luoshi.accounts.models import Role
    from luoshi.accounts.services import user_create

    jm = regions["jingmen"]
    specs = {
        "admin": dict(role=Role.ADMIN, region=jm),
        "staff": dict(role=Role.STAFF, unit=units["jm_fgw"]),
        "staff_other": dict(role=Role.STAFF, unit=units["jm_jxj"]),
        "leader": dict(role=Role.LEADER, region=jm),
        "enterprise": dict(role=Role.ENTERPRISE, enterprise=enterprises["a"]),
        "enterprise_other": dict(role=Role.ENTERPRISE, enterprise=enterprises["b"]),
        "observer": dict(role=Role.OBSERVER, region=jm),
        "admin_jz": dict(role=Role.ADMIN, region=regions["jingzhou"]),
    }
    return {key: user_create(username=key, password=TEST_PASSWORD, **spec) for key, spec in specs.items()}  # type: ignore[arg-type]


@pytest.fixture
def national_admin(users: dict[str, Any], regions: dict[str, Any]) -> Any:
    """The office admin of the top-level region (湖北省): the owner of national data such as the holiday
    corrections (see luoshi/calendar/access.py)."""
    from luoshi.accounts.models import Role
    from luoshi.accounts.services import user_create

    return user_create(
        username="admin_hubei", password=TEST_PASSWORD, role=Role.ADMIN, region=regions["hubei"]
    )


@pytest.fixture(autouse=True)
def _permit_audit_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests end with Django flushing every table; on SQLite the audit table's delete trigger refuses
    that unless a purge permit exists (see audit migration 0002). Grant the permit just before that flush; the
    flush's own ``post_migrate`` withdraws it again (``luoshi.audit.apps.arm_delete_guard``) and re-seeds the rows
    every database needs (``luoshi.projects.seeds``), so what runs next finds the guard armed and the defaults there."""
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or any(m.kwargs.get("transaction") for m in request.node.iter_markers("django_db"))
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so our teardown runs before its flush
    yield
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO audit_purge_permit (id) VALUES (1)")


# --- the real browser --------------------------------------------------------------------------------
CHROMIUM = os.environ.get("LUOSHI_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (no browser download)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; run the README test command, which installs it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    # a shared, loaded machine may need longer: LUOSHI_BROWSER_TIMEOUT_MS=90000
    pg.set_default_timeout(int(os.environ.get("LUOSHI_BROWSER_TIMEOUT_MS", "15000")))
    yield pg
    context.close()


@pytest.fixture
def login(page: Any, live_server: Any) -> Any:
    """`login(user)` signs `user` in through the real login page and returns the Playwright page."""

    def do(user: Any) -> Any:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """Print the random-order seed even under ``-q`` (CI runs quiet), so a failure that depends on the order can be
    replayed: ``./dev test -p randomly --randomly-seed=N``."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int):
        terminalreporter.write_line(f"random order seed: {seed} (replay: ./dev test --randomly-seed={seed})")
