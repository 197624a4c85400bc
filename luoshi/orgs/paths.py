"""Region paths ("/1/5/12/": the ids from the top-level region down to the region) — plain code, no Django.

The one parser of a stored path; everything else asks ``luoshi.accounts.access`` (``region_ancestor_ids``,
``subtree_q``, ``region_contains``)."""

from __future__ import annotations


def ids_of_path(path: str) -> list[int]:
    """The region ids of a stored path, the top-level region first ("/1/5/12/" → [1, 5, 12])."""
    return [int(p) for p in str(path).strip("/").split("/") if p.isdigit()]


def path_contains(ancestor_path: str, path: str) -> bool:
    """The region at `path` is the one at `ancestor_path` or lies below it."""
    return path.startswith(ancestor_path)
