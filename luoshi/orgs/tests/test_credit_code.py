"""统一社会信用代码 check characters (GB 32100 / GB 11714)."""

from __future__ import annotations

from luoshi.orgs.credit_code import is_valid_credit_code


def test_credit_code_check_characters() -> None:
    assert is_valid_credit_code("91350100M000100Y43")  # the example in GB 32100-2015
    assert not is_valid_credit_code("91350100M000100Y44")
    assert not is_valid_credit_code("91350100M000101Y43")
    assert not is_valid_credit_code("91350100M000100Y4")
