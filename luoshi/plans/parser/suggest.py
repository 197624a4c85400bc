"""Suggested lead units for a measure that names none.

Two signals, both offline and trained only on the ledgers shipped in `data/*.jsonl` (measure → first lead unit):

- a nearest-centroid classifier: character 1–3-gram TF-IDF of the measure (its heading, title and text),
  cosine similarity to the mean vector of each unit's measures;
- a prior from the unit names themselves: topic words in the measure that point at a kind of unit
  (税 → 税务, 审批 → 审批局, 人才/就业 → 人社, 贷/融资 → 金融/人行, …, see `TOPICS`), and the share of a unit
  name's distinctive character bigrams that occur in the measure.

score = centroid similarity + TOPIC_WEIGHT · topic hits (capped at 2, scaled to 0–1) + NAME_WEIGHT · name overlap.
The prior also ranks units the ledgers never saw when the caller passes `candidates` (the org directory).

Trained once, loaded after: `luoshi plan train-suggestions` fits the classifier (scikit-learn's TfidfVectorizer)
and writes `data/suggest_model.npz` — the vocabulary, idf weights, unit centroids and a digest of the ledgers it
was trained on (plain arrays, no pickle). Suggesting loads that file and computes the same TF-IDF with numpy
alone, so scikit-learn is imported only to train (and by `cross_validate`). A test checks that the shipped model
matches the shipped ledgers and scores exactly as a fresh fit does. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
MODEL_PATH = DATA_DIR / "suggest_model.npz"
TOPIC_WEIGHT = 0.15
NAME_WEIGHT = 0.15
_lock = threading.Lock()

# (words in the measure, words in the unit's name): a measure about taxes is likely led by a tax bureau.
TOPICS: list[tuple[str, str]] = [
    (r"税|发票|纳税", r"税务"),
    (r"审批|许可|施工图|容缺", r"审批|政务服务"),
    (r"政务服务|一网通办|帮办|代办|一件事|窗口|办事|网办|政务", r"审批|政务|数据|服务中心"),
    (
        r"市场监管|登记|准入|注销|个转企|知识产权|公平竞争|质量|计量|检验检测|商标|专利",
        r"市场监[管督]",
    ),
    (r"人社|就业|人才|技能|用工|招聘|社保|职称|毕业生|培训", r"人社|人力资源|组织部|人才|党群"),
    (r"金融|贷|融资|信贷|银行|担保|上市|保险", r"金融|人行|银行"),
    (r"发改|项目|投资|价格|营商环境|信用", r"发[展改]|经发"),
    (r"工业|制造|数字化|专精特新|中小企业|产业链|技改|智能化", r"经信|经济和信息化|工信|经发"),
    (r"科技|创新|研发|科创|成果转化|高新|孵化", r"科技|经发"),
    (r"财政|资金|采购|拖欠|账款|国资|预算|奖补", r"财政"),
    (r"用地|土地|规划|不动产|自然资源|标准地", r"自然资源|规划"),
    (r"住建|建设工程|工程建设|施工|竣工|住房|房屋|物业|燃气|供水|城市更新", r"住[建房]|建设|城市更新"),
    (r"外贸|外资|商务|消费|展会|跨境|进出口|开放|电商", r"商务|综保|海关"),
    (r"通关|海关|AEO|口岸|保税", r"海关|综保"),
    (r"司法|执法|法治|复议|调解|律师|公证|法律|首违不罚|行政检查", r"司法"),
    (r"法院|诉讼|审判|执行|破产|案件|司法确认", r"法院|检察"),
    (r"公安|治安|户籍|犯罪|警", r"公安"),
    (r"交通|物流|运输|道路|港口|航运", r"交通|港"),
    (r"生态|环保|环评|排污|碳排|污水|垃圾|大气", r"生态环境|城管"),
    (r"教育|学校|学位|幼儿园|中小学", r"教育"),
    (r"文旅|旅游|文化|体育", r"文旅|文化"),
    (r"卫生|医疗|医院|健康|医保", r"卫健|医保"),
    (r"招商|招引|签约|客商", r"招商"),
    (r"城管|市容|停车|充电桩", r"城管"),
    (r"数据|数字政府|信息共享|电子证照|大数据", r"数据"),
    (r"工商联|商会|商协会|民营|企业家", r"工商联|统战"),
]
_TOPICS = [(re.compile(a), re.compile(b)) for a, b in TOPICS]


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


@dataclass
class UnitModel:
    """Nearest-centroid classifier plus the unit-name prior. `fit` (scikit-learn) or `load`, then `scores`."""

    topic_weight: float = TOPIC_WEIGHT
    name_weight: float = NAME_WEIGHT
    classes: list[str] = field(default_factory=list)
    vocabulary: dict[str, int] = field(default_factory=dict)
    _idf: Any = None
    _centroids: Any = None
    digest: str = ""

    def fit(self, texts: list[str], labels: list[str]) -> UnitModel:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        x = vec.fit_transform(texts)
        y = np.array(labels)
        self.classes = sorted(set(labels))
        rows = [np.asarray(x[y == c].mean(axis=0)) for c in self.classes]
        self._centroids = normalize(np.vstack(rows))
        self.vocabulary = {str(k): int(v) for k, v in vec.vocabulary_.items()}
        self._idf = np.asarray(vec.idf_, dtype=float)
        self.digest = training_digest(texts, labels)
        return self

    def save(self, path: Path = MODEL_PATH) -> None:
        import numpy as np

        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        with path.open("wb") as fh:
            np.savez_compressed(
                fh,
                terms=np.array(terms),
                idf=self._idf,
                centroids=self._centroids,
                classes=np.array(self.classes),
                digest=np.array(self.digest),
            )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> UnitModel:
        import numpy as np

        with np.load(path, allow_pickle=False) as z:
            m = cls(classes=[str(c) for c in z["classes"]])
            m.vocabulary = {str(t): i for i, t in enumerate(z["terms"])}
            m._idf, m._centroids, m.digest = z["idf"], z["centroids"], str(z["digest"])
        return m

    def transform(self, texts: list[str]) -> Any:
        """TF-IDF rows as scikit-learn's char 1–3-gram vectorizer computes them (lower-cased, white space
        collapsed, sublinear tf, smooth idf, l2 norm), dense, over the fitted vocabulary."""
        import numpy as np

        out = np.zeros((len(texts), len(self._idf)))
        for r, text in enumerate(texts):
            doc = _WHITE.sub(" ", text.lower())
            counts: dict[int, int] = {}
            for n in (1, 2, 3):
                for k in range(len(doc) - n + 1):
                    j = self.vocabulary.get(doc[k : k + n])
                    if j is not None:
                        counts[j] = counts.get(j, 0) + 1
            if counts:
                idx = np.fromiter(counts, dtype=int)
                val = (1.0 + np.log(np.fromiter(counts.values(), dtype=float))) * self._idf[idx]
                out[r, idx] = val / np.linalg.norm(val)
        return out

    def scores(self, texts: list[str], candidates: list[str] | None = None) -> tuple[list[str], Any]:
        """(units, matrix of scores, one row per text).

        `candidates` (e.g. the units of the plan's region in the org directory) replaces the ledgers' units:
        those the ledgers know keep their classifier score, the others are ranked by the name prior alone.
        """
        import numpy as np

        sim = np.asarray(self.transform(texts) @ np.asarray(self._centroids).T, dtype=float)
        classes = list(self.classes)
        if candidates:
            known = {c: j for j, c in enumerate(classes)}
            classes = list(dict.fromkeys(candidates))
            cols = [sim[:, known[c]] if c in known else np.zeros(len(texts)) for c in classes]
            sim = np.column_stack(cols)
        prior = np.array([name_prior(t, classes, self.topic_weight, self.name_weight) for t in texts])
        return classes, sim + prior.reshape(sim.shape)


_WHITE = re.compile(r"\s\s+")


def training_digest(texts: list[str], labels: list[str]) -> str:
    h = hashlib.sha256()
    for t, y in zip(texts, labels, strict=True):
        h.update(f"{y}\t{t}\n".encode())
    return h.hexdigest()


def name_prior(text: str, units: list[str], topic_weight: float, name_weight: float) -> list[float]:
    """The unit-name signal for each unit: topic words (capped at two hits) and distinctive-bigram overlap."""
    fired = [unit_rx for text_rx, unit_rx in _TOPICS if text_rx.search(text)]
    weights = _bigram_weights(tuple(units))
    out = []
    for u, w in zip(units, weights, strict=True):
        hits = min(2, sum(1 for rx in fired if rx.search(u))) / 2
        total = sum(w.values()) or 1.0
        overlap = sum(v for g, v in w.items() if g in text) / total
        out.append(topic_weight * hits + name_weight * overlap)
    return out


@lru_cache(maxsize=32)
def _bigram_weights(units: tuple[str, ...]) -> list[dict[str, float]]:
    """Each unit name's character bigrams, weighted by how rare they are among the unit names
    ("税务" in 市税务局 counts, "市…" and "…局" hardly do)."""
    grams = [{u[k : k + 2] for k in range(len(u) - 1)} for u in units]
    df: dict[str, int] = {}
    for g in grams:
        for x in g:
            df[x] = df.get(x, 0) + 1
    n = len(units)
    return [{x: math.log(1 + n / df[x]) for x in g} for g in grams]


def make_model() -> UnitModel:
    return UnitModel()


def train(path: Path | None = None) -> UnitModel | None:
    """Fit the classifier on the shipped ledgers and save it to `path` (`luoshi plan train-suggestions`)."""
    texts, labels = training_examples()
    if len(set(labels)) < 2:
        return None
    model = make_model().fit(texts, labels)
    model.save(path or MODEL_PATH)
    _model.cache_clear()
    return model


@lru_cache(maxsize=1)
def _model() -> UnitModel | None:
    if MODEL_PATH.exists():
        return UnitModel.load(MODEL_PATH)
    texts, labels = training_examples()  # no saved model (a fresh ledger folder): fit in memory
    if len(set(labels)) < 2:
        return None
    return make_model().fit(texts, labels)


def suggest_units(text: str, k: int = 3) -> list[tuple[str, float]]:
    """The `k` most likely lead units for `text`, with scores between 0 and 1."""
    return suggest_many([text], k)[0]


def suggest_many(
    texts: list[str], k: int = 3, candidates: list[str] | None = None
) -> list[list[tuple[str, float]]]:
    """`suggest_units` for many texts at once (one model call). Scores are a softmax over the units."""
    import numpy as np

    with _lock:
        model = _model()
    if model is None or not texts:
        return [[] for _ in texts]
    classes, scores = model.scores(texts, candidates)
    out = []
    for row in scores:
        e = np.exp((row - row.max()) / 0.1)
        p = e / e.sum()
        order = np.argsort(-row, kind="stable")[:k]
        out.append([(classes[i], float(p[i])) for i in order])
    return out


def cross_validate(folds: int = 5, seed: int = 0) -> dict[str, float]:
    """k-fold top-1 / top-3 accuracy on the shipped ledgers, of the full model and of the classifier alone."""
    import numpy as np

    texts, labels = training_examples()
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(texts))
    hits = {"top1": 0, "top3": 0, "clf_top1": 0, "clf_top3": 0}
    for f in range(folds):
        test = idx[f::folds]
        train = np.setdiff1d(idx, test)
        for prefix, model in (("", make_model()), ("clf_", UnitModel(topic_weight=0.0, name_weight=0.0))):
            model.fit([texts[i] for i in train], [labels[i] for i in train])
            classes, scores = model.scores([texts[i] for i in test])
            for row, i in zip(scores, test, strict=True):
                best = [classes[j] for j in np.argsort(-row, kind="stable")[:3]]
                hits[prefix + "top1"] += best[0] == labels[i]
                hits[prefix + "top3"] += labels[i] in best
    n = len(texts)
    return {"n": n, "classes": len(set(labels)), **{key: v / n for key, v in hits.items()}}
