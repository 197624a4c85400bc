import subprocess
import sys

from luoshi.cli import build_parser


def test_every_command_has_plain_help() -> None:
    parser = build_parser()
    text = parser.format_help()
    for command in ("serve", "demo", "migrate", "worker", "calendar"):
        assert command in text


def test_luoshi_help_runs_as_a_program() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "luoshi demo" in out.stdout
