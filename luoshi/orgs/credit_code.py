"""统一社会信用代码 (unified social credit code, GB 32100-2015): validation and synthesis. No Django.

18 characters: registration authority (1), organisation type (1), administrative division (6),
organisation code (9, GB 11714 with its own check character), check character (1).
"""

from __future__ import annotations

import random

CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _char_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def org_code_check(body: str) -> str:
    """GB 11714 check character for an 8-character organisation code body."""
    total = sum(_char_value(ch) * w for ch, w in zip(body, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def credit_code_check(first17: str) -> str:
    """GB 32100 check character for the first 17 characters."""
    total = sum(CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CODE_WEIGHTS, strict=True))
    return CODE_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    code = code.strip().upper()
    if len(code) != 18 or any(ch not in CODE_ALPHABET for ch in code):
        return False
    org = code[8:17]
    return org_code_check(org[:8]) == org[8] and credit_code_check(code[:17]) == code[17]


def make_credit_code(rng: random.Random, division: str) -> str:
    """A valid code for a company (9 市场监管登记, 1 企业) in `division` (6 digits), as issued since 2015
    (organisation code starting with MA)."""
    letters = "ABCDEFGHJKLMNPQRTUWXY"
    body = "MA" + "".join(rng.choice("0123456789" + letters) for _ in range(6))
    first17 = "91" + division + body + org_code_check(body)
    return first17 + credit_code_check(first17)


def normalise_credit_code(code: str) -> str:
    """As people type it: spaces and hyphens removed, upper case (``9142 0100-ma4k…`` → ``91420100MA4K…``)."""
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-").upper()


def credit_code_problem(code: str) -> str:
    """What is wrong with `code` under GB 32100, in Chinese and naming the position (第 N 位); empty when valid.
    Intake refuses a code with a problem; enterprise profiles flag it instead."""
    c = normalise_credit_code(code)
    if len(c) != 18:
        return f"统一社会信用代码应为 18 位,您填写的是 {len(c)} 位。"
    for i, ch in enumerate(c, start=1):
        if ch not in CODE_ALPHABET:
            return f"统一社会信用代码第 {i} 位“{ch}”是不允许的字符(应为数字或除 I、O、S、V、Z 外的大写字母)。"
    expected_org = org_code_check(c[8:16])
    if expected_org != c[16]:
        return f"统一社会信用代码第 17 位(组织机构代码校验码)不正确:应为“{expected_org}”,实为“{c[16]}”,请核对。"
    expected = credit_code_check(c[:17])
    if expected != c[17]:
        return f"统一社会信用代码第 18 位(校验码)不正确:应为“{expected}”,实为“{c[17]}”,请核对。"
    return ""
