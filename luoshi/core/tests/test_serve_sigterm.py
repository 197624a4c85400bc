"""`luoshi serve` stopped with SIGTERM stops gunicorn and the embedded worker: nothing keeps serving the port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from luoshi.core.tests.test_serve import _env, _free_port, _wait_for


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigterm_stops_gunicorn_and_the_worker(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "luoshi.cli", "serve", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert (
            _wait_for(f"http://127.0.0.1:{port}/healthz", seconds=180) == b'{"ok": true}'
        )  # slow under load
        children = _children(server.pid)
        assert len(children) >= 2  # gunicorn and the job worker
        server.send_signal(signal.SIGTERM)  # the serve process only, as systemd or `kill` would
        server.wait(timeout=60)
        deadline = time.monotonic() + 30
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [c for c in children if _alive(c)]
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0  # nothing answers on the port
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
