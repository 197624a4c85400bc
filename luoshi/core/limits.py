"""One set of text limits for the whole platform, enforced at the service boundary by `@guard_text`.

A 15-million-character narrative used to be accepted (pages became 42 MB and every revision was stored again in
the audit row), and control characters stored in an alias or a measure title made every export of the region fail.
Services that take text written by people are decorated with `@guard_text`: each str argument (and each str inside
a list, a dict such as `changes`, or a dataclass such as `RequestInput`) has its C0 control characters but tab and
newlines removed and is refused when longer than the limit for its name, with a Chinese message naming the field
and the limit. Names not listed get DEFAULT (a field nobody should fill with a book).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from luoshi.core.errors import ValidationFailed
from luoshi.core.sanitize import BadInput, clean_text

F = TypeVar("F", bound=Callable[..., Any])

NAME = 200  # a unit, an alias, a project, a person
TITLE = 500  # a task or measure title, a request title
SHORT_TEXT = 2_000  # a reason, a note, a resolution
LONG_TEXT = 20_000  # a narrative, a measure text, a 督办 requirement, a request's text
DEFAULT = 50_000

# argument or field name -> (Chinese label, maximum characters)
LIMITS: dict[str, tuple[str, int]] = {
    "name": ("名称", NAME),
    "full_name": ("全称", NAME),
    "alias": ("别名", NAME),
    "aliases": ("别名", NAME),
    "enterprise_name": ("企业名称", NAME),
    "contact_name": ("联系人", NAME),
    "contact_phone": ("联系电话", 40),
    "owner_name": ("项目业主", NAME),
    "leader_name": ("包保领导", NAME),
    "debtor_name": ("欠款单位", NAME),
    "industry": ("行业", NAME),
    "code": ("编码", 64),
    "credit_code": ("统一社会信用代码", 32),
    "title": ("标题", TITLE),
    "issuer": ("发文单位", NAME),
    "deadline_phrase": ("时限原文", TITLE),
    "lead_units": ("牵头单位", NAME),
    "co_units": ("责任单位", NAME),
    "lead_units_text": ("牵头单位", NAME),
    "co_units_text": ("责任单位", NAME),
    "reason": ("理由", SHORT_TEXT),
    "note": ("备注", SHORT_TEXT),
    "evidence": ("销号依据", LONG_TEXT),
    "resolution": ("解决情况", SHORT_TEXT),
    "description": ("问题描述", LONG_TEXT),
    "answer": ("答复", LONG_TEXT),
    "reply": ("答复", LONG_TEXT),
    "narrative": ("工作进展", LONG_TEXT),
    "problems": ("存在问题", LONG_TEXT),
    "requirement": ("督办要求", LONG_TEXT),
    "text": ("正文", LONG_TEXT),
    "comment": ("意见", SHORT_TEXT),
    "summary": ("摘要", LONG_TEXT),
}


def limit_for(name: str) -> tuple[str, int]:
    return LIMITS.get(name, (name, DEFAULT))


def clean_field(name: str, value: Any) -> Any:
    """`value` with its text cleaned under the limit of `name` (recursively through lists, dicts, dataclasses)."""
    if isinstance(value, str):
        label, most = limit_for(name)
        try:
            return clean_text(value, label=label, max_length=most)
        except BadInput as exc:
            raise ValidationFailed(exc.message, details={"field": name, "max_length": most}) from None
    if isinstance(value, list | tuple):
        return type(value)(clean_field(name, v) for v in value)
    if isinstance(value, dict):
        return {k: clean_field(str(k), v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: clean_field(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def guard_text[F: Callable[..., Any]](fn: F) -> F:
    """Clean every text argument of a service function (see the module docstring)."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind_partial(*args, **kwargs)
        for name, value in list(bound.arguments.items()):
            kind = signature.parameters[name].kind
            if kind is inspect.Parameter.VAR_KEYWORD:
                bound.arguments[name] = {k: clean_field(k, v) for k, v in value.items()}
            elif isinstance(value, str | list | tuple | dict) or dataclasses.is_dataclass(value):
                bound.arguments[name] = clean_field(name, value)
        return fn(*bound.args, **bound.kwargs)

    return wrapper  # type: ignore[return-value]
