"""Synthetic firms and items in the real shapes (GB/T 4754-2017 industry codes, GB/T 2260 region codes of Hubei) for
the benchmark, property tests and demo data. Deterministic for a seed. No Django."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from luoshi.policies.engine.params import Parameter, ParameterSet
from luoshi.policies.engine.rules import Item, parse_item
from luoshi.policies.engine.schema import CREDIT_STATUSES, KNOWN_TAGS, SIZES
from luoshi.policies.engine.table import FirmTable, day_number

SECTIONS = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
    "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}
HUBEI_CITIES = ("4201", "4202", "4203", "4205", "4206", "4207", "4208", "4209", "4210", "4211", "4212", "4213")


def industry_classes(rng: np.random.Generator) -> list[str]:
    """Class-level (小类) codes, e.g. C3911: every division, 1–5 groups each, 1–4 classes per group."""
    codes = []
    for letter, (lo, hi) in SECTIONS.items():
        for division in range(lo, hi + 1):
            for g in range(1, int(rng.integers(1, 6)) + 1):
                for c in range(1, int(rng.integers(1, 5)) + 1):
                    codes.append(f"{letter}{division:02d}{g}{c}")
    return sorted(codes)


def region_codes() -> list[str]:
    return sorted(f"{city}{county:02d}" for city in HUBEI_CITIES for county in range(1, 12))


@dataclass(frozen=True, slots=True)
class Synthetic:
    table: FirmTable
    items: list[Item]
    params: ParameterSet
    on: dt.date


def make_params() -> ParameterSet:
    params = ParameterSet()
    params.add(Parameter("rd.ratio_min", "研发费用占比下限", "%", ((dt.date(2024, 1, 1), 3.0), (dt.date(2026, 1, 1), 4.0))))
    params.add(Parameter("tax.paid_min", "纳税额下限", "万元", ((dt.date(2024, 1, 1), 50.0), (dt.date(2026, 1, 1), 80.0))))
    params.add(Parameter("startup.years", "初创企业年限", "年", ((dt.date(2020, 1, 1), 3), (dt.date(2026, 1, 1), 5))))
    return params


def make_table(n: int, seed: int = 7, on: dt.date = dt.date(2026, 6, 1)) -> FirmTable:
    rng = np.random.default_rng(seed)
    industries = industry_classes(np.random.default_rng(seed + 1))
    regions = region_codes()
    today = day_number(on)
    arrays: dict[str, Any] = {
        "industry": rng.integers(0, len(industries), n).astype(np.int32),
        "region": rng.integers(0, len(regions), n).astype(np.int32),
        "employees": np.floor(rng.lognormal(3.0, 1.4, n)),
        "revenue": np.round(rng.lognormal(6.0, 2.0, n), 1),
        "assets": np.round(rng.lognormal(6.5, 2.0, n), 1),
        "rd_ratio": np.round(rng.gamma(1.5, 2.0, n), 2),
        "tax_paid": np.round(rng.lognormal(3.0, 1.8, n), 1),
        "founded": (today - rng.integers(30, 36 * 365, n)).astype(np.float64),
        "credit_status": rng.choice(3, n, p=[0.9, 0.08, 0.02]).astype(np.int32),
        "size": rng.choice(4, n, p=[0.01, 0.05, 0.3, 0.64]).astype(np.int32),
    }
    probabilities = [0.05, 0.1, 0.03, 0.005, 0.05, 0.08, 0.05, 0.1, 0.01]
    arrays["tags"] = {t: rng.random(n) < p for t, p in zip(KNOWN_TAGS, probabilities, strict=True)}
    arrays["tags_missing"] = rng.random(n) < 0.02
    as_of, auth = {}, {}
    for name in ("employees", "revenue", "assets", "rd_ratio", "tax_paid", "credit_status", "size", "tags"):
        if name != "tags":
            miss = rng.random(n) < 0.02
            if arrays[name].dtype == np.int32:
                arrays[name][miss] = -1
            else:
                arrays[name][miss] = np.nan
        as_of[name] = (today - rng.integers(0, 700, n)).astype(np.int32)
        auth[name] = rng.random(n) < 0.8
    for name in ("industry", "region", "founded"):
        auth[name] = np.ones(n, bool)
    return FirmTable.from_arrays(
        np.arange(1, n + 1, dtype=np.int64), arrays, as_of=as_of, authoritative=auth,
        categories={"industry": industries, "region": regions, "credit_status": list(CREDIT_STATUSES),
                    "size": list(SIZES)},
    )


def _codes(rng: np.random.Generator, industries: list[str], k: int) -> list[str]:
    picked = rng.choice(industries, k, replace=False) if k <= len(industries) else industries
    out = []
    for code in picked:
        level = rng.choice(4, p=[0.02, 0.2, 0.3, 0.48])
        out.append(str(code)[: (1, 3, 4, 5)[level]])
    return sorted(set(out))


def make_items(count: int, seed: int = 11) -> list[Item]:
    rng = np.random.default_rng(seed)
    industries = industry_classes(np.random.default_rng(8))
    regions = region_codes()
    items = []
    round_revenue = [50, 100, 200, 300, 500, 1000, 2000, 3000, 5000, 10000, 20000, 40000]
    round_employees = [5, 10, 20, 50, 100, 200, 300, 500, 1000]
    for i in range(count):
        n_leaves = int(rng.integers(3, 9))
        pool: list[dict[str, Any]] = []

        def leaf(kind: int) -> dict[str, Any]:
            if kind == 0:
                return {"field": "industry", "op": "prefix_in",
                        "codes": _codes(rng, industries, int(rng.integers(1, 201)))}
            if kind == 1:
                k = int(rng.integers(1, 21))
                return {"field": "region", "op": "prefix_in", "codes": sorted(
                    str(c)[: 4 if rng.random() < 0.3 else 6] for c in rng.choice(regions, k, replace=False))}
            if kind == 2:
                return {"field": "revenue", "op": str(rng.choice([">=", "<", ">"])),
                        "value": float(rng.choice(round_revenue))}
            if kind == 3:
                return {"field": "employees", "op": str(rng.choice([">=", "<=", "<"])),
                        "value": float(rng.choice(round_employees))}
            if kind == 4:
                return {"field": "tags", "op": "has_tag", "tag": str(rng.choice(KNOWN_TAGS))}
            if kind == 5:
                return {"field": "founded", "op": str(rng.choice(["founded_within_years", "founded_at_least_years"])),
                        **({"param": "startup.years"} if rng.random() < 0.3 else {"years": int(rng.integers(1, 11))})}
            if kind == 6:
                return {"field": "size", "op": "in", "values": sorted(
                    set(rng.choice(SIZES[1:], int(rng.integers(1, 4)), replace=False).tolist()))}
            if kind == 7:
                return {"field": "rd_ratio", "op": ">=", "param": "rd.ratio_min"}
            if kind == 8:
                return {"field": "tax_paid", "op": ">=", **(
                    {"param": "tax.paid_min"} if rng.random() < 0.5 else {"value": float(rng.integers(1, 500))})}
            if kind == 9:
                return {"field": "assets", "op": str(rng.choice(["<", ">="])), "value": float(rng.choice(round_revenue))}
            return {"not": {"field": "credit_status", "op": "in", "values": ["失信"]}}

        kinds = rng.choice(11, n_leaves, replace=True, p=[0.14, 0.1, 0.14, 0.12, 0.1, 0.08, 0.08, 0.05, 0.06, 0.05,
                                                          0.08])
        pool = [leaf(int(k)) for k in kinds]
        if n_leaves >= 5 and rng.random() < 0.4:
            rule = {"all": [*pool[:-2], {"any": pool[-2:]}]}
        else:
            rule = {"all": pool}
        benefit: dict[str, Any] = {"fixed": float(rng.choice([50000, 100000, 200000, 500000]))}
        if rng.random() < 0.3:
            benefit = {"formula": "revenue * 10", "cap": 300000.0}
        items.append(parse_item({"code": f"S{i:04d}", "title": f"合成事项{i}", "rule": rule, "benefit": benefit,
                                 "clause": f"第{i % 9 + 1}条"}))
    return items


def synthetic(n_firms: int, n_items: int, on: dt.date = dt.date(2026, 6, 1)) -> Synthetic:
    return Synthetic(make_table(n_firms, on=on), make_items(n_items), make_params(), on)


def mask_rows(rng: np.random.Generator, n: int, share: float) -> npt.NDArray[np.int64]:
    return np.sort(rng.choice(n, max(1, int(n * share)), replace=False)).astype(np.int64)
