"""After eligibility: who is actually paid, and how much. No Django.

The order is fixed and documented (README, 兑现分配顺序):

1. Eligibility: only 符合 firms (待核实 are never paid; they are asked to complete their data).
2. Amount: the item's fixed amount or formula, then its cap (单户上限).
3. 不重复享受 / 就高: among items of one `exclusive_group`, a firm keeps only the item with the highest amount (a tie
   goes to the item listed first); it is excluded from the others with reason 同类政策就高享受.
4. Quota (名额): firms ranked by amount (highest first), then by firm id (earliest registered first), keep the first N.
5. Budget (资金总额): in the same ranking, firms are paid while the running total stays within the budget; a firm
   whose amount no longer fits is excluded, never paid part of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from luoshi.policies.engine.rules import Item

GROUP = "同类政策就高享受"
QUOTA = "超出名额"
BUDGET = "超出资金总额"


@dataclass(frozen=True, slots=True)
class Allocation:
    firms: npt.NDArray[np.int64]  # paid firm ids
    amounts: npt.NDArray[np.float64]
    excluded: dict[int, str]  # firm id → reason


def allocate(
    items: Sequence[Item], eligible: Mapping[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]
) -> dict[str, Allocation]:
    """`eligible[code]` = (firm ids, amounts) of the 符合 firms with their capped amounts."""
    order = {item.code: i for i, item in enumerate(items)}
    kept: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = {}
    excluded: dict[str, dict[int, str]] = {item.code: {} for item in items}
    groups: dict[str, list[Item]] = {}
    for item in items:
        if item.code in eligible:
            if item.exclusive_group:
                groups.setdefault(item.exclusive_group, []).append(item)
            else:
                kept[item.code] = eligible[item.code]
    for members in groups.values():
        firms = np.concatenate([eligible[m.code][0] for m in members])
        amounts = np.concatenate([eligible[m.code][1] for m in members])
        which = np.concatenate([np.full(eligible[m.code][0].size, order[m.code]) for m in members])
        rank = np.lexsort((which, -amounts, firms))  # per firm: highest amount, then the item listed first
        firms, amounts, which = firms[rank], amounts[rank], which[rank]
        first = np.r_[True, firms[1:] != firms[:-1]]
        for m in members:
            mine = which == order[m.code]
            kept[m.code] = (firms[mine & first], amounts[mine & first])
            for f in firms[mine & ~first].tolist():
                excluded[m.code][int(f)] = GROUP
    out = {}
    for item in items:
        if item.code not in kept:
            continue
        firms, amounts = kept[item.code]
        rank = np.lexsort((firms, -amounts))
        firms, amounts = firms[rank], amounts[rank]
        keep = np.ones(firms.size, bool)
        if item.quota is not None and firms.size > item.quota:
            for f in firms[item.quota:].tolist():
                excluded[item.code][int(f)] = QUOTA
            keep[item.quota:] = False
        if item.budget is not None:
            total = 0.0
            for j in np.flatnonzero(keep).tolist():
                if total + amounts[j] > item.budget + 1e-9:
                    keep[j] = False
                    excluded[item.code][int(firms[j])] = BUDGET
                else:
                    total += float(amounts[j])
        out[item.code] = Allocation(firms[keep], amounts[keep], excluded[item.code])
    return out
