"""Every reading rule's own examples, run through the public function of its table, and the rule named in the
reading that results. A rule is data (`parser/rules.py`): adding a phrasing means adding a row and its example."""

from __future__ import annotations

from datetime import date

import pytest

from luoshi.plans.parser.deadlines import DATE_RULES, parse_deadline
from luoshi.plans.parser.document import ITEM_SIGN_RULE
from luoshi.plans.parser.normalize import normalize
from luoshi.plans.parser.rules import Rule
from luoshi.plans.parser.structure import MARKER_RULES, match_marker
from luoshi.plans.parser.targets import TARGET_RULES, extract_targets
from luoshi.plans.parser.units import _DATE_RULE, PHRASE_RULES, SHARED_PARTY_RULES, parse_responsibility


def _cases(rules: list[Rule]) -> list[tuple[Rule, str, object]]:
    return [(r, e.text, e.expect) for r in rules for e in r.examples]


def test_every_rule_has_an_example() -> None:
    for rule in [*PHRASE_RULES, *DATE_RULES, *TARGET_RULES, *MARKER_RULES]:
        assert rule.examples, rule.name


@pytest.mark.parametrize(
    ("rule", "text", "expect"), _cases([*PHRASE_RULES, _DATE_RULE]), ids=lambda x: str(x)[:24]
)
def test_responsibility_phrase_rules(rule: Rule, text: str, expect: dict[str, list[str]]) -> None:
    norm = normalize(text)
    r = parse_responsibility(text, norm, 0, len(norm), strict=False)
    assert r is not None
    assert {"lead": r.lead, "co": r.co} == {k: v for k, v in expect.items() if k != "time"}
    if "time" in expect:
        assert [norm[a:b] for a, b in r.time_phrases] == expect["time"]
    if rule is not _DATE_RULE:
        assert any(src[0] == rule.name for src in r.sources.values()), r.sources


@pytest.mark.parametrize(("rule", "text", "expect"), _cases(DATE_RULES), ids=lambda x: str(x)[:24])
def test_date_rules(rule: Rule, text: str, expect: str) -> None:
    norm = normalize(text)
    dl = parse_deadline(norm, "", 2025) if rule.data.get("field") else parse_deadline(None, norm, 2025)
    assert dl.date == date.fromisoformat(expect)
    assert dl.rule == rule.name


@pytest.mark.parametrize(("rule", "text", "expect"), _cases(TARGET_RULES), ids=lambda x: str(x)[:24])
def test_target_rules(rule: Rule, text: str, expect: list[tuple[float, str]]) -> None:
    found = extract_targets(normalize(text))
    assert [(t.value, t.unit) for t in found] == expect
    assert all(t.rule.startswith(rule.name) for t in found)


@pytest.mark.parametrize(("rule", "text", "expect"), _cases(MARKER_RULES), ids=lambda x: str(x)[:24])
def test_marker_rules(rule: Rule, text: str, expect: tuple[str, int]) -> None:
    norm = normalize(text)
    got = match_marker(norm, 0, len(norm))
    assert got is not None and (got[0], got[1]) == expect
    assert got[0].split(":")[0] == rule.name.removeprefix("heading:")


@pytest.mark.parametrize(
    ("rule", "text", "expect"), _cases([*SHARED_PARTY_RULES, ITEM_SIGN_RULE]), ids=lambda x: str(x)[:24]
)
def test_shared_party_and_item_sign_rules(rule: Rule, text: str, expect: bool) -> None:
    # each example says whether the rule reads the text (whole, for a fullmatch rule; from its start otherwise)
    match = rule.pattern.fullmatch(text) if rule.how == "fullmatch" else rule.pattern.match(text)
    assert (match is not None) == expect
