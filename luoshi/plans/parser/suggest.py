"""Suggested lead units for a measure that names none.

A character n-gram TF-IDF + logistic-regression classifier trained at first use on the ledgers shipped
in `data/*.jsonl` (measure text → first lead unit). Small, in memory, no download.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
_lock = threading.Lock()


def training_examples(data_dir: Path = DATA_DIR) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for f in sorted(data_dir.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            if not d.get("lead_units"):
                continue
            texts.append(_doc(d))
            labels.append(d["lead_units"][0])
    return texts, labels


def _doc(d: dict[str, Any]) -> str:
    path = d.get("path") or []
    return " ".join([path[-1] if path else "", d.get("title") or "", d.get("text") or ""])


def make_model() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1),
        LogisticRegression(max_iter=2000, C=10.0),
    )


@lru_cache(maxsize=1)
def _model() -> Any:
    texts, labels = training_examples()
    if len(set(labels)) < 2:
        return None
    model = make_model()
    model.fit(texts, labels)
    return model


def suggest_units(text: str, k: int = 3) -> list[tuple[str, float]]:
    """The `k` most likely lead units for `text`, with probabilities."""
    return suggest_many([text], k)[0]


def suggest_many(texts: list[str], k: int = 3) -> list[list[tuple[str, float]]]:
    """`suggest_units` for many texts at once (one model call)."""
    with _lock:
        model = _model()
    if model is None or not texts:
        return [[] for _ in texts]
    out = []
    for row in model.predict_proba(texts):
        order = row.argsort()[::-1][:k]
        out.append([(str(model.classes_[i]), float(row[i])) for i in order])
    return out


def cross_validate(folds: int = 5, seed: int = 0) -> dict[str, float]:
    """Stratification-free k-fold top-1 / top-3 accuracy of the model on the shipped ledgers."""
    import numpy as np

    texts, labels = training_examples()
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(texts))
    top1 = top3 = n = 0
    for f in range(folds):
        test = idx[f::folds]
        train = np.setdiff1d(idx, test)
        model = make_model()
        model.fit([texts[i] for i in train], [labels[i] for i in train])
        proba = model.predict_proba([texts[i] for i in test])
        classes = list(model.classes_)
        for row, i in zip(proba, test, strict=True):
            best = [classes[j] for j in row.argsort()[::-1][:3]]
            top1 += best[0] == labels[i]
            top3 += labels[i] in best
            n += 1
    return {"n": n, "classes": len(set(labels)), "top1": top1 / n, "top3": top3 / n}
