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
