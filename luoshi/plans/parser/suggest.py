"""Suggested lead units for a measure that names none (stub, replaced below)."""

from __future__ import annotations


def suggest_units(text: str, k: int = 3) -> list[tuple[str, float]]:
    return []
