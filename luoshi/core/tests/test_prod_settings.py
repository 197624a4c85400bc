"""`--prod` (LUOSHI_PROD) implies Secure cookies, HSTS, the proxy's TLS header and idle session expiry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
    "list(s.SECURE_PROXY_SSL_HEADER or []), s.SESSION_COOKIE_AGE, s.SESSION_SAVE_EVERY_REQUEST]))"
)


def _settings(tmp_path: Path, **extra: str) -> list[object]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "LUOSHI_PROD", "LUOSHI_SECURE_COOKIES"}
    }
    env.update(DJANGO_SETTINGS_MODULE="luoshi.settings", LUOSHI_DATA_DIR=str(tmp_path), **extra)
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
    found: list[object] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def test_prod_is_secure_by_default(tmp_path: Path) -> None:
    secure, csrf, hsts, proxy, age, every = _settings(
        tmp_path, LUOSHI_PROD="1", LUOSHI_SESSION_IDLE_MINUTES="30"
    )
    assert secure and csrf and isinstance(hsts, int) and hsts >= 86400
    assert proxy == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert age == 30 * 60 and every is True


def test_embedded_default_serves_plain_http(tmp_path: Path) -> None:
    secure, csrf, hsts, proxy, _age, _every = _settings(tmp_path)
    assert not secure and not csrf and not hsts and proxy == []
