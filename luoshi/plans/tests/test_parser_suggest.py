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
