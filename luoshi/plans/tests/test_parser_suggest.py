"""Suggested lead units: a classifier trained on the shipped ledgers plus a prior from the unit names."""

from __future__ import annotations

from luoshi.plans.parser.suggest import cross_validate, name_prior, suggest_many, suggest_units


def test_topic_words_point_at_the_unit_that_handles_them() -> None:
    units = ["市税务局", "市人社局", "市司法局"]
    prior = name_prior("推行电子发票,优化纳税缴费服务", units, 0.15, 0.15)
    assert prior[0] > prior[1] and prior[0] > prior[2]


def test_suggestions_are_ranked_scores_between_zero_and_one() -> None:
    s = suggest_units("推行电子发票,优化纳税缴费服务,压缩退税办理时间")
    assert len(s) == 3 and s[0][0] == "市税务局"
    assert all(0 <= p <= 1 for _, p in s) and s[0][1] >= s[1][1] >= s[2][1]


def test_directory_units_the_ledgers_never_named_can_be_suggested() -> None:
    (best,) = suggest_many(
        ["建设人力资源市场,开展就业招聘活动"], candidates=["县税务局", "县人力资源和社会保障局", "县司法局"]
    )
    assert best[0][0] == "县人力资源和社会保障局"


def test_cross_validated_accuracy_beats_the_classifier_alone() -> None:
    cv = cross_validate()
    assert cv["top1"] >= cv["clf_top1"] and cv["top3"] > cv["clf_top3"]
    assert cv["top3"] >= 0.5


def test_the_shipped_model_was_trained_on_the_shipped_ledgers() -> None:
    from luoshi.plans.parser.suggest import MODEL_PATH, UnitModel, training_digest, training_examples

    assert MODEL_PATH.exists(), "run `luoshi plan train-suggestions`"
    texts, labels = training_examples()
    assert UnitModel.load().digest == training_digest(texts, labels), "ledgers changed: retrain the model"


def test_the_loaded_model_scores_exactly_as_a_fresh_fit() -> None:
    import numpy as np

    from luoshi.plans.parser.suggest import UnitModel, make_model, training_examples

    texts, labels = training_examples()
    fresh, loaded = make_model().fit(texts, labels), UnitModel.load()
    probe = ["推行电子发票,优化纳税缴费服务", "建设 人力资源市场  ABC", "加快工程建设项目审批"]
    (c1, s1), (c2, s2) = fresh.scores(probe), loaded.scores(probe)
    assert c1 == c2
    assert np.allclose(s1, s2, atol=1e-12)


def test_the_plain_command_path_imports_neither_scikit_learn_nor_numpy() -> None:
    import subprocess
    import sys
    from pathlib import Path

    doc = Path(__file__).parent / "data" / "generalisation" / "docs" / "gen01_wuhou_district.txt"
    code = (
        "import sys; from luoshi.cli import main; main(['plan', 'parse', sys.argv[1]]); "
        "print('sklearn' in sys.modules, 'numpy' in sys.modules, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(doc)], capture_output=True, text=True, check=True)
    assert proc.stderr.strip().splitlines()[-1] == "False False"
    assert proc.stdout.count("\n") > 5
