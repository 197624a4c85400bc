"""Score the parser on this batch, per format: `python luoshi/plans/tests/data/blind11/first_read.py [OUT_DIR]`.

For each format (txt, flat.txt, html, docx, pdf) every document is parsed with `parse_file` (what
`luoshi plan parse` runs) and its measures written to OUT_DIR/<format>/DOC.jsonl; then the shared scorer
(`../score_extraction.py` through `../blind_batch.py`, a copy of /work/shared/tools/score_extraction.py) compares them with `gold/`.
Prints one JSON line per plan and format, a TOTAL per format and an ALL line.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from luoshi.plans.tests.data.blind_batch import first_read

if __name__ == "__main__":
    first_read(Path(__file__).parent, Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()))
