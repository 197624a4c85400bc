"""Score the parser on this batch, per format: `python luoshi/plans/tests/data/blind1/first_read.py [OUT_DIR]`.

For each format (txt, flat.txt, html, docx, pdf) every document is parsed with `parse_file` (what
`luoshi plan parse` runs) and its measures written to OUT_DIR/<format>/DOC.jsonl; then the shared scorer
(`../score_extraction.py`, a copy of /work/shared/tools/score_extraction.py) compares them with `gold/`.
Prints one JSON line per plan and format, a TOTAL per format and an ALL line.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from pathlib import Path

from luoshi.plans.parser import ParseError, parse_file

HERE = Path(__file__).parent
FORMATS = ["txt", "flat.txt", "html", "docx", "pdf"]


def scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score_extraction", HERE.parent / "score_extraction.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(out: Path) -> None:
    sc = scorer()
    stems = sorted(p.stem for p in (HERE / "gold").glob("*.jsonl"))
    grand = None
    for fmt in FORMATS:
        pred_dir = out / fmt.replace(".", "_")
        pred_dir.mkdir(parents=True, exist_ok=True)
        total = None
        for stem in stems:
            try:
                pred = [m.to_score_dict() for m in parse_file(HERE / "docs" / f"{stem}.{fmt}").measures]
            except ParseError:
                pred = []
            (pred_dir / f"{stem}.jsonl").write_text(
                "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pred), encoding="utf-8"
            )
            s = sc.score_doc(sc.load(HERE / "gold" / f"{stem}.jsonl"), pred)
            print(json.dumps({"format": fmt, **sc.line(stem, s)}, ensure_ascii=False))
            total = s if total is None else {k: total[k] + s[k] for k in s}
            grand = s if grand is None else {k: grand[k] + s[k] for k in s}
        print(json.dumps({"format": fmt, **sc.line("TOTAL", total)}, ensure_ascii=False))
    print(json.dumps({"format": "all", **sc.line("ALL", grand)}, ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()))
