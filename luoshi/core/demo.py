"""`luoshi demo`: a working platform with the seed plans and deterministic synthetic data.

Each domain contributes a step in `<app>/demo.py` exposing `load(ctx: DemoContext) -> str` (a one-line
summary), declared as `demo_module` on its AppConfig; steps run by ascending `demo_order` (the directory
before users, users before plans, plans before supervision). Steps must be idempotent: running the demo twice changes nothing the second time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.core.management import call_command

from luoshi.core.discovery import declared_modules

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
        for module in declared_modules("demo_module"):
            summary = module.load(ctx)
            if summary:
                print(f"· {summary}", file=out, flush=True)
