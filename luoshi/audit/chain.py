"""The audit hash chain: each sealed row's `row_hash` is SHA-256 over the previous sealed row's hash and the row's
canonical content, so altering, deleting or inserting a sealed row by SQL breaks the chain at that row. The chain
order is `seal_seq`, the order rows were sealed in (`services.seal`, ADR 55), not `id`. Pure functions (no Django).

Canonical content: a JSON array of the recorded fields in a fixed order, the time in UTC with microseconds, JSON
values with sorted keys and numbers written as normalised decimals (PostgreSQL's jsonb gives `1e308` back as an
integer), so the hash is the same on SQLite and PostgreSQL and survives a backup and restore.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

# The fields the hash covers, in order.
FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "interface",
    "action",
    "subject_type",
    "subject_id",
    "subject_label",
    "before",
    "after",
    "reason",
)


def _normal(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return "#" + format(decimal.Decimal(repr(value)).normalize(), "f")
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    return value


def canonical(row: dict[str, Any]) -> bytes:
    at = row["at"]
    if isinstance(at, dt.datetime):
        at = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    actor = row.get("actor_id")
    values = [at, None if actor is None else int(actor)]
    values += [_normal(row.get(name)) for name in FIELDS[2:]]
    values[2:8] = [str(v or "") for v in values[2:8]]
    values[10] = str(values[10] or "")
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def link(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(row)).hexdigest()


@dataclass(frozen=True)
class Break:
    id: int
    problem: str  # "altered" | "link" | "unhashed"

    def describe(self) -> str:
        return {
            "altered": f"第 {self.id} 号审计记录的内容与其哈希不符(记录被改动)。",
            "link": f"第 {self.id} 号审计记录与前一条记录的链接断开(其前有记录被删除、插入或替换)。",
            "unhashed": f"第 {self.id} 号审计记录已编入封存序列却缺少哈希(被直接改动过)。",
        }[self.problem]


@dataclass
class VerifyResult:
    checked: int = 0  # sealed rows walked
    unsealed: int = 0  # rows not sealed yet (committed after the last seal): reported, not a break
    oldest_unsealed: dt.datetime | None = None
    first_break: Break | None = None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def verify(rows: Iterable[dict[str, Any]]) -> VerifyResult:
    """Walk sealed rows in chain order (dicts with `id`, `prev_hash`, `row_hash` and the FIELDS, ordered by
    `seal_seq`) and stop at the first broken link."""
    result = VerifyResult()
    prev = GENESIS
    for row in rows:
        result.checked += 1
        if row["row_hash"] is None:
            result.first_break = Break(row["id"], "unhashed")
            return result
        if row["prev_hash"] != prev:
            result.first_break = Break(row["id"], "link")
            return result
        if link(row["prev_hash"], row) != row["row_hash"]:
            result.first_break = Break(row["id"], "altered")
            return result
        prev = row["row_hash"]
    return result


def chain(prev_hash: str, rows: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(prev_hash, row_hash) for each of `rows` appended after `prev_hash`."""
    for row in rows:
        h = link(prev_hash, row)
        yield prev_hash, h
        prev_hash = h
