"""Domain errors: a machine code plus a message in Chinese that says what is wrong and what to do.

Services raise these; pages show the message, the API returns {"code", "message", "details"} with
the matching HTTP status, commands print the message and exit non-zero.

The class says what kind of refusal it is (``code``: forbidden, invalid …, and the HTTP status); the app's code
says which one (``reason``). Each domain app keeps its codes in ``<app>/errors.py`` as an ``ErrorCodes`` enum —
value ``"<app>.<what>"`` and a Chinese message — and its services pass one as ``code=``; the API answers
``{"code": "invalid", "reason": "projects.terminated", "message": …}``::

    class ProjectError(ErrorCodes):
        TERMINATED = "projects.terminated", "项目已终止,不能再填写节点。"

    raise InvalidTransition(code=ProjectError.TERMINATED)            # the code's message
    raise ValidationFailed(f"责任单位“{name}”……", code=ProjectError.UNIT_OUTSIDE_REGION)  # a precise one
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self


class ErrorCodes(StrEnum):
    """A domain app's error codes: members are ``NAME = "app.what", "中文说明"`` (the default message)."""

    message: str

    def __new__(cls, value: str, message: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.message = message
        return member


class ErrorCode(StrEnum):
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    INVALID_TRANSITION = "invalid_transition"
    CONFLICT = "conflict"
    IMPORT_FAILED = "import_failed"
    UNKNOWN_UNIT = "unknown_unit"
    AMBIGUOUS_UNIT = "ambiguous_unit"
    UNAUTHENTICATED = "unauthenticated"
    THROTTLED = "throttled"


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code: ErrorCode = ErrorCode.INVALID
    status: int = 400

    def __init__(
        self, message: str = "", *, code: ErrorCode | ErrorCodes | None = None, details: Any = None
    ) -> None:
        self.reason: ErrorCodes | None = None
        if isinstance(code, ErrorCodes):  # an app's code: which refusal; the class keeps the kind
            self.reason = code
            message = message or code.message
        elif code is not None:
            self.code = code
        super().__init__(message)
        self.message = message
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": str(self.code), "message": self.message}
        if self.reason is not None:
            out["reason"] = str(self.reason)
        if self.details is not None:
            out["details"] = self.details
        return out


class AccessDenied(DomainError):
    code = ErrorCode.FORBIDDEN
    status = 403


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND
    status = 404


class ValidationFailed(DomainError):
    code = ErrorCode.INVALID
    status = 400


class InvalidTransition(DomainError):
    code = ErrorCode.INVALID_TRANSITION
    status = 409


class Conflict(DomainError):
    """Someone else saved first (optimistic concurrency): reload and try again."""

    code = ErrorCode.CONFLICT
    status = 409


class ImportFailed(DomainError):
    """An import was refused as a whole; `details` lists every problem as {row, column, message}."""

    code = ErrorCode.IMPORT_FAILED
    status = 400
