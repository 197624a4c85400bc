"""Build the eleventh blind batch's format variants from `src/`: `python luoshi/plans/tests/data/blind11/make_docs.py`.

What is written, and how (running text and task tables), is described in `luoshi/plans/tests/data/blind_batch.py`
(shared by every blind batch).
"""

from __future__ import annotations

from pathlib import Path

from luoshi.plans.tests.data.blind_batch import build_batch

if __name__ == "__main__":
    build_batch(Path(__file__).parent)
