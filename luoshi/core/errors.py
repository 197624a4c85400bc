"""Domain errors: a machine code plus a message in Chinese that says what is wrong and what to do.

Services raise these; pages show the message, the API returns {"code", "message", "details"} with
the matching HTTP status, commands print the message and exit non-zero.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


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

    def __init__(self, message: str, *, code: ErrorCode | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": str(self.code), "message": self.message}
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
