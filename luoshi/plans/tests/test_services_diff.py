"""The revision diff on its own (pure code)."""

from __future__ import annotations

from luoshi.plans.diff import ChangeKind, MeasureSnapshot, diff_measures, similarity, summarise


def snap(key: int, text: str, **kw: object) -> MeasureSnapshot:
    return MeasureSnapshot(key=key, seq=key, text=text, **kw)  # type: ignore[arg-type]


def test_similarity_ignores_whitespace_and_punctuation() -> None:
    assert similarity("推行 企业开办“一网通办”。", "推行企业开办一网通办") == 1.0
    assert similarity("推行企业开办一网通办", "建设人才公寓") == 0.0


def test_matched_removed_added_and_changed_fields_in_new_order() -> None:
    old = [
        snap(1, "推行企业开办一网通办,压缩开办时间。", lead_units=("市发改委",), deadline="2025-06-30"),
        snap(2, "制定向民营经济开放产业和事项推介目录清单。"),
        snap(3, "新建人才公寓500套以上,保障引进人才住房。"),
    ]
    new = [
        snap(
            1,
            "推行企业开办一网通办,压缩开办时间。",
            lead_units=("市发改委", "市市场监管局"),
            deadline="2025-09-30",
        ),
        snap(2, "新建人才公寓600套以上,保障引进人才住房。"),
        snap(3, "建立产业链供需对接平台。"),
    ]
    diffs = diff_measures(old, new)
    assert [d.kind for d in diffs] == [
        ChangeKind.CHANGED,
        ChangeKind.REMOVED,
        ChangeKind.CHANGED,
        ChangeKind.ADDED,
    ]
    assert {c.field for c in diffs[0].changes} == {"lead_units", "deadline"}
    assert {c.field for c in diffs[2].changes} == {"text"}
    assert summarise(diffs) == {"added": 1, "removed": 1, "changed": 2, "unchanged": 0}


def test_identical_texts_pair_even_when_reordered() -> None:
    old = [snap(1, "甲举措内容较长的一段文字"), snap(2, "乙举措内容另一段文字")]
    new = [snap(1, "乙举措内容另一段文字"), snap(2, "甲举措内容较长的一段文字")]
    diffs = diff_measures(old, new)
    assert all(d.kind == ChangeKind.UNCHANGED for d in diffs) and len(diffs) == 2
