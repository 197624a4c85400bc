"""The serving shape (ADR 0130): production runs one gunicorn process per core × 8 threads, the embedded default
one process × 4; LUOSHI_WEB_WORKERS / LUOSHI_WEB_THREADS override both, and a nonsense value stops the start."""

from __future__ import annotations

import os

import pytest

from luoshi.core import serving


def _arg(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


def test_production_is_one_process_per_core_with_eight_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LUOSHI_WEB_WORKERS", raising=False)
    monkeypatch.delenv("LUOSHI_WEB_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    cmd = serving.gunicorn_command(bind="127.0.0.1:1", workers=serving.default_workers(prod=True))
    assert (_arg(cmd, "--workers"), _arg(cmd, "--threads"), _arg(cmd, "--worker-class")) == ("2", "8", "gthread")
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert serving.default_workers(prod=True) == 2  # one request's long page never holds the only process
    assert (serving.default_workers(prod=False), serving.web_threads(prod=False)) == (1, 4)


def test_the_environment_changes_the_shape_and_refuses_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUOSHI_WEB_WORKERS", "5")
    monkeypatch.setenv("LUOSHI_WEB_THREADS", "4")
    cmd = serving.gunicorn_command(bind="127.0.0.1:1", workers=serving.default_workers(prod=True))
    assert (_arg(cmd, "--workers"), _arg(cmd, "--threads")) == ("5", "4")
    assert _arg(serving.gunicorn_command(bind="x:1", workers=1, threads=2), "--threads") == "2"  # explicit wins
    monkeypatch.setenv("LUOSHI_WEB_WORKERS", "0")
    with pytest.raises(ValueError, match="LUOSHI_WEB_WORKERS"):
        serving.default_workers(prod=True)
