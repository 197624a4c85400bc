"""Build a labelled routing set from published plans: each measure's text → the kind of department that leads it.

The only labelled routing history this project can use is what governments publish: their plans name, for each
measure, the unit that leads it. The hand-checked gold of every plan set under ``luoshi/plans/tests/data/*/gold``
and the seeds' ledgers (``luoshi/plans/parser/data``) hold 550 measures from plans of many provinces; a unit's name
differs by place (市发改委 / 区发展和改革局 / 省发展改革委), so the label is the kind of department, read by the
keyword table below (the first kind whose keyword the unit's name holds). Measures whose first lead unit is a
collective (各县市区政府, 各相关单位 …) or of no listed kind are left out, and so are kinds with fewer than
``MIN_PER_KIND`` measures.

    .venv/bin/python luoshi/requests/tests/data/build_department_set.py /tmp/departments.csv
    .venv/bin/luoshi route evaluate /tmp/departments.csv --text-col title --text-col text --label-col department

The set is read afresh from the golds each time (a new plan set joins it), so no copy is kept in the repository.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
MIN_PER_KIND = 5

# kind of department: keywords its name holds (checked in this order)
KINDS: list[tuple[str, tuple[str, ...]]] = [
    ("发展改革", ("发改", "发展改革", "发展和改革", "发展与改革", "经发局", "经济发展")),
    ("市场监管", ("市场监管", "市场监督")),
    ("工业和信息化", ("经信", "工信", "工业和信息化", "经济和信息化")),
    ("司法", ("司法",)),
    ("财政金融", ("财政", "金融", "银保监", "人民银行", "人行")),
    ("行政审批与数据", ("审批", "政务服务", "数据", "大数据", "城运中心")),
    ("人力资源社会保障", ("人社", "人力资源", "人力社保")),
    ("住房城乡建设", ("住建", "住房", "建设局")),
    ("商务招商", ("商务", "招商", "投资促进")),
    ("科技", ("科技",)),
    ("自然资源", ("自然资源",)),
    ("税务", ("税务",)),
    ("交通运输", ("交通",)),
    ("公安", ("公安",)),
    ("法院检察", ("法院", "检察")),
    ("统计", ("统计",)),
    ("文化旅游", ("文旅", "文化和旅游", "文化广电")),
    ("农业农村", ("农业",)),
    ("组织人事", ("组织部", "党群")),
    ("政府办公室", ("政府办",)),
]
COLLECTIVE = ("各", "有关", "相关")


def kind_of(unit: str) -> str | None:
    if unit.startswith(COLLECTIVE):
        return None
    for kind, words in KINDS:
        if any(word in unit for word in words):
            return kind
    return None


def measures() -> list[dict[str, str]]:
    files = sorted((ROOT / "luoshi/plans/tests/data").glob("*/gold/*.jsonl"))
    files += sorted((ROOT / "luoshi/plans/parser/data").glob("*.jsonl"))
    rows = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            leads = item.get("lead_units") or []
            kind = kind_of(leads[0]) if leads else None
            if kind:
                rows.append({"doc": item["doc"], "title": item.get("title") or "", "text": item["text"],
                             "lead_unit": leads[0], "department": kind})
    return rows


def labelled_set() -> list[dict[str, str]]:
    """The measures of the kinds with at least MIN_PER_KIND of them."""
    rows = measures()
    counts = Counter(row["department"] for row in rows)
    return [row for row in rows if counts[row["department"]] >= MIN_PER_KIND]


def write(out: Path, kept: list[dict[str, str]]) -> None:
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["doc", "title", "text", "lead_unit", "department"])
        writer.writeheader()
        writer.writerows(kept)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "departments.csv")
    kept = labelled_set()
    write(out, kept)
    kinds = Counter(row["department"] for row in kept)
    print(f"{len(kept)} measures, {len(kinds)} kinds, {len({r['doc'] for r in kept})} plans -> {out}")
    print(", ".join(f"{kind} {n}" for kind, n in kinds.most_common()))


if __name__ == "__main__":
    main()
