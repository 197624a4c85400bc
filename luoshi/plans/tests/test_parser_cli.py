"""`luoshi plan parse`: JSONL/JSON/XLSX output without a database; bad input → message and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from luoshi.cli import main

SEEDS = Path(__file__).parent.parent / "demo_data"
FIX = Path(__file__).parent / "fixtures"


def test_jsonl_to_stdout_in_the_scorer_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "parse", str(SEEDS / "000_1b4671120436f1db.txt")]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 64
    assert set(lines[0]) == {
        "doc",
        "seq",
        "text",
        "path",
        "title",
        "lead_units",
        "co_units",
        "deadline",
        "targets",
    }
    assert lines[0]["doc"] == "000_1b4671120436f1db" and lines[0]["deadline"] == "2025-06-30"


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".xlsx"])
def test_output_files(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"out{suffix}"
    assert main(["plan", "parse", str(FIX / "plan_gbk.txt"), "--year", "2025", "-o", str(out)]) == 0
    assert out.exists() and out.stat().st_size > 0
    if suffix == ".json":
        d = json.loads(out.read_text(encoding="utf-8"))
        assert d["kind"] == "plan" and len(d["measures"]) == 3


def test_interpretation_reports_its_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "parse", str(SEEDS / "004_551b2062c8ee8ce0.txt")]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "政策解读" in captured.err


def test_bad_input_exits_1_with_a_chinese_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "x.pdf"
    p.write_bytes(b"not a pdf at all")
    assert main(["plan", "parse", str(p)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误:") and "Traceback" not in err


def test_suggestions_only_when_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    doc = str(Path(__file__).parent / "data" / "generalisation2" / "docs" / "g207_hefei_brackets.txt")
    assert main(["plan", "parse", doc]) == 0
    plain = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert all("suggested_units" not in m for m in plain)
    assert main(["plan", "parse", doc, "--suggest"]) == 0
    asked = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert all("suggested_units" in m for m in asked)
    assert any(m["suggested_units"] for m in asked if not m["lead_units"]) or all(
        m["lead_units"] for m in asked
    )


def test_train_suggestions_writes_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from luoshi.plans.parser import suggest

    target = tmp_path / "model.npz"
    monkeypatch.setattr(suggest, "MODEL_PATH", target)
    assert main(["plan", "train-suggestions"]) == 0
    assert target.exists() and suggest.UnitModel.load(target).classes
    suggest._model.cache_clear()


def test_explain_prints_each_reading_with_its_rule(capsys: pytest.CaptureFixture[str]) -> None:
    doc = Path(__file__).parent / "data" / "generalisation2" / "docs" / "g202_luoyang_inline.pdf"
    assert main(["plan", "parse", str(doc), "--explain"]) == 0
    out = capsys.readouterr().out
    assert "#1 " in out
    for field, rule in (
        ("章节", "heading:"),
        ("牵头单位", "label:"),
        ("完成时限", "date:"),
        ("量化目标", "target:"),
    ):
        assert any(line.strip().startswith(field) and rule in line for line in out.splitlines()), (
            field,
            rule,
        )
    assert "[请核对]" in out or "完成时限" in out


def test_plain_parse_process_imports_no_django_machinery_or_models(tmp_path: Path) -> None:
    """The whole `luoshi plan parse` process loads only what the command needs: Django's settings (asyncio), its
    HTTP layer and ORM (which core/apps.py once imported at module level, 0.3 s of every run), numpy and
    scikit-learn stay unimported."""
    import subprocess
    import sys

    probe = (
        "import sys; from luoshi.cli import main; "
        f"main(['plan', 'parse', {str(SEEDS / '000_1b4671120436f1db.txt')!r}, '-o', {str(tmp_path / 'o.jsonl')!r}]); "
        "print(' '.join(m for m in ('django.conf', 'django.http', 'django.db', 'numpy', 'sklearn') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
