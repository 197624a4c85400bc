"""`luoshi demo --no-serve`: loads everything, and running it twice changes nothing."""

import io
from typing import Any

import pytest
from django.apps import apps

from luoshi.core.demo import DemoOptions, run_demo

pytestmark = pytest.mark.django_db(transaction=True)

COUNTED = [
    "accounts.User",
    "orgs.Region",
    "orgs.Unit",
    "orgs.Enterprise",
    "plans.Plan",
    "plans.Measure",
    "supervision.Task",
    "supervision.ProgressReport",
    "projects.Project",
    "audit.AuditEvent",
]


def _counts() -> dict[str, int]:
    out = {}
    for label in COUNTED:
        try:
            model: Any = apps.get_model(label)
        except LookupError:
            continue
        out[label] = model.objects.count()
    return out


def test_demo_loads_every_role_and_the_seed_plans_and_is_idempotent() -> None:
    out = io.StringIO()
    options = DemoOptions(enterprises=30, requests=10, projects=6, seed=7)
    run_demo(options, out)
    text = out.getvalue()
    for username in ("yingshang", "bumen", "lingdao", "qiye", "guanchayuan"):
        assert username in text
    first = _counts()
    assert first["orgs.Enterprise"] >= 30
    assert first["plans.Plan"] == 5
    assert first.get("supervision.Task", 1) > 0
    run_demo(options, io.StringIO())
    assert _counts() == first


def test_demo_refuses_a_database_with_real_users_and_generates_its_passwords(
    tmp_path: Any, settings: Any
) -> None:
    import stat

    from luoshi.accounts.models import Role
    from luoshi.accounts.services import user_create
    from luoshi.core import demo

    settings.DATA_DIR = tmp_path
    assert not hasattr(demo, "DEMO_PASSWORD")  # no committed password
    real = user_create(username="zhang_real", password="Real-password-2025", role=Role.OBSERVER)
    with pytest.raises(demo.NotADemoDatabase, match="非演示用户"):
        run_demo(DemoOptions(enterprises=5, requests=2, projects=2, seed=3), io.StringIO())
    assert not demo.passwords_file().exists()
    real.delete()

    out = io.StringIO()
    run_demo(DemoOptions(enterprises=5, requests=2, projects=2, seed=3), out)
    passwords = demo.demo_passwords()
    assert set(passwords) == set(demo.DEMO_USERNAMES)
    assert len(set(passwords.values())) == len(passwords)  # one random password each
    assert stat.S_IMODE(demo.passwords_file().stat().st_mode) == 0o600
    assert passwords["bumen"] in out.getvalue()
    from luoshi.accounts.models import User

    bumen = User.objects.get(username="bumen")
    assert bumen.check_password(passwords["bumen"]) and not bumen.check_password("Luoshi-demo-2025")
