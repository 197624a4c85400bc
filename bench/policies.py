"""Benchmark of the eligibility engine against openfisca-core on the same data, in the same run.

Generates 1,000,000 synthetic firms and 500 items (3–8 leaves each; industry code sets of up to 200 codes at mixed
levels, region sets, numeric thresholds, dated parameters, 成立不满 K 年, tags, 'not' and 'any' nodes), then:

- luoshi: full evaluation of every item for every firm with the per-leaf bitsets kept;
- openfisca-core: the same items written as OpenFisca variables (see `build_system`), every item calculated;
- checks that both give the same eligible (符合) set for every item;
- one firm against all 500 items (the 政策计算器 path, a fresh profile, no stored results), and the stored look-up;
- an incremental recompute after 1% of the profiles change (revenue, employees and tags of 10,000 firms);
- peak memory (maximum resident set) of the luoshi part, measured before OpenFisca runs.

Goals on the 2-core machine: full < 2 s and at least 1.8x faster than openfisca-core, one firm < 50 ms, incremental
< 0.5 s, peak < 4 GB. The last line is one JSON object.

    .venv/bin/python bench/policies.py                # 1,000,000 firms x 500 items
    .venv/bin/python bench/policies.py --firms 100000  # quicker

openfisca-core is pinned in the dev extra (requirements.lock): its numpy range includes ours, so it runs in the same
environment (`./dev setup` installs it).

The OpenFisca model is the numpy a modeller would write: comparisons with `parameters(period)` for the dated
thresholds, `np.isin` over the industry / region category ids that a code set covers (OpenFisca has no prefix
operator, so the set is expanded once when the model is built), booleans for tags. Three-valued logic is carried as a
(true, false) pair so that 待核实 firms (missing or stale data) are not eligible, as in luoshi; `known_<field>`
variables (not missing, not stale) are computed once and cached by OpenFisca.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This directory holds calendar.py (the calendar bench), which would shadow the standard library's calendar module.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from openfisca_core.entities import build_entity  # noqa: E402
from openfisca_core.parameters import ParameterNode  # noqa: E402
from openfisca_core.periods import DateUnit  # noqa: E402
from openfisca_core.simulations import SimulationBuilder  # noqa: E402
from openfisca_core.taxbenefitsystems import TaxBenefitSystem  # noqa: E402
from openfisca_core.variables import Variable  # noqa: E402

from luoshi.policies.engine.columnar import Evaluation  # noqa: E402
from luoshi.policies.engine.params import ParameterSet  # noqa: E402
from luoshi.policies.engine.profile import evaluate_profile  # noqa: E402
from luoshi.policies.engine.rules import All, AnyOf, Item, Leaf, Node, Not, years_before  # noqa: E402
from luoshi.policies.engine.schema import FIELDS, FieldKind  # noqa: E402
from luoshi.policies.engine.synthetic import synthetic  # noqa: E402
from luoshi.policies.engine.table import NO_DAY, FirmTable, day_number  # noqa: E402

Firm = build_entity(key="firm", plural="firms", label="企业", is_person=True)
PERIOD = "2026"


def _variable(name: str, value_type: type, formula: Any = None) -> type:
    attrs: dict[str, Any] = {"value_type": value_type, "entity": Firm, "definition_period": DateUnit.YEAR,
                             "label": name}
    if formula is not None:
        attrs["formula"] = formula
    return type(name, (Variable,), attrs)


def build_system(items: list[Item], params: ParameterSet, table: FirmTable, on: dt.date) -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Firm])
    tree: dict[str, Any] = {}
    for name, p in params.items():
        group, leaf = name.split(".", 1)
        tree.setdefault(group, {})[leaf] = {"values": {d.isoformat(): {"value": v} for d, v in p.values}}
    tbs.parameters = ParameterNode("", data=tree)
    today = day_number(on)
    for name, col in table.columns.items():
        kind = col.kind
        if kind == FieldKind.TAGS:
            for tag in col.tags:
                tbs.add_variable(_variable(f"tag_{_safe(tag)}", bool))
            tbs.add_variable(_variable("tags_missing", bool))
        elif kind in (FieldKind.CODE, FieldKind.CATEGORY):
            tbs.add_variable(_variable(name, int))
        else:
            tbs.add_variable(_variable(name, float))
        tbs.add_variable(_variable(f"as_of_{name}", int))
        tbs.add_variable(_variable(f"known_{name}", bool, _known_formula(name, kind, today)))
    for item in items:
        tbs.add_variable(_variable(f"item_{item.code}", bool, _item_formula(item, table, on)))
    return tbs


def _safe(tag: str) -> str:
    return "t" + tag.encode("utf-8").hex()


def _known_formula(name: str, kind: FieldKind, today: int) -> Any:
    limit = FIELDS[name].max_age_days

    def formula(firm: Any, period: Any, parameters: Any) -> Any:
        if kind == FieldKind.TAGS:
            known = ~firm("tags_missing", period)
        elif kind in (FieldKind.CODE, FieldKind.CATEGORY):
            known = firm(name, period) >= 0
        else:
            known = ~np.isnan(firm(name, period))
        if limit is not None:
            as_of = firm(f"as_of_{name}", period)
            known = known & ((as_of == NO_DAY) | (as_of >= today - limit))
        return known

    return formula


def _item_formula(item: Item, table: FirmTable, on: dt.date) -> Any:
    def leaf_pair(firm: Any, period: Any, parameters: Any, leaf: Leaf) -> tuple[Any, Any]:
        known = firm(f"known_{leaf.field}", period)
        if leaf.op in (">=", ">", "<=", "<", "==", "!="):
            x = firm(leaf.field, period)
            if leaf.param:
                group, key = leaf.param.split(".", 1)
                t = getattr(getattr(parameters(period), group), key)
            else:
                t = leaf.value
            with np.errstate(invalid="ignore"):
                c = {">=": x >= t, ">": x > t, "<=": x <= t, "<": x < t, "==": x == t, "!=": x != t}[leaf.op]
        elif leaf.op in ("founded_within_years", "founded_at_least_years"):
            if leaf.param:
                group, key = leaf.param.split(".", 1)
                years = int(getattr(getattr(parameters(period), group), key))
            else:
                years = int(leaf.value)
            cutoff = day_number(years_before(leaf.as_of or on, years))
            x = firm(leaf.field, period)
            with np.errstate(invalid="ignore"):
                c = x > cutoff if leaf.op == "founded_within_years" else x <= cutoff
        elif leaf.op == "has_tag":
            col = table.columns["tags"]
            c = firm(f"tag_{_safe(leaf.tag)}", period) if leaf.tag in col.tags else np.zeros(table.n, bool)
        else:
            cats = table.columns[leaf.field].categories
            if leaf.op == "prefix_in":
                ids = [i for i, c in enumerate(cats) if c.startswith(leaf.codes)]
            else:
                ids = [i for i, c in enumerate(cats) if c in leaf.values]
            c = np.isin(firm(leaf.field, period), ids)
        return known & c, known & ~c

    def node_pair(firm: Any, period: Any, parameters: Any, node: Node) -> tuple[Any, Any]:
        if isinstance(node, Leaf):
            return leaf_pair(firm, period, parameters, node)
        if isinstance(node, Not):
            t, f = node_pair(firm, period, parameters, node.child)
            return f, t
        pairs = [node_pair(firm, period, parameters, c) for c in node.children]
        if isinstance(node, All):
            return np.logical_and.reduce([p[0] for p in pairs]), np.logical_or.reduce([p[1] for p in pairs])
        assert isinstance(node, AnyOf)
        return np.logical_or.reduce([p[0] for p in pairs]), np.logical_and.reduce([p[1] for p in pairs])

    def formula(firm: Any, period: Any, parameters: Any) -> Any:
        return node_pair(firm, period, parameters, item.rule)[0]

    return formula


def simulate(items: list[Item], params: ParameterSet, table: FirmTable, on: dt.date) -> tuple[Any, Any]:
    """Build the system and a simulation with the table's inputs (not timed: loading)."""
    tbs = build_system(items, params, table, on)
    sim = SimulationBuilder().build_default_simulation(tbs, table.n)
    for name, col in table.columns.items():
        if col.kind == FieldKind.TAGS:
            for tag, values in col.tags.items():
                sim.set_input(f"tag_{_safe(tag)}", PERIOD, values)
            assert col.tags_missing is not None
            sim.set_input("tags_missing", PERIOD, col.tags_missing)
        else:
            sim.set_input(name, PERIOD, col.values)
        sim.set_input(f"as_of_{name}", PERIOD, col.as_of)
    return tbs, sim


def calculate_all(sim: Any, items: list[Item]) -> dict[str, Any]:
    return {item.code: sim.calculate(f"item_{item.code}", PERIOD) for item in items}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=500)
    args = parser.parse_args()
    t0 = time.perf_counter()
    data = synthetic(args.firms, args.items)
    table, items, params, on = data.table, data.items, data.params, data.on
    leaves = sum(sum(1 for _ in i.rule.leaves()) for i in items)
    print(f"data: {table.n:,} firms, {len(items)} items, {leaves} leaves, built in {time.perf_counter() - t0:.1f} s")

    gc.collect()
    print(f"load average before the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores, shared)")
    t, cpu = time.perf_counter(), time.process_time()
    ev = Evaluation(items, params, table, on)
    luoshi_s = time.perf_counter() - t
    print(f"luoshi full evaluation, per-leaf bitsets kept: {luoshi_s:.3f} s   (goal < 2 s; "
          f"{time.process_time() - cpu:.3f} CPU s)")
    counts = ev.counts()
    eligible = [c["符合"] for c in counts.values()]
    print(f"  eligible per item: median {int(np.median(eligible)):,}, max {max(eligible):,}; "
          f"{sum(1 for e in eligible if e == 0)} items with none")

    row = table.n // 3
    profile = table.profile(row)
    evaluate_profile(items, profile, params, on)
    t = time.perf_counter()
    repeats = 5
    for _ in range(repeats):
        fresh = evaluate_profile(items, profile, params, on)
    one_firm_ms = (time.perf_counter() - t) / repeats * 1000
    stored = ev.firm_statuses(row)
    assert all(stored[o.item.code] == o.status for o in fresh)
    t = time.perf_counter()
    for _ in range(repeats):
        ev.firm_statuses(row)
    lookup_ms = (time.perf_counter() - t) / repeats * 1000
    print(f"one firm against all items: {one_firm_ms:.1f} ms fresh profile (goal < 50 ms), "
          f"{lookup_ms:.2f} ms stored look-up")

    rng = np.random.default_rng(99)
    changed = np.sort(rng.choice(table.n, table.n // 100, replace=False)).astype(np.int64)
    rev = table.columns["revenue"].values[changed] * rng.uniform(0.5, 2.0, changed.size)
    emp = np.floor(table.columns["employees"].values[changed] * rng.uniform(0.5, 2.0, changed.size))
    tags = [frozenset({"高新技术企业"}) if rng.random() < 0.5 else frozenset() for _ in range(changed.size)]
    table.apply("revenue", changed, rev, as_of=on, authoritative=True)
    table.apply("employees", changed, emp, as_of=on, authoritative=True)
    table.apply("tags", changed, tags, as_of=on, authoritative=True)
    t, cpu = time.perf_counter(), time.process_time()
    diff = ev.update({"revenue": changed, "employees": changed, "tags": changed})
    incremental_s = time.perf_counter() - t
    moved = sum(g.size + lo.size for g, lo in diff.values())
    print(f"incremental after 1% of profiles change: {incremental_s:.3f} s (goal < 0.5 s; "
          f"{time.process_time() - cpu:.3f} CPU s), {len(diff)} items "
          f"recomputed, {moved:,} firm/item results changed")
    full_again = Evaluation(items, params, table, on)
    assert all(np.array_equal(a, b) for a, b in zip(full_again.true + full_again.false, ev.true + ev.false,
                                                   strict=True)), "incremental != full"
    del full_again
    gc.collect()
    luoshi_peak = peak_mb()
    print(f"peak memory (luoshi part): {luoshi_peak:,.0f} MB (goal < 4096 MB)")

    _, sim = simulate(items, params, table, on)
    gc.collect()
    t, cpu = time.perf_counter(), time.process_time()
    results = calculate_all(sim, items)
    openfisca_s = time.perf_counter() - t
    print(f"openfisca-core calculation: {time.process_time() - cpu:.3f} CPU s")
    same = True
    for item in items:
        mine = np.zeros(table.n, bool)
        mine[ev.rows(item.code)] = True
        if not np.array_equal(mine, np.asarray(results[item.code], bool)):
            same = False
            print(f"  DIFFERENT: {item.code}")
    print(f"openfisca-core {_openfisca_version()}: {openfisca_s:.3f} s; same eligible sets: {same}; "
          f"luoshi is {openfisca_s / luoshi_s:.1f}x faster (goal >= 1.8x)")
    print(json.dumps({
        "firms": table.n, "items": len(items), "luoshi_s": round(luoshi_s, 3), "openfisca_s": round(openfisca_s, 3),
        "same_results": same, "one_firm_ms": round(one_firm_ms, 2), "incremental_s": round(incremental_s, 3),
        "peak_mb": round(luoshi_peak, 1),
    }))


def _openfisca_version() -> str:
    from importlib.metadata import version

    return version("openfisca-core")


if __name__ == "__main__":
    main()
