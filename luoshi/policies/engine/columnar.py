"""Every item for every firm at once, keeping each leaf's result as a bitset (one bit per firm). No Django.

How a full evaluation works (see docs/adr/ for why):

1. Each leaf is reduced to an *atom* of its field (``revenue >= 2000``, ``industry starts with C39 or I65``, ``has
   高新技术企业``) plus a negation or equality wrapper; identical atoms across items are computed once.
2. Numeric and date atoms of one field are nested sets: with the field's thresholds sorted, one `searchsorted` puts
   every firm in a bucket, one radix sort groups the rows by bucket, and a running OR from the top bucket down (each
   bucket's rows OR-ed in by byte) gives every ``x >= t`` / ``x > t`` atom — cost per field, not per leaf, and no
   matrix of per-bucket bitsets.
3. Code atoms on the column the rows are sorted by (industry) are unions of row ranges (a prefix is a contiguous
   run); on other code/category columns they are ORs of per-code bitsets, or a table look-up when a field has very
   many codes.
4. For each field a bitset of *unknown* rows (missing or stale as of the evaluation date) and one of *authoritative*
   rows. Leaf true = atom & ~unknown; leaf false = ~atom & ~unknown; the rest is 待核实.
5. Items combine their leaves with Kleene logic on 64-bit words (all: true = AND of trues, false = OR of falses;
   any: the dual; not: swap) and keep their true/false bitsets: rows of two matrices allocated once, written in place
   through a few reused buffers per tree depth (no array per leaf), the items split over two threads.

On a VM the first touch of fresh memory is a large part of a cold run (page faults counted as system CPU), so the
full path allocates little beyond what it keeps: the atom matrices and the two item matrices.

Everything afterwards is a look-up on those bitsets: item → firms, firm → items, why / why-not for a firm, near misses
(firms that one leaf alone keeps out), the 免申即享 list (true and every field read authoritative). `update` recomputes
only the leaves that read changed fields, only on the bytes holding changed rows, and only the items reading them.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from luoshi.policies.engine.formula import evaluate_formula
from luoshi.policies.engine.params import ParameterSet
from luoshi.policies.engine.profile import FLIP, ItemOutcome, LeafOutcome, Status, kleene, show_value
from luoshi.policies.engine.rules import All, AnyOf, Item, Leaf, Node, Not
from luoshi.policies.engine.schema import FIELDS, FieldKind
from luoshi.policies.engine.table import NO_DAY, Column, FirmTable, day_number, pack

THREADS = 2
U64 = np.uint64
ALL_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
CATEGORY_BITSET_LIMIT = 256 * 1024 * 1024  # bytes of per-code bitsets before falling back to a look-up table
Bits = npt.NDArray[np.uint64]
Selector = slice | npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class LeafPlan:
    field: str
    shape: str  # "atom", "not", "eq" (a & ~b), "ne" (~(a & ~b))
    a: int
    b: int = -1


@dataclass(slots=True)
class FieldAtoms:
    """The atoms of one field: specs (how to compute each) and their bitsets, one row per atom."""

    name: str
    kind: FieldKind
    keys: list[Any] = field(default_factory=list)
    index: dict[Any, int] = field(default_factory=dict)
    bits: Bits = field(default_factory=lambda: np.zeros((0, 0), U64))

    def atom(self, key: Any) -> int:
        idx = self.index.get(key)
        if idx is None:
            idx = len(self.keys)
            self.keys.append(key)
            self.index[key] = idx
        return idx


class Evaluation:
    """The result of evaluating `items` for every firm of `table` as of `on`."""

    def __init__(self, items: Sequence[Item], params: ParameterSet, table: FirmTable, on: dt.date) -> None:
        self.items = list(items)
        self.by_code = {item.code: i for i, item in enumerate(self.items)}
        if len(self.by_code) != len(self.items):
            raise ValueError("事项编号重复")
        self.params, self.table, self.on = params, table, on
        self.words = table.words
        self.valid = table.valid_bits()
        self.plans: dict[Leaf, LeafPlan] = {}
        self.atoms: dict[str, FieldAtoms] = {}
        self.unknown: dict[str, Bits] = {}
        self.authoritative: dict[str, Bits] = {}
        self.field_items: dict[str, list[int]] = {}
        self._category_bits: dict[str, Bits] = {}
        self._near: dict[str, dict[str, npt.NDArray[np.int64]]] = {}
        self._known: dict[str, Bits] = {}  # ~unknown per field, for full evaluations
        self._gathered: dict[tuple[str, int], Bits] | None = None  # atom words gathered during one `update`
        for i, item in enumerate(self.items):
            for name in item.fields:
                if name not in table.columns:
                    raise ValueError(f"事项「{item.code}」读取的字段「{FIELDS[name].label}」不在企业画像表中")
                self.field_items.setdefault(name, []).append(i)
            for leaf in item.rule.leaves():
                if leaf not in self.plans:
                    self.plans[leaf] = self._plan(leaf)
        # fields are independent: build their atoms and masks on two threads (numpy releases the GIL in its loops)
        names = list(self.atoms)
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            built = list(pool.map(lambda n: self._build_atoms(table.columns[n], self.atoms[n]), names))
            masks = list(pool.map(lambda n: self._masks(table.columns[n], slice(None)), names))
        for name, bits, (unknown, auth) in zip(names, built, masks, strict=True):
            self.atoms[name].bits = bits
            self.unknown[name], self.authoritative[name] = unknown, auth
        # per item, its 符合 and 不符合 bitsets (the rest is 待核实): rows of two matrices allocated once and written in
        # place, combining leaves with in-place word operations on a few reused buffers (no array per leaf)
        k = len(self.items)
        true_m, false_m = np.empty((k, self.words), U64), np.empty((k, self.words), U64)
        for name in names:
            self._known_at(name, slice(None))  # ~unknown per field, once, before the threads read it

        def combine(part: range) -> None:
            pool = _Pool(self.words)
            for i in part:
                self._eval_into(self.items[i].rule, true_m[i], false_m[i], pool, 0)

        half = (k + 1) // 2
        with ThreadPoolExecutor(max_workers=THREADS) as pool_:
            list(pool_.map(combine, [range(0, half), range(half, k)] if THREADS > 1 else [range(k)]))
        self.true: list[Bits] = list(true_m)
        self.false: list[Bits] = list(false_m)

    # -- compiling leaves to atoms ----------------------------------------------------------------------------------

    def _plan(self, leaf: Leaf) -> LeafPlan:
        name = leaf.field
        atoms = self.atoms.setdefault(name, FieldAtoms(name, FIELDS[name].kind))
        op = leaf.op
        if op in (">=", ">", "<=", "<", "==", "!="):
            t = leaf.threshold(self.params, self.on)
            ge, gt = atoms.atom((t, False)), atoms.atom((t, True))
            return {
                ">=": LeafPlan(name, "atom", ge), ">": LeafPlan(name, "atom", gt),
                "<": LeafPlan(name, "not", ge), "<=": LeafPlan(name, "not", gt),
                "==": LeafPlan(name, "eq", ge, gt), "!=": LeafPlan(name, "ne", ge, gt),
            }[op]
        if op in ("founded_within_years", "founded_at_least_years"):
            cutoff = float(day_number(leaf.cutoff(self.params, self.on)))
            gt = atoms.atom((cutoff, True))
            return LeafPlan(name, "atom" if op == "founded_within_years" else "not", gt)
        if op == "prefix_in":
            return LeafPlan(name, "atom", atoms.atom(("prefix", leaf.codes)))
        if op == "in":
            return LeafPlan(name, "atom", atoms.atom(("in", tuple(sorted(leaf.values)))))
        return LeafPlan(name, "atom", atoms.atom(("tag", leaf.tag)))

    def _build_atoms(self, col: Column, atoms: FieldAtoms) -> Bits:
        n, words = self.table.n, self.words
        out = np.zeros((len(atoms.keys), words), U64)
        if col.kind in (FieldKind.NUMBER, FieldKind.DATE):
            _numeric_atoms(col.values, atoms.keys, out, n)
        elif col.kind == FieldKind.TAGS:
            for i, (_, tag) in enumerate(atoms.keys):
                if tag in col.tags:
                    out[i] = pack(col.tags[tag], words)
        elif self.table.sorted_by == col.name:
            starts = np.searchsorted(col.values, np.arange(len(col.categories) + 1)).tolist()
            cats = col.categories
            for i, (_, codes) in enumerate(atoms.keys):
                ranges = []
                for code in codes:
                    lo, hi = bisect.bisect_left(cats, code), bisect.bisect_left(cats, code + "~")
                    if lo < hi:
                        ranges.append((starts[lo], starts[hi]))
                _set_ranges(out[i].view(np.uint8), ranges)
        else:
            luts = self._luts(col, atoms)
            if len(col.categories) * words * 8 <= CATEGORY_BITSET_LIMIT:
                per_code = self._per_category_bits(col)
                present = np.zeros(words, U64)
                for row in per_code:
                    present |= row
                for i in range(len(atoms.keys)):
                    lut = luts[i, :-1]
                    if lut.sum() * 2 <= lut.size:
                        acc = np.zeros(words, U64)
                        for c in np.flatnonzero(lut):
                            acc |= per_code[c]
                    else:
                        acc = present.copy()
                        for c in np.flatnonzero(~lut):
                            acc &= ~per_code[c]
                    out[i] = acc
            else:
                ids = np.where(col.values < 0, len(col.categories), col.values)
                for i in range(len(atoms.keys)):
                    out[i] = pack(luts[i][ids], words)
        return out

    def _luts(self, col: Column, atoms: FieldAtoms) -> npt.NDArray[np.bool_]:
        """Per atom, per category id (plus a last column for 'missing'): does the category match."""
        cats = col.categories
        luts = np.zeros((len(atoms.keys), len(cats) + 1), bool)
        for i, key in enumerate(atoms.keys):
            what, arg = key
            if what == "prefix":
                luts[i, :-1] = [c.startswith(arg) for c in cats]
            else:
                wanted = set(arg)
                luts[i, :-1] = [c in wanted for c in cats]
        return luts

    def _per_category_bits(self, col: Column) -> Bits:
        cached = self._category_bits.get(col.name)
        if cached is not None and cached.shape[0] == len(col.categories):
            return cached
        ncat = len(col.categories)
        mat = np.zeros((ncat, self.words * 8), np.uint8)
        order, bounds = _grouped_rows(col.values, ncat)
        for c in range(ncat):
            _or_rows(mat[c], order[bounds[c]:bounds[c + 1]])
        bits = mat.view(U64)
        self._category_bits[col.name] = bits
        return bits

    def _masks(self, col: Column, sel: Selector) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        """Unknown (missing or stale, plus padding) and authoritative bitsets of one field."""
        if isinstance(sel, slice):
            missing = col.missing()
            as_of, auth = col.as_of, col.authoritative
            words = self.words
        else:
            missing, as_of, auth = col.missing()[sel], col.as_of[sel], col.authoritative[sel]
            words = 0
        unknown = missing.copy()
        limit = FIELDS[col.name].max_age_days
        if limit is not None:
            unknown |= (as_of != NO_DAY) & (as_of < day_number(self.on) - limit)
        if words:
            u = pack(unknown, words) | ~self.valid
            a = pack(auth, words) & ~u
            return u, a
        return unknown, auth & ~unknown

    # -- combining --------------------------------------------------------------------------------------------------

    def _leaf_bits(self, leaf: Leaf, sel: Selector) -> tuple[Bits, Bits]:
        """(true, false) bitsets of one leaf, always fresh arrays (callers combine them in place)."""
        plan = self.plans[leaf]
        a = self._atom(plan.field, plan.a, sel)
        known = self._known_at(plan.field, sel)
        if plan.shape in ("eq", "ne"):
            p = a & ~self._atom(plan.field, plan.b, sel)
            a, shape = p, ("atom" if plan.shape == "eq" else "not")
        else:
            shape = plan.shape
        if shape == "atom":
            return a & known, np.bitwise_and(known, ~a)
        return np.bitwise_and(known, ~a), a & known

    def _known_at(self, name: str, sel: Selector) -> Bits:
        if isinstance(sel, slice):
            got = self._known.get(name)
            if got is None:
                got = self._known[name] = ~self.unknown[name]
            return got
        return ~self._unknown_at(name, sel)

    def _atom(self, name: str, index: int, sel: Selector) -> Bits:
        row = self.atoms[name].bits[index]
        if isinstance(sel, slice):
            return row
        if self._gathered is None:
            return np.take(row, sel)
        key = (name, index)
        got = self._gathered.get(key)
        if got is None:
            got = self._gathered[key] = np.take(row, sel)
        return got

    def _unknown_at(self, name: str, sel: Selector) -> Bits:
        if isinstance(sel, slice):
            return self.unknown[name]
        if self._gathered is None:
            return np.take(self.unknown[name], sel)
        key = (name, -1)
        got = self._gathered.get(key)
        if got is None:
            got = self._gathered[key] = np.take(self.unknown[name], sel)
        return got

    def _eval(self, node: Node, sel: Selector, forced: Leaf | None = None) -> tuple[Bits, Bits]:
        if isinstance(node, Leaf):
            if node is forced:
                valid = self.valid[sel]
                return valid.copy(), np.zeros_like(valid)
            return self._leaf_bits(node, sel)
        if isinstance(node, Not):
            t, f = self._eval(node.child, sel, forced)
            return f, t
        parts = [self._eval(c, sel, forced) for c in node.children]
        t, f = parts[0]  # fresh arrays: combined in place
        if isinstance(node, All):
            for pt, pf in parts[1:]:
                t &= pt
                f |= pf
        else:
            assert isinstance(node, AnyOf)
            for pt, pf in parts[1:]:
                t |= pt
                f &= pf
        return t, f

    def _eval_into(self, node: Node, t: Bits, f: Bits, pool: _Pool, depth: int) -> None:
        """Full-table evaluation of `node` written into `t` / `f` (same Kleene logic as `_eval`, in place)."""
        if isinstance(node, Leaf):
            plan = self.plans[node]
            a = self.atoms[plan.field].bits[plan.a]
            known = self._known_at(plan.field, slice(None))
            shape = plan.shape
            if shape in ("eq", "ne"):
                scratch = pool.scratch
                np.invert(self.atoms[plan.field].bits[plan.b], out=scratch)
                scratch &= a
                a, shape = scratch, ("atom" if shape == "eq" else "not")
            if shape == "not":
                t, f = f, t
            np.invert(a, out=f)  # before t: `a` may be the scratch buffer, never t or f
            f &= known
            np.bitwise_and(a, known, out=t)
            return
        if isinstance(node, Not):
            self._eval_into(node.child, f, t, pool, depth)
            return
        children = node.children
        self._eval_into(children[0], t, f, pool, depth + 1)
        if len(children) == 1:
            return
        ct, cf = pool.level(depth + 1)
        conj = isinstance(node, All)
        for child in children[1:]:
            self._eval_into(child, ct, cf, pool, depth + 1)
            if conj:
                t &= ct
                f |= cf
            else:
                t |= ct
                f &= cf

    # -- look-ups ---------------------------------------------------------------------------------------------------

    def item_index(self, code: str) -> int:
        try:
            return self.by_code[code]
        except KeyError:
            raise KeyError(f"事项「{code}」不在本次计算中") from None

    def status_bits(self, code: str, status: Status) -> Bits:
        i = self.item_index(code)
        if status == Status.ELIGIBLE:
            return self.true[i]
        if status == Status.INELIGIBLE:
            return self.false[i]
        return self.valid & ~(self.true[i] | self.false[i])

    def rows(self, code: str, status: Status = Status.ELIGIBLE) -> npt.NDArray[np.int64]:
        return bits_to_rows(self.status_bits(code, status), self.table.n)

    def firms(self, code: str, status: Status = Status.ELIGIBLE) -> npt.NDArray[np.int64]:
        """item → firms (external ids)."""
        return self.table.ids[self.rows(code, status)]

    def counts(self) -> dict[str, dict[Status, int]]:
        t = [int(np.bitwise_count(b).sum()) for b in self.true]
        f = [int(np.bitwise_count(b).sum()) for b in self.false]
        n = self.table.n
        return {
            item.code: {Status.ELIGIBLE: int(t[i]), Status.INELIGIBLE: int(f[i]),
                        Status.UNKNOWN: int(n - t[i] - f[i])}
            for i, item in enumerate(self.items)
        }

    def firm_statuses(self, row: int) -> dict[str, Status]:
        """firm → items (政策体检): the status of every item for one row, read from the kept bits."""
        word, bit = row >> 6, U64(row & 63)
        t = (np.fromiter((b[word] for b in self.true), U64, len(self.true)) >> bit) & U64(1)
        f = (np.fromiter((b[word] for b in self.false), U64, len(self.false)) >> bit) & U64(1)
        return {
            item.code: Status.ELIGIBLE if t[i] else Status.INELIGIBLE if f[i] else Status.UNKNOWN
            for i, item in enumerate(self.items)
        }

    def leaf_status(self, row: int, leaf: Leaf) -> Status:
        sel = np.array([row >> 6])
        t, f = self._leaf_bits(leaf, sel)
        bit = U64(row & 63)
        return Status.ELIGIBLE if (t[0] >> bit) & U64(1) else Status.INELIGIBLE if (f[0] >> bit) & U64(1) \
            else Status.UNKNOWN

    def outcome(self, row: int, code: str) -> ItemOutcome:
        """Why / why not for one firm and one item, from the kept leaf bits (values read only to show them)."""
        item = self.items[self.item_index(code)]
        leaves = []
        statuses = {}
        for leaf, negated in item.rule.signed_leaves():
            status = self.leaf_status(row, leaf)
            statuses[leaf.id] = status
            reason = ""
            if status == Status.UNKNOWN:
                reason = self.table.profile(row).unknown_reason(leaf.field, self.on) or "数据缺失"
            value = show_value(leaf.field, self.table.value(leaf.field, row))
            leaves.append(LeafOutcome(leaf, FLIP[status] if negated else status, value, reason, negated))
        status = kleene(item.rule, statuses)
        amount = None
        if status == Status.ELIGIBLE:
            amounts = self.amounts(code, np.array([row]))
            amount = None if amounts is None or np.isnan(amounts[0]) else float(amounts[0])
        return ItemOutcome(item, status, tuple(leaves), amount, self.on)

    def near_misses(self, code: str) -> dict[str, npt.NDArray[np.int64]]:
        """Per leaf: the rows that are 不符合 now and would be 符合 if that leaf alone held (差一项)."""
        cached = self._near.get(code)
        if cached is not None:
            return cached
        i = self.item_index(code)
        item = self.items[i]
        out = {}
        for leaf in item.rule.leaves():
            t, _ = self._eval(item.rule, slice(None), forced=leaf)
            out[leaf.id] = bits_to_rows(t & self.false[i], self.table.n)
        self._near[code] = out
        return out

    def automatic_bits(self, code: str) -> Bits:
        """符合 and every field the rule reads is a department's data, fresh: payable without an application."""
        i = self.item_index(code)
        bits = self.true[i].copy()
        for name in self.items[i].fields:
            bits &= self.authoritative[name]
        return bits

    def amounts(self, code: str, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64] | None:
        item = self.items[self.item_index(code)]
        b = item.benefit
        if b.fixed is None and not b.formula:
            return None
        if b.fixed is not None:
            amount = np.full(rows.size, b.fixed, np.float64)
        else:
            cols = {
                name: col.values[rows] for name, col in self.table.columns.items() if col.kind == FieldKind.NUMBER
            }
            amount = np.asarray(evaluate_formula(b.formula, cols), np.float64) * np.ones(rows.size)  # NaN: unknown
        if b.cap is not None:
            amount = np.minimum(amount, b.cap)
        return np.fmax(amount, 0.0) if b.fixed is not None else np.where(np.isnan(amount), np.nan, np.fmax(amount, 0.0))

    # -- incremental ------------------------------------------------------------------------------------------------

    def update(self, changed: Mapping[str, Iterable[int] | npt.NDArray[np.int64]]) -> dict[str, tuple[Any, Any]]:
        """After `table.apply(...)`: recompute what reads the changed fields on the changed rows' bytes.
        Returns, per recomputed item, the rows that became 符合 and the rows that stopped being 符合."""
        all_rows = [np.asarray(list(r) if not isinstance(r, np.ndarray) else r, np.int64) for r in changed.values()]
        if not all_rows:
            return {}
        rows = np.unique(np.concatenate(all_rows))
        byte_idx = np.unique(rows >> 3)
        sub = (byte_idx[:, None] * 8 + np.arange(8)).reshape(-1)
        inside = sub < self.table.n
        sub_c = np.minimum(sub, self.table.n - 1)
        n_b = byte_idx.size
        for name in changed:
            if name not in self.atoms:
                continue
            col = self.table.columns[name]
            atoms = self.atoms[name]
            preds = self._atom_preds(col, atoms, sub_c) & inside
            atoms.bits.view(np.uint8)[:, byte_idx] = np.packbits(preds.reshape(len(atoms.keys), n_b, 8), axis=2,
                                                                 bitorder="little")[:, :, 0]
            unknown, auth = self._masks(col, sub_c)
            unknown = unknown | ~inside
            auth = auth & inside
            self.unknown[name].view(np.uint8)[byte_idx] = np.packbits(unknown.reshape(n_b, 8), axis=1,
                                                                     bitorder="little")[:, 0]
            self.authoritative[name].view(np.uint8)[byte_idx] = np.packbits(auth.reshape(n_b, 8), axis=1,
                                                                           bitorder="little")[:, 0]
        self._category_bits.clear()
        self._near.clear()
        self._known.clear()
        word_idx = np.unique(byte_idx >> 3)
        affected = sorted({i for name in changed for i in self.field_items.get(name, ())})
        result: dict[str, tuple[Any, Any]] = {}
        self._gathered = {}
        for i in affected:
            before = self.true[i][word_idx]
            t, f = self._eval(self.items[i].rule, word_idx)
            self.true[i][word_idx], self.false[i][word_idx] = t, f
            gained, lost = t & ~before, before & ~t
            result[self.items[i].code] = (_sub_rows(gained, word_idx), _sub_rows(lost, word_idx))
        self._gathered = None
        return result

    def _atom_preds(self, col: Column, atoms: FieldAtoms, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """Atom predicates on a subset of rows, (atoms, rows) bool — the straightforward way, shared with tests."""
        k = len(atoms.keys)
        if col.kind in (FieldKind.NUMBER, FieldKind.DATE):
            x = col.values[rows]
            thr = np.array([t for t, _ in atoms.keys])[:, None]
            strict = np.array([s for _, s in atoms.keys])[:, None]
            return np.where(strict, x[None, :] > thr, x[None, :] >= thr)
        if col.kind == FieldKind.TAGS:
            out = np.zeros((k, rows.size), bool)
            for i, (_, tag) in enumerate(atoms.keys):
                if tag in col.tags:
                    out[i] = col.tags[tag][rows]
            return out
        luts = self._luts(col, atoms)
        ids = col.values[rows]
        return luts[:, np.where(ids < 0, luts.shape[1] - 1, ids)]


class _Pool:
    """Reused word buffers for one full evaluation: one (true, false) pair per tree depth and a scratch word array."""

    def __init__(self, words: int) -> None:
        self.words = words
        self.scratch = np.empty(words, U64)
        self._levels: list[tuple[Bits, Bits]] = []

    def level(self, depth: int) -> tuple[Bits, Bits]:
        while len(self._levels) <= depth:
            self._levels.append((np.empty(self.words, U64), np.empty(self.words, U64)))
        return self._levels[depth]


def _or_rows(buf: npt.NDArray[np.uint8], rows: npt.NDArray[np.int64]) -> None:
    """Set the bits of `rows` (ascending) in a byte buffer: one OR per byte, no per-row Python."""
    if rows.size == 0:
        return
    byte = rows >> 3
    vals = np.left_shift(np.uint8(1), (rows & 7).astype(np.uint8))
    starts = np.flatnonzero(np.concatenate(([True], byte[1:] != byte[:-1])))
    buf[byte[starts]] |= np.bitwise_or.reduceat(vals, starts)


def _grouped_rows(keys: npt.NDArray[Any], groups: int) -> tuple[npt.NDArray[np.int64], list[int]]:
    """Rows ordered by key (0 … groups-1; negative keys first and ignored), ascending within a key, and each key's
    start in that order. A small key type makes the stable sort a radix sort."""
    small = keys.astype(np.int16) if groups < 32767 else keys
    order = np.argsort(small, kind="stable")
    bounds = np.searchsorted(small[order], np.arange(groups + 1)).tolist()
    return order, bounds


DIRECT_ATOMS = 40  # up to this many atoms, one comparison per atom beats bucketing the field


def _numeric_atoms(x: npt.NDArray[np.float64], keys: Sequence[tuple[float, bool]], out: Bits, n: int) -> None:
    """All ``x >= t`` / ``x > t`` atoms of one field: one comparison each when they are few; otherwise by bucketing
    once (one searchsorted) and OR-ing per-bucket bitsets from the top bucket down."""
    words = out.shape[1]
    if len(keys) <= DIRECT_ATOMS:
        for i, (t, strict) in enumerate(keys):
            out[i] = pack(x > t if strict else x >= t, words)
        return
    thresholds = np.unique(np.array([t for t, _ in keys]))
    k = thresholds.size
    left = np.searchsorted(thresholds, x, "left")
    at = np.minimum(left, k - 1)
    right = left + ((left < k) & (thresholds[at] == x))
    bucket = left + right  # x < t0 → 0; x == t0 → 1; t0 < x < t1 → 2; …; NaN → 2k
    del left, at, right
    order, bounds = _grouped_rows(bucket, 2 * k + 1)
    del bucket
    wanted: dict[int, list[int]] = {}
    for i, (t, strict) in enumerate(keys):
        j = int(np.searchsorted(thresholds, t))
        wanted.setdefault(2 * j + (2 if strict else 1), []).append(i)
    acc = np.zeros(words, U64)
    acc8 = acc.view(np.uint8)
    for m in range(2 * k, 0, -1):  # bucket 2k is x > the top threshold (and NaN, masked later as unknown)
        _or_rows(acc8, order[bounds[m]:bounds[m + 1]])
        for i in wanted.get(m, ()):
            out[i] = acc


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _set_ranges(buf: npt.NDArray[np.uint8], ranges: list[tuple[int, int]]) -> None:
    for a, b in _merge(ranges):
        if a >= b:
            continue
        a8, b8 = (a + 7) // 8, b // 8
        if a8 > b8:
            buf[b8] |= np.uint8((((1 << (b - a)) - 1) << (a & 7)) & 0xFF)
            continue
        buf[a8:b8] = 0xFF
        if a & 7:
            buf[a // 8] |= np.uint8((0xFF << (a & 7)) & 0xFF)
        if b & 7:
            buf[b8] |= np.uint8((1 << (b & 7)) - 1)


def bits_to_rows(bits: Bits, n: int) -> npt.NDArray[np.int64]:
    return np.flatnonzero(np.unpackbits(bits.view(np.uint8), bitorder="little")[:n])


def _sub_rows(bits: Bits, word_idx: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    nz = np.flatnonzero(bits)
    if nz.size == 0:
        return np.zeros(0, np.int64)
    unpacked = np.unpackbits(bits[nz].view(np.uint8), bitorder="little").reshape(nz.size, 64)
    w, b = np.nonzero(unpacked)
    return word_idx[nz[w]] * 64 + b
