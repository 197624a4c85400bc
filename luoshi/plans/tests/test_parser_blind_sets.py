"""The blind batches (`data/blind1` … `data/blind9`): real plans from other provinces, each in five formats, scored
with the shared scorer. Each batch's first reading, before any fix, is recorded in its README; after the fixes
every batch is a regression set and must stay at the bar below.

- blind1: twelve plans from twelve provinces;
- blind2: nine plans (seven provinces new to the sets);
- blind3: eight plans (河南, 浙江, 青海, 广东, 湖北, 江西);
- blind4: seven plans (上海, 北京, 辽宁, 广东, 湖北, 山东);
- blind5: eight plans (鞍山 ×2, 苏州吴江 task table, 武汉蔡甸, 青委办, 哈尔滨, 沈阳, 苏州); its fixes are pinned
  in `test_parser_blind5_families.py`;
- blind6: eight plans (丽水, 济南钢城, 霍山 and 嘉兴 task tables, 淮安, 鄂尔多斯, 湘阴, an unnamed district); its fixes
  are pinned in `test_parser_blind6_families.py`;
- blind7: eight plans (池州, 江门, 嘉鱼, 杭州滨江, 德州, 东莞, 昆明官渡, an unnamed city); its fixes are pinned in
  `test_parser_blind7_families.py`;
- blind8: eight plans (乌鲁木齐高新区, 河北省, 鄂州, 马鞍山, 黑龙江省, 盐城, 连云港, 驻马店); its fixes are pinned in
  `test_parser_blind8_families.py`;
- blind9: nine plans (宿迁, an unnamed city, 芜湖 task table, 聊城 ×3, 淄博张店, 镇江, 深圳盐田); its fixes are pinned
  in `test_parser_blind9_families.py`; the two families left at its hard stop are fixed since (ADR 0140), so it
  holds the common bar (every figure 1.00 after the fixes).
- blind10: sixteen plans (铜仁, 嵊州, 许昌, 滁州, a county bureau, 内江, 潮州, 佳木斯, 平顶山, an unnamed 浙江 city,
  二连浩特, 衢州, 吉林省, 宁夏, 海东, 海城); four families fixed (its README, "After the fixes"), five left, so its F1
  and lead bars are the figures it reaches now (`BATCH_BAR`).
- blind11 (nine plans) has its first reading only: no fix yet, not a regression set.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from luoshi.plans.parser import parse_file

HERE = Path(__file__).parent
DATA = HERE / "data"
FORMATS = ["txt", "flat.txt", "html", "docx", "pdf"]
# path accuracy per batch; blind2's b407 has items under no heading, which the scorer counts as a wrong path
PATH_BAR = {
    "blind1": 0.98,
    "blind2": 0.88,
    "blind3": 0.98,
    "blind4": 0.98,
    "blind5": 0.98,
    "blind6": 0.98,
    "blind7": 0.98,
    "blind8": 0.98,
    "blind9": 0.98,
    "blind10": 0.97,
}
# a batch whose families are not all fixed keeps the bar it reaches now (README, after the fixes), not 0.98
BATCH_BAR: dict[str, dict[str, float]] = {
    "blind10": {"measure_f1": 0.89, "lead_acc": 0.94},
}


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score_extraction", DATA / "score_extraction.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _stems(batch: str) -> list[str]:
    stems = sorted(p.stem for p in (DATA / batch / "gold").glob("*.jsonl"))
    assert stems, f"{batch} has no gold"
    return stems


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("batch", sorted(PATH_BAR))
def test_every_batch_in_every_format_reaches_the_quality_bar(batch: str, fmt: str) -> None:
    sc = _scorer()
    total: dict[str, int] | None = None
    for stem in _stems(batch):
        doc = DATA / batch / "docs" / f"{stem}.{fmt}"
        pred = [m.to_score_dict() for m in parse_file(doc, suggest=False).measures]
        s = sc.score_doc(sc.load(DATA / batch / "gold" / f"{stem}.jsonl"), pred)
        total = s if total is None else {k: total[k] + s[k] for k in s}
    row = sc.line("TOTAL", total)
    for key in ("measure_f1", "lead_acc", "co_acc", "deadline_acc"):
        assert row[key] >= BATCH_BAR.get(batch, {}).get(key, 0.98), row
    assert row["path_acc"] >= PATH_BAR[batch], row
    assert row["target_f1"] >= 0.8, row


def test_the_plan_title_is_the_plans_own_name() -> None:
    def title(stem: str) -> str:
        return parse_file(DATA / "blind1" / "docs" / f"{stem}.txt", suggest=False).title

    assert title("b303_chongqing") == "重庆市2023年优化营商环境激发市场活力重点任务清单"  # not 标  题:…的通知
    assert title("b306_tianjin") == "天津市持续打造亲商安商优质服务环境若干措施"  # not the notice over two lines
    assert title("b308_shanxi") == "山西省贯彻落实《促进中部地区崛起“十三五”规划》工作方案"
    assert title("b309_xian") == "西安市强化项目服务保障优化营商环境工作方案"
    assert title("b311_taizhou") == "聚焦企业关切进一步优化营商环境行动方案"  # from the notice: no title line
