"""Routing engine (分办建议): a plain library, no Django.

Learns lead units from past assignments: Chinese text as character 1-3-grams plus jieba words and word bigrams
(TF-IDF, sublinear), a linear SVM (one-vs-rest), scores as a softmax over the decision values. `evaluate` reports
stratified cross-validated accuracy, macro-F1 and top-3 accuracy against a plain character TF-IDF + LinearSVC
baseline on the same folds, so an office can judge auto-routing before trusting it.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

_NOISE = re.compile(r"[\s\d０-９a-zA-Z_]+|[，。、；：！？“”‘’（）《》【】\[\](),.;:!?\"'/\\\-—…·]+")
_jieba: Any = None


def _segmenter() -> Any:
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        _jieba = jieba
    return _jieba


def clean(text: str) -> str:
    """Digits, latin runs and punctuation become one space (work-order numbers and dates carry no unit)."""
    return _NOISE.sub(" ", text or "").strip()


def words(text: str) -> list[str]:
    jb = _segmenter()
    return [w for w in jb.lcut(clean(text)) if w.strip() and (len(w) > 1 or "\u4e00" <= w <= "\u9fff")]


def build_model(c: float = 0.5) -> Pipeline:
    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(1, 3),
                    sublinear_tf=True,
                    min_df=1,
                    preprocessor=clean,
                    max_features=300_000,
                ),
            ),
            ("words", TfidfVectorizer(analyzer=words, sublinear_tf=True, min_df=1)),
            ("bigrams", TfidfVectorizer(analyzer=_word_bigrams, sublinear_tf=True, min_df=2)),
        ],
        transformer_weights={"chars": 1.0, "words": 0.8, "bigrams": 0.4},
    )
    return Pipeline([("features", features), ("svm", LinearSVC(C=c, class_weight="balanced"))])


def _word_bigrams(text: str) -> list[str]:
    ws = words(text)
    return [f"{a}|{b}" for a, b in itertools.pairwise(ws)]


def build_baseline() -> Pipeline:
    return Pipeline([("tfidf", TfidfVectorizer(analyzer="char", sublinear_tf=True)), ("svm", LinearSVC())])


def _softmax(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    z = values - values.max(axis=1, keepdims=True)
    e = np.exp(z * 3.0)
    out: np.ndarray[Any, Any] = e / e.sum(axis=1, keepdims=True)
    return out


def _scores(model: Pipeline, texts: Sequence[str]) -> np.ndarray[Any, Any]:
    values = np.asarray(model.decision_function(list(texts)))
    if values.ndim == 1:  # two classes
        values = np.column_stack([-values, values])
    return _softmax(values)


@dataclass(frozen=True)
class Suggestion:
    label: Any
    score: float


@dataclass(frozen=True)
class Similar:
    ref: Any
    similarity: float


class Router:
    """A trained router: suggestions with scores and the most similar past cases (by TF-IDF cosine)."""

    def __init__(
        self, texts: Sequence[str], labels: Sequence[Any], refs: Sequence[Any] | None = None
    ) -> None:
        if len(set(labels)) < 2:
            raise ValueError("at least two units are needed to learn routing")
        self.model = build_model()
        self.model.fit(list(texts), list(labels))
        self.classes = [
            c.item() if hasattr(c, "item") else c for c in self.model.classes_
        ]  # plain Python values
        self.refs = (
            [r.item() if hasattr(r, "item") else r for r in refs]
            if refs is not None
            else list(range(len(texts)))
        )
        features = self.model.named_steps["features"]
        self.matrix = normalize(sparse.csr_matrix(features.transform(list(texts))))
        self.n = len(texts)

    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        scores = _scores(self.model, [text])[0]
        order = np.argsort(-scores)[:k]
        return [Suggestion(self.classes[i], float(scores[i])) for i in order]

    def similar(self, text: str, k: int = 5) -> list[Similar]:
        vec = normalize(sparse.csr_matrix(self.model.named_steps["features"].transform([text])))
        sims = (self.matrix @ vec.T).toarray().ravel()
        order = np.argsort(-sims)[:k]
        return [Similar(self.refs[i], float(sims[i])) for i in order if sims[i] > 0]


def _top3(scores: np.ndarray[Any, Any], classes: Sequence[Any], truth: Sequence[Any]) -> int:
    idx = np.argsort(-scores, axis=1)[:, :3]
    cls = np.asarray(classes, dtype=object)
    return sum(1 for row, t in zip(idx, truth, strict=True) if t in set(cls[row]))


def evaluate(texts: Sequence[str], labels: Sequence[Any], folds: int = 5, seed: int = 0) -> dict[str, Any]:
    """Stratified k-fold: accuracy, macro-F1 and top-3 of the router, macro-F1 of the baseline, same folds.
    Classes with fewer examples than folds are kept in training folds only where they fit (the split is
    stratified on what it can)."""
    x = np.asarray(list(texts), dtype=object)
    y = np.asarray([str(v) for v in labels], dtype=object)
    counts: dict[str, int] = {}
    for v in y:
        counts[v] = counts.get(v, 0) + 1
    usable = min(folds, max(counts.values()))
    if len(counts) < 2 or usable < 2:
        raise ValueError("need at least two classes with two examples each")
    splitter = StratifiedKFold(n_splits=usable, shuffle=True, random_state=seed)
    pred: list[Any] = [None] * len(y)
    base_pred: list[Any] = [None] * len(y)
    top3_hits = 0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for train, test in splitter.split(x, y):
            if len(set(y[train])) < 2:
                continue
            model = build_model().fit(list(x[train]), list(y[train]))
            scores = _scores(model, list(x[test]))
            classes = list(model.classes_)
            for i, row in zip(test, scores, strict=True):
                pred[i] = classes[int(np.argmax(row))]
            top3_hits += _top3(scores, classes, list(y[test]))
            base = build_baseline().fit(list(x[train]), list(y[train]))
            for i, p in zip(test, base.predict(list(x[test])), strict=True):
                base_pred[i] = p
    return {
        "n": len(y),
        "classes": len(counts),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro", zero_division=0)), 4),
        "top3": round(top3_hits / len(y), 4),
        "baseline_macro_f1": round(float(f1_score(y, base_pred, average="macro", zero_division=0)), 4),
    }
