"""`luoshi serve` really serves: gunicorn, static files through WhiteNoise, the embedded job worker beside it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Generous bounds, not timings: on a busy machine (CI shares two cores with other jobs) collectstatic, start-up
# and the first render of a page can take minutes; the test only needs the answer, so it waits for readiness.
READY_WITHIN = 600.0
ANSWER_WITHIN = 120.0


def _wait_for(
    url: str, seconds: float = READY_WITHIN, server: subprocess.Popen[bytes] | None = None
) -> bytes:
    deadline = time.monotonic() + seconds
    last: Exception | None = None
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            output = server.stdout.read().decode(errors="replace") if server.stdout else ""
            raise AssertionError(
                f"the server exited ({server.returncode}) before {url} answered:\n{output[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=ANSWER_WITHIN) as response:  # noqa: S310 - localhost only
                return bytes(response.read())
        except OSError as exc:
            last = exc
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds:.0f} s: {last}")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(LUOSHI_DATA_DIR=str(tmp_path / "var"), LUOSHI_TESTING="0")
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


@pytest.mark.parametrize("prod", [False, True], ids=["embedded", "prod"])
def test_serve_answers_pages_and_static_files(tmp_path: Path, prod: bool) -> None:
    env = _env(tmp_path)
    cli = [sys.executable, "-m", "luoshi.cli"]
    if prod:
        subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    port = _free_port()
    args = [*cli, "serve", "--port", str(port)] + (["--prod", "--workers", "2"] if prod else [])
    server = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        assert _wait_for(f"{base}/healthz", server=server) == b'{"ok": true}'
        assert b"--brand" in _wait_for(f"{base}/static/luoshi/luoshi.css")
        assert b"htmx" in _wait_for(f"{base}/static/vendor/htmx/htmx.min.js")
        login_page = _wait_for(f"{base}/accounts/login/").decode()
        assert "登录" in login_page
        # production pages link hashed static names (cacheable forever); the embedded default links plain ones
        assert bool(re.search(r"/static/luoshi/luoshi\.[0-9a-f]{12}\.css", login_page)) is prod
        if not prod:
            # the embedded worker runs beside the web server, with its queue in the data directory
            deadline = time.monotonic() + 30
            while not (tmp_path / "var" / "jobs.sqlite3").exists() and time.monotonic() < deadline:
                time.sleep(0.3)
            assert (tmp_path / "var" / "jobs.sqlite3").exists()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
