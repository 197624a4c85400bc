"""The `luoshi orgs` commands and the demo step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from luoshi.cli import main
from luoshi.directory.demo import generate, load
from luoshi.directory.tests.conftest import csv_bytes
from luoshi.orgs.credit_code import is_valid_credit_code
from luoshi.orgs.models import Enterprise, Region, Unit


def test_resolve_exit_codes(units: dict[str, Any], capsys: Any) -> None:
    assert main(["orgs", "resolve", "市发改委", "--region", "t421000"]) == 0
    assert capsys.readouterr().out.startswith("荆州市发展和改革委员会")
    assert main(["orgs", "resolve", "市城管委", "--region", "t420800"]) == 4
    assert capsys.readouterr().out.strip() == "unknown"
    from luoshi.directory.services import alias_add

    alias_add(actor=None, unit=units["jm_fgw"], alias="牵头部门")
    alias_add(actor=None, unit=units["jm_jxj"], alias="牵头部门")
    assert main(["orgs", "resolve", "牵头部门", "--region", "t420800"]) == 3
    assert capsys.readouterr().out.startswith("ambiguous: ")


def test_import_export_commands(regions: dict[str, Any], tmp_path: Path, capsys: Any) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes(
            [["t420800", "荆门市", "", "市", "t420000", "荆门市财政局", "乱填", "", "是", ""]], encoding="gbk"
        )
    )
    assert main(["orgs", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "第 2 行 列“单位类别”" in err
    good = tmp_path / "good.csv"
    good.write_bytes(
        csv_bytes(
            [["t420800", "荆门市", "", "市", "t420000", "荆门市财政局", "政府部门", "市财政局", "是", ""]]
        )
    )
    assert main(["orgs", "import", str(good)]) == 0
    assert Unit.objects.filter(name="荆门市财政局").exists()
    out = tmp_path / "out.xlsx"
    assert main(["orgs", "export", "-o", str(out), "--region", "t420800"]) == 0
    assert out.read_bytes()[:2] == b"PK"
    assert main(["orgs", "export", "-o", str(tmp_path / "x.txt")]) == 2


def test_synthetic_enterprises_have_valid_distinct_codes(regions: dict[str, Any]) -> None:
    import random

    companies = generate(random.Random(1), [regions["jingmen"]], 300)
    assert all(is_valid_credit_code(c.credit_code) for c in companies)
    assert len({c.credit_code for c in companies}) == 300
    assert len({c.name for c in companies}) == 300
    assert generate(random.Random(1), [regions["jingmen"]], 5)[0].credit_code == companies[0].credit_code


def test_demo_is_deterministic_and_idempotent(db: Any) -> None:
    import io

    from luoshi.core.demo import DemoContext, DemoOptions

    ctx = DemoContext(options=DemoOptions(enterprises=120), out=io.StringIO())
    first = load(ctx)
    assert "新建 120 家" in first
    codes = set(Enterprise.objects.values_list("credit_code", flat=True))
    units = Unit.objects.count()
    second = load(DemoContext(options=DemoOptions(enterprises=120), out=io.StringIO()))
    assert "新建 0 家" in second
    assert set(Enterprise.objects.values_list("credit_code", flat=True)) == codes
    assert Unit.objects.count() == units
    jingmen = Region.objects.get(code="420800")
    assert not Enterprise.objects.exclude(region__path__startswith=jingmen.path).exists()
    sample = Enterprise.objects.first()
    assert sample is not None and set(sample.attributes) >= {"高新技术企业", "专精特新", "规上"}


@pytest.mark.parametrize("argv", [["orgs", "resolve", "x", "--region", "nope"]])
def test_unknown_region(db: Any, argv: list[str]) -> None:
    assert main(argv) == 1
