"""`luoshi demo`: a working platform with the seed plans and deterministic synthetic data.

Each domain contributes a step in `<app>/demo.py` exposing `load(ctx: DemoContext) -> str` (a one-line
summary), declared as `demo_module` on its AppConfig; steps run by ascending `demo_order` (the directory
before users, users before plans, plans before supervision). Steps must be idempotent: running the demo twice changes nothing the second time.
"""

from __future__ import annotations

import json
import os
import random
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.core.management import call_command

from luoshi.core.discovery import declared_modules
from luoshi.core.errors import DomainError

SEED_PLANS_DIR = Path(__file__).resolve().parent.parent / "plans" / "demo_data"
DEMO_REGION_CODE = "420800"  # 荆门市: seed 000's city
# The demo's accounts (created by accounts/demo.py). Their passwords are generated on the first run and kept in
# $LUOSHI_DATA_DIR/demo-passwords.json (mode 0600); `luoshi demo --show-passwords` prints them.
DEMO_USERNAMES = ("yingshang", "bumen", "lingdao", "qiye", "guanchayuan")
PASSWORDS_FILE_NAME = "demo-passwords.json"


class NotADemoDatabase(DomainError):
    status = 409


def passwords_file() -> Path:
    return Path(settings.DATA_DIR) / PASSWORDS_FILE_NAME


def demo_passwords(create: bool = False) -> dict[str, str]:
    """{username: password} of the demo accounts; generated (and stored) on the first run when `create`."""
    path = passwords_file()
    known: dict[str, str] = {}
    if path.exists():
        known = {str(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    missing = [u for u in DEMO_USERNAMES if u not in known]
    if missing and create:
        for username in missing:
            known[username] = f"Demo-{secrets.token_urlsafe(12)}"
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(known, fh, ensure_ascii=False, indent=1)
        path.chmod(0o600)
    return known


def demo_password(username: str) -> str:
    """The demo password of `username` (tests and bench scripts log in with it)."""
    return demo_passwords(create=True)[username]


def refuse_non_demo_database() -> None:
    """`luoshi demo` writes demo accounts and synthetic data: never into a database that holds real users."""
    from django.contrib.auth import get_user_model

    others = get_user_model().objects.exclude(username__in=DEMO_USERNAMES)
    count = others.count()
    if count:
        sample = "、".join(others.order_by("pk").values_list("username", flat=True)[:3])
        raise NotADemoDatabase(
            f"该数据库中已有 {count} 个非演示用户(如 {sample}),演示数据不能写入正式数据库。"
            "请为演示另设 LUOSHI_DATA_DIR 或 DATABASE_URL 后再运行 luoshi demo。"
        )


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
    refuse_non_demo_database()
    ctx = DemoContext(options=options, out=out)
    with interface(Interface.COMMAND):
        for module in declared_modules("demo_module"):
            summary = module.load(ctx)
            if summary:
                print(f"· {summary}", file=out, flush=True)
