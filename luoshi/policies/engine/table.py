"""All firms' profiles as columns (one numpy array per field) with per-field provenance. No Django.

Row order is chosen by the table: rows are sorted by industry code, so that every industry prefix (``C39``) is one
contiguous run of rows and a code-set leaf becomes a handful of bit ranges instead of a million look-ups. External firm
ids are kept in `ids`; `row_of` maps back.

Missing values: ``NaN`` for numbers and dates (dates are day numbers since 1970-01-01), category id ``-1`` for codes
and categories, `tags_missing` for tags. `as_of` is a day number (``NO_DAY`` when not known: never stale).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from luoshi.policies.engine.profile import Profile, Provenance
from luoshi.policies.engine.schema import FIELDS, KNOWN_TAGS, FieldKind

EPOCH = dt.date(1970, 1, 1)
NO_DAY = np.iinfo(np.int32).min


def day_number(d: dt.date) -> int:
    return (d - EPOCH).days


def from_day_number(n: float) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


def n_words(n: int) -> int:
    return (n + 63) // 64


def pack(mask: npt.NDArray[np.bool_], words: int) -> npt.NDArray[np.uint64]:
    """Bool per row → bits, little-endian, padded to whole 64-bit words."""
    out = np.zeros(words * 8, np.uint8)
    packed = np.packbits(mask, bitorder="little")
    out[: packed.size] = packed
    return out.view(np.uint64)


@dataclass(slots=True)
class Column:
    name: str
    kind: FieldKind
    # number/date: float64 (NaN missing); code/category: int32 category id (-1 missing); tags: unused (see `tags`)
    values: npt.NDArray[Any]
    as_of: npt.NDArray[np.int32]
    authoritative: npt.NDArray[np.bool_]
    source: npt.NDArray[np.int16]  # index into `sources`
    categories: list[str] = field(default_factory=list)
    category_index: dict[str, int] = field(default_factory=dict)
    tags: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)
    tags_missing: npt.NDArray[np.bool_] | None = None

    def missing(self) -> npt.NDArray[np.bool_]:
        if self.kind in (FieldKind.NUMBER, FieldKind.DATE):
            return np.isnan(self.values)
        if self.kind == FieldKind.TAGS:
            assert self.tags_missing is not None
            return self.tags_missing
        return self.values < 0

    def category_id(self, value: str) -> int:
        """The id of a category value, adding it if new (which ends row order by this column)."""
        idx = self.category_index.get(value)
        if idx is None:
            idx = len(self.categories)
            self.categories.append(value)
            self.category_index[value] = idx
        return idx


@dataclass(slots=True)
class FirmTable:
    ids: npt.NDArray[np.int64]
    columns: dict[str, Column]
    sources: list[str]
    sorted_by: str | None = None  # a code column whose categories are sorted and whose rows are in that order
    _row_of: dict[int, int] | None = None

    @property
    def n(self) -> int:
        return int(self.ids.size)

    @property
    def words(self) -> int:
        return n_words(self.n)

    def row_of(self, firm_id: int) -> int:
        if self._row_of is None:
            self._row_of = {int(i): r for r, i in enumerate(self.ids.tolist())}
        return self._row_of[int(firm_id)]

    def rows_of(self, firm_ids: Iterable[int]) -> npt.NDArray[np.int64]:
        return np.fromiter((self.row_of(i) for i in firm_ids), np.int64)

    def valid_bits(self) -> npt.NDArray[np.uint64]:
        return pack(np.ones(self.n, bool), self.words)

    # -- building -------------------------------------------------------------------------------------------------

    @classmethod
    def from_arrays(
        cls,
        ids: npt.NDArray[np.int64],
        arrays: Mapping[str, Any],
        *,
        as_of: Mapping[str, npt.NDArray[np.int32]] | None = None,
        authoritative: Mapping[str, npt.NDArray[np.bool_]] | None = None,
        categories: Mapping[str, Sequence[str]] | None = None,
        sources: Sequence[str] = ("",),
        source: Mapping[str, npt.NDArray[np.int16]] | None = None,
        sort_by: str | None = "industry",
    ) -> FirmTable:
        """Columns from arrays: numbers/dates as float arrays (dates as day numbers), codes/categories as int32 ids
        into ``categories[field]`` (sorted), tags as ``{tag: bool array}`` with ``arrays['tags_missing']``."""
        n = ids.size
        as_of = as_of or {}
        authoritative = authoritative or {}
        categories = categories or {}
        source = source or {}
        columns: dict[str, Column] = {}
        for name, f in FIELDS.items():
            if name not in arrays:
                continue
            col_as_of = np.asarray(as_of.get(name, np.full(n, NO_DAY, np.int32)), np.int32)
            col_auth = np.asarray(authoritative.get(name, np.zeros(n, bool)), bool)
            col_source = np.asarray(source.get(name, np.zeros(n, np.int16)), np.int16)
            if f.kind == FieldKind.TAGS:
                tags = {t: np.asarray(v, bool) for t, v in arrays[name].items()}
                missing = np.asarray(arrays.get("tags_missing", np.zeros(n, bool)), bool)
                columns[name] = Column(name, f.kind, np.empty(0), col_as_of, col_auth, col_source, tags=tags,
                                       tags_missing=missing)
            elif f.kind in (FieldKind.CODE, FieldKind.CATEGORY):
                cats = list(categories[name])
                columns[name] = Column(
                    name, f.kind, np.asarray(arrays[name], np.int32), col_as_of, col_auth, col_source,
                    categories=cats, category_index={c: i for i, c in enumerate(cats)},
                )
            else:
                columns[name] = Column(name, f.kind, np.asarray(arrays[name], np.float64), col_as_of, col_auth,
                                       col_source)
        table = cls(np.asarray(ids, np.int64), columns, list(sources))
        if sort_by and sort_by in columns:
            table._sort_rows(sort_by)
        return table

    def _sort_rows(self, name: str) -> None:
        col = self.columns[name]
        order = np.argsort(col.values, kind="stable")  # category ids of sorted categories: code order
        if list(col.categories) != sorted(col.categories):
            ranks = np.argsort(np.argsort(np.array(col.categories, dtype=object)))
            remap = np.append(ranks, -1).astype(np.int32)
            col.values = remap[col.values]
            col.categories = sorted(col.categories)
            col.category_index = {c: i for i, c in enumerate(col.categories)}
            order = np.argsort(col.values, kind="stable")
        self.ids = self.ids[order]
        for c in self.columns.values():
            if c.kind != FieldKind.TAGS:
                c.values = c.values[order]
            else:
                c.tags = {t: v[order] for t, v in c.tags.items()}
                assert c.tags_missing is not None
                c.tags_missing = c.tags_missing[order]
            c.as_of, c.authoritative, c.source = c.as_of[order], c.authoritative[order], c.source[order]
        self.sorted_by = name
        self._row_of = None

    @classmethod
    def from_profiles(cls, profiles: Sequence[tuple[int, Profile]]) -> FirmTable:
        """The slow path from profile objects (thousands of firms, the app's database)."""
        n = len(profiles)
        ids = np.array([i for i, _ in profiles], np.int64)
        sources = [""]
        source_index = {"": 0}
        arrays: dict[str, Any] = {}
        categories: dict[str, list[str]] = {}
        as_of: dict[str, npt.NDArray[np.int32]] = {}
        auth: dict[str, npt.NDArray[np.bool_]] = {}
        src: dict[str, npt.NDArray[np.int16]] = {}
        for name, f in FIELDS.items():
            as_of[name] = np.full(n, NO_DAY, np.int32)
            auth[name] = np.zeros(n, bool)
            src[name] = np.zeros(n, np.int16)
            for r, (_, p) in enumerate(profiles):
                prov = p.provenance.get(name)
                if prov:
                    if prov.as_of:
                        as_of[name][r] = day_number(prov.as_of)
                    auth[name][r] = prov.authoritative
                    if prov.source not in source_index:
                        source_index[prov.source] = len(sources)
                        sources.append(prov.source)
                    src[name][r] = source_index[prov.source]
            raw = [p.values.get(name) for _, p in profiles]
            if f.kind == FieldKind.NUMBER:
                arrays[name] = np.array([np.nan if v is None else float(v) for v in raw], np.float64)
            elif f.kind == FieldKind.DATE:
                arrays[name] = np.array([np.nan if v is None else day_number(v) for v in raw], np.float64)
            elif f.kind == FieldKind.TAGS:
                all_tags = sorted(set(KNOWN_TAGS).union(*(v for v in raw if v)))
                arrays[name] = {t: np.array([v is not None and t in v for v in raw], bool) for t in all_tags}
                arrays["tags_missing"] = np.array([v is None for v in raw], bool)
            else:
                cats = sorted({str(v) for v in raw if v is not None})
                index = {c: i for i, c in enumerate(cats)}
                categories[name] = cats
                arrays[name] = np.array([-1 if v is None else index[str(v)] for v in raw], np.int32)
        return cls.from_arrays(ids, arrays, as_of=as_of, authoritative=auth, categories=categories,
                               sources=sources, source=src)

    # -- reading one row back ---------------------------------------------------------------------------------------

    def value(self, name: str, row: int) -> Any:
        col = self.columns.get(name)
        if col is None:
            return None
        if col.kind == FieldKind.TAGS:
            assert col.tags_missing is not None
            if col.tags_missing[row]:
                return None
            return frozenset(t for t, v in col.tags.items() if v[row])
        raw = col.values[row]
        if col.kind in (FieldKind.CODE, FieldKind.CATEGORY):
            return None if raw < 0 else col.categories[int(raw)]
        if np.isnan(raw):
            return None
        return from_day_number(raw) if col.kind == FieldKind.DATE else float(raw)

    def profile(self, row: int) -> Profile:
        values = {name: self.value(name, row) for name in self.columns}
        prov = {}
        for name, col in self.columns.items():
            day = int(col.as_of[row])
            prov[name] = Provenance(
                source=self.sources[int(col.source[row])],
                as_of=None if day == NO_DAY else from_day_number(day),
                authoritative=bool(col.authoritative[row]),
            )
        return Profile(values, prov)

    # -- changes ----------------------------------------------------------------------------------------------------

    def apply(self, name: str, rows: npt.NDArray[np.int64], values: Sequence[Any], *, as_of: dt.date | None = None,
              authoritative: bool | None = None) -> None:
        """New values of one field for some rows (numbers, dates, code strings, tag sets; None = missing)."""
        col = self.columns[name]
        if col.kind == FieldKind.NUMBER:
            col.values[rows] = np.array([np.nan if v is None else v for v in values], np.float64) if isinstance(
                values, list) else np.asarray(values, np.float64)
        elif col.kind == FieldKind.DATE:
            col.values[rows] = np.array([np.nan if v is None else day_number(v) for v in values], np.float64)
        elif col.kind == FieldKind.TAGS:
            assert col.tags_missing is not None
            for r, v in zip(rows.tolist(), values, strict=True):
                col.tags_missing[r] = v is None
                for t in set(v or ()) - set(col.tags):
                    col.tags[t] = np.zeros(self.n, bool)
                for t, arr in col.tags.items():
                    arr[r] = bool(v) and t in v
        else:
            col.values[rows] = np.array([-1 if v is None else col.category_id(str(v)) for v in values], np.int32)
            if self.sorted_by == name:
                self.sorted_by = None  # a firm moved to another code: rows are no longer in code order
        if as_of is not None:
            col.as_of[rows] = day_number(as_of)
        if authoritative is not None:
            col.authoritative[rows] = authoritative
