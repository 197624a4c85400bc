"""The one exception the parser raises: a document it cannot read or that holds no plan."""

from __future__ import annotations


class ParseError(Exception):
    """A document could not be parsed. `message` is in Chinese and tells the user what to do."""

    def __init__(self, message: str, *, code: str = "parse_failed") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message
