"""`luoshi enterprises size` and `luoshi policies test` (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from luoshi.cli import main

RULES = Path(__file__).resolve().parents[1] / "rules" / "demo.yaml"


@pytest.mark.parametrize(("args", "out", "code"), [
    (["--industry", "C3911", "--employees", "300", "--revenue", "2000"], "中型", 0),
    (["--industry", "3911", "--employees", "299", "--revenue", "2000"], "小型", 0),
    (["--industry", "E4710", "--revenue", "80000", "--assets", "80000"], "大型", 0),
    (["--industry", "I65", "--employees", "5", "--revenue", "10"], "微型", 0),
    (["--industry", "I65", "--employees", "10"], "待核实:软件和信息技术服务业划型需要营业收入", 1),
    (["--industry", "E47", "--revenue", "500"], "待核实:建筑业划型需要资产总额", 1),
])
def test_enterprises_size(capsys: pytest.CaptureFixture[str], args: list[str], out: str, code: int) -> None:
    assert main(["enterprises", "size", *args]) == code
    assert capsys.readouterr().out.strip() == out


def test_policies_test_runs_the_yaml_cases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies", "test", str(RULES)]) == 0
    assert capsys.readouterr().out.strip().endswith("14 passed, 0 failed")
