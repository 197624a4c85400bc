"""`luoshi demo`: a working platform with the seed plans and deterministic synthetic data.

Each domain contributes a step in `<app>/demo.py` exposing `load(ctx: DemoContext) -> str` (a one-line
summary). Steps must be idempotent: running the demo twice changes nothing the second time.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.core.management import call_command

# The order matters: the directory before users, users before plans, plans before supervision.
DEMO_STEPS = (
    "luoshi.orgs.demo",
    "luoshi.accounts.demo",
    "luoshi.plans.demo",
    "luoshi.supervision.demo",
    "luoshi.projects.demo",
    "luoshi.requests.demo",
    "luoshi.policies.demo",
    "luoshi.dashboard.demo",  # last: its summaries count what the steps above made
)

SEED_PLANS_DIR = Path(__file__).resolve().parent.parent / "plans" / "demo_data"
DEMO_PASSWORD = "Luoshi-demo-2025"  # noqa: S105 - printed on purpose: demo logins only
DEMO_REGION_CODE = "420800"  # 荆门市: seed 000's city


@dataclass
class DemoOptions:
    enterprises: int = 200
    requests: int = 300
    projects: int = 30
    seed: int = 20250409


@dataclass
class DemoContext:
    options: DemoOptions
    out: TextIO
    seed_plans_dir: Path = SEED_PLANS_DIR
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.options.seed)

    def rng_for(self, step: str) -> random.Random:
        """A generator per step so one step's data does not shift when another step changes."""
        return random.Random(f"{self.options.seed}:{step}")


def run_demo(options: DemoOptions, out: TextIO) -> None:
    from luoshi.core.interface import Interface, interface

    call_command("migrate", interactive=False, verbosity=0)
    ctx = DemoContext(options=options, out=out)
    with interface(Interface.COMMAND):
        for name in DEMO_STEPS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue
                raise
            summary = module.load(ctx)
            if summary:
                print(f"· {summary}", file=out, flush=True)
