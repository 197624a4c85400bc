"""The directories shipped in luoshi/directory/data cover every unit the seed plans name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from luoshi.directory.selectors import resolve_units
from luoshi.directory.services import load_shipped_directories
from luoshi.orgs.models import Region, Unit, UnitKind

GOLD_DIR = Path(__file__).resolve().parents[2] / "plans" / "tests" / "data" / "gold"  # in the repository
# Seed → the region its plan belongs to.
SEED_REGIONS = {"000": "420800", "001": "421000", "002": "420200-xg", "003": "420600", "004": "420112"}
# Units named in seeds 003 (襄阳 news report) and 004 (东西湖区 interpretation), which have no gold file.
HAND_LISTED = {
    "003": ["市发改委", "市委政法委", "市市场监管局", "枣阳市", "谷城县", "市委", "市政府"],
    "004": ["区发改局", "区委", "区政府"],
}
# Seed 000's units as written (also in its gold file); kept here so the test runs without /work/shared.
SEED_000 = [
    "人行荆门市分行",
    "国家金融监管总局荆门监管分局",
    "市交通运输局",
    "市人社局",
    "市住房和城市更新局",
    "市公共资源交易中心",
    "市公安局",
    "市农业农村局",
    "市卫健委",
    "市发改委",
    "市司法局",
    "市商务局",
    "市城控集团",
    "市城管委",
    "市委宣传部",
    "市委政法委",
    "市委社会工作部",
    "市委组织部",
    "市委统战部",
    "市审批局",
    "市工商联",
    "市市场监管局",
    "市招商局",
    "市政府办",
    "市政府国资委",
    "市教育局",
    "市数据局",
    "市文旅局",
    "市检察院",
    "市法院",
    "市生态环境局",
    "市科技局",
    "市税务局",
    "市经信局",
    "市自然资源和城乡建设局",
    "市财政局",
    "荆楚理工学院",
    "荆门供电公司",
    "荆门海关",
]


def _gold_units() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted(GOLD_DIR.glob("*.jsonl")):
        names: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                names += [u for u in row["lead_units"] + row["co_units"] if u not in names]
        out[path.name[:3]] = names
    return out


def _assert_all_resolve(seed: str, names: list[str]) -> None:
    region = Region.objects.get(code=SEED_REGIONS[seed])
    results = resolve_units(names, region)
    failed = [(r.name, str(r.status), r.describe()) for r in results if r.status != "resolved"]
    assert not failed, f"seed {seed}: {failed}"


def test_seed_000_names_39_units_and_all_resolve_in_jingmen(shipped: None) -> None:
    assert len(set(SEED_000)) == 39
    _assert_all_resolve("000", SEED_000)


def test_every_gold_unit_resolves_in_its_seed_region(shipped: None) -> None:
    gold = _gold_units()
    assert set(gold) == {"000", "001", "002"}, "the gold files of the seed plans ship with the repository"
    for seed, names in gold.items():
        _assert_all_resolve(seed, names)


def test_hand_listed_units_of_seeds_003_and_004_resolve(shipped: None) -> None:
    for seed, names in HAND_LISTED.items():
        _assert_all_resolve(seed, names)


def test_canonical_full_names(shipped: None) -> None:
    jingmen = Region.objects.get(code="420800")
    expected = {
        "市发改委": "荆门市发展和改革委员会",
        "市审批局": "荆门市行政审批局",
        "人行荆门市分行": "中国人民银行荆门市分行",
        "国家金融监管总局荆门监管分局": "国家金融监督管理总局荆门监管分局",
        "市法院": "荆门市中级人民法院",
        "市委统战部": "中共荆门市委统一战线工作部",
        "荆门海关": "中华人民共和国荆门海关",
    }
    results = resolve_units(list(expected), jingmen)
    assert {r.name: r.unit.name for r in results if r.unit} == expected


def test_unconfirmed_names_are_kept_as_written_and_unverified(shipped: None) -> None:
    for name in ("市城控集团", "市城管委", "市招商局"):
        unit = Unit.objects.get(region__code="420800", name=name)
        assert unit.verified is False
    assert Unit.objects.get(region__code="420200-xg", name="园区经发局").verified is False


def test_same_alias_in_shipped_cities(shipped: None) -> None:
    names = {}
    for code in ("420800", "421000", "420600", "420200", "420100"):
        (result,) = resolve_units(["市发改委"], Region.objects.get(code=code))
        assert result.unit is not None
        names[code] = result.unit.name
    assert len(set(names.values())) == 5
    assert names["421000"] == "荆州市发展和改革委员会"


def test_collective_names_are_marked(shipped: None) -> None:
    (result,) = resolve_units(["园区各相关单位"], Region.objects.get(code="420200-xg"))
    assert result.unit is not None and result.unit.kind == UnitKind.COLLECTIVE and result.is_collective


def test_loading_twice_changes_nothing(shipped: None, django_assert_max_num_queries: Any) -> None:
    units = Unit.objects.count()
    results = load_shipped_directories()
    assert not any(r.changed for _, r in results)
    assert Unit.objects.count() == units


def test_renamed_unit_is_not_duplicated_by_a_reload(shipped: None) -> None:
    from luoshi.directory.services import unit_verify

    unit = Unit.objects.get(region__code="420800", name="市城管委")
    unit_verify(actor=None, unit=unit, name="荆门市城市管理执法委员会")
    load_shipped_directories()
    assert not Unit.objects.filter(region__code="420800", name="市城管委").exists()
    unit.refresh_from_db()
    assert unit.verified and unit.name == "荆门市城市管理执法委员会"
