"""USCC check characters (GB 32100-2015) as enterprise profiles use them: valid, invalid, lower case, spaces."""

from __future__ import annotations

import random

from luoshi.orgs.credit_code import (
    credit_code_problem,
    is_valid_credit_code,
    make_credit_code,
    normalise_credit_code,
)


def test_valid_codes_pass() -> None:
    rng = random.Random(3)
    for _ in range(200):
        code = make_credit_code(rng, "420106")
        assert credit_code_problem(code) == "" and is_valid_credit_code(code)


def test_lower_case_and_spaces_are_normalised() -> None:
    code = make_credit_code(random.Random(9), "420106")
    typed = f" {code[:6].lower()} {code[6:12]}-{code[12:].lower()} "
    assert normalise_credit_code(typed) == code
    assert credit_code_problem(typed) == ""


def test_wrong_check_character_is_named() -> None:
    code = make_credit_code(random.Random(1), "420106")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    problem = credit_code_problem(wrong)
    assert "第 18 位(校验码)" in problem and f"应为“{code[17]}”" in problem


def test_wrong_length_and_letters() -> None:
    assert "18 位" in credit_code_problem("91420100")
    code = make_credit_code(random.Random(2), "420106")
    assert "第 6 位“I”是不允许的字符" in credit_code_problem(code[:5] + "I" + code[6:])
    assert "第 17 位(组织机构代码校验码)" in credit_code_problem(code[:16] + ("X" if code[16] != "X" else "1") + code[17])
