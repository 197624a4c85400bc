"""Structure, units, deadlines and targets: the rules each format relies on."""

from __future__ import annotations

from datetime import date

import pytest

from luoshi.plans.parser import ParseError, parse_text
from luoshi.plans.parser.deadlines import parse_deadline
from luoshi.plans.parser.normalize import normalize
from luoshi.plans.parser.structure import build_tree, match_marker, split_lines
from luoshi.plans.parser.targets import extract_targets
from luoshi.plans.parser.units import parse_responsibility

HEAD = "某市人民政府办公室\n2025年3月1日\n某市优化营商环境行动方案\n"


def parse(body: str, **kw):  # type: ignore[no-untyped-def]
    return parse_text(HEAD + body, suggest=False, **kw)


# ---- headings --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("一、总体要求", "cn"),
        ("(一)优化服务", "pcn"),
        ("（二）优化服务", "pcn"),
        ("1.推进改革", "num"),
        ("2、推进改革", "num"),
        ("(3)推进改革", "pnum"),
        ("①推进改革", "circ"),
        ("第三条 推进改革", "article"),
        ("行动2:推进改革", "action:行动"),
        ("任务3:推进改革", "action:任务"),
    ],
)
def test_heading_markers(line: str, kind: str) -> None:
    n = normalize(line)
    mk = match_marker(n, 0, len(n))
    assert mk is not None and mk[0] == kind


@pytest.mark.parametrize(
    "line", ["1.5倍以上", "12345热线全天受理", "2025年底前完成", "3个线上渠道", "12大产业"]
)
def test_numbers_are_not_headings(line: str) -> None:
    n = normalize(line)
    assert match_marker(n, 0, len(n)) is None


def test_heading_levels_nest_by_style() -> None:
    text = "一、重点任务\n(一)优化服务\n1.推进A。\n2.推进B。\n(二)强化保障\n1.推进C。\n二、保障措施\n"
    n = normalize(text)
    tree = build_tree(n, split_lines(text, n))
    assert [len(c.children) for c in tree.children] == [2, 0]
    assert [len(c.children) for c in tree.children[0].children] == [2, 1]


# ---- formats (a)–(g) -------------------------------------------------------------------------------------
def test_a_parenthetical_per_measure_with_labels_and_brackets() -> None:
    r = parse(
        "一、重点任务\n"
        "1.优化审批。推行并联审批。(牵头单位:市审批局;责任单位:市发改委、市住建局)\n"
        "2.降低成本。开展减负行动。(责任单位:市经信局,完成时限:4月底前)\n"
        "3.强化监管。推行综合查一次。〔市市场监管局负责,2025年6月底前完成〕\n"
    )
    m1, m2, m3 = r.measures
    assert (m1.lead_units, m1.co_units) == (["市审批局"], ["市发改委", "市住建局"])
    assert m2.lead_units == ["市经信局"] and m2.deadline == date(2025, 4, 30)
    assert m3.lead_units == ["市市场监管局"] and m3.deadline == date(2025, 6, 30)


def test_a_several_parentheticals_in_one_item_are_united() -> None:
    r = parse("一、重点任务\n1.推进改革。推行A(市发改委负责)、B(市财政局负责),年底前完成。\n")
    assert len(r.measures) == 1
    assert r.measures[0].lead_units == ["市发改委", "市财政局"]
    assert r.measures[0].deadline == date(2025, 12, 31)


def test_a_parenthetical_shared_by_sentences_before_it() -> None:
    r = parse(
        "一、重点任务\n(一)优化产业。做A。做B。(市发改委负责,2025年6月底前完成)做C。(市科技局负责,2025年9月底前完成)\n"
    )
    assert [m.text for m in r.measures] == ["做A。做B。", "做C。"]
    assert r.measures[0].path[-1] == "(一)优化产业"


def test_b_numbered_measures_without_units_get_suggestions() -> None:
    r = parse_text(HEAD + "一、重点任务\n1.推进融资服务。开展银企对接活动,新增普惠小微贷款。\n")
    m = r.measures[0]
    assert m.lead_units == [] and m.title == "推进融资服务"
    assert len(m.suggested_units) == 3 and all(0 <= s <= 1 for _, s in m.suggested_units)


def test_c_responsibility_lines_and_first_unit_rule() -> None:
    r = parse(
        "一、重点任务\n1.推进A改革。\n责任单位:市发改委、市财政局(第一责任单位为牵头单位,下同)\n时限要求:持续推进\n"
        "2.推进B改革。\n责任单位:市经信局、市商务局\n完成时限:2025年9月底前\n"
    )
    m1, m2 = r.measures
    assert (m1.lead_units, m1.co_units, m1.deadline, m1.ongoing) == (["市发改委"], ["市财政局"], None, True)
    assert (m2.lead_units, m2.co_units, m2.deadline) == (["市经信局"], ["市商务局"], date(2025, 9, 30))


def test_d_flattened_task_table_wins_over_narrative() -> None:
    r = parse(
        "一、重点任务\n(一)优化服务。推行帮办代办服务。\n附件\n专项行动\n重点任务\n序号\n具体举措\n牵头单位\n责任单位\n"
        "一、服务行动\n一、服务行动\n优化服务\n1\n推行帮办代办服务。\n市审批局\n各县市区、市直各相关单位\n"
        "2\n建设服务中心5个。\n市审批局\n市直各有关部门等\n专项行动\n重点任务\n序号\n具体举措\n牵头单位\n责任单位\n"
        "二、保障行动\n强化保障\n3\n开展培训。\n市人社局\n"
    )
    assert [m.text for m in r.measures] == ["推行帮办代办服务。", "建设服务中心5个。", "开展培训。"]
    assert r.measures[0].path == ["一、服务行动", "优化服务"]
    assert r.measures[1].co_units == ["市直各有关部门"]
    assert r.measures[2].path == ["二、保障行动", "强化保障"] and r.measures[2].lead_units == ["市人社局"]


def test_e_goals_and_safeguards_are_not_measures() -> None:
    r = parse(
        "一、总体目标\n1.到2025年营商环境进入全省前列。\n二、重点任务\n1.推进A。\n三、保障措施\n1.加强领导。\n"
    )
    assert [m.text for m in r.measures] == ["推进A。"]


def test_f_responsibility_division_is_reported_per_unit() -> None:
    r = parse(
        "一、重点任务\n1.推进A。\n2.推进B。\n三、责任分工\n市发改委主要职责为统筹协调、督促落实。\n市财政局主要职责为资金保障。\n"
    )
    assert [d["unit"] for d in r.responsibilities] == ["市发改委", "市财政局"]
    assert all(m.lead_units == [] for m in r.measures)


def test_lost_line_breaks_one_paragraph() -> None:
    text = (
        HEAD + "一、重点任务 (一)优化审批。推行并联审批。(市审批局负责,2025年6月底前完成)"
        "(二)降低成本。开展减负行动。(市经信局负责,2025年9月底前完成)二、保障措施 加强领导。"
    ).replace("\n", "")
    r = parse_text(text, suggest=False)
    assert [m.lead_units for m in r.measures] == [["市审批局"], ["市经信局"]]


def test_lost_line_breaks_full_width_spaces() -> None:
    text = (
        HEAD
        + "一、重点任务\u3000\u30001.推进A改革,新增事项10项。\u3000\u30002.推进B改革。\u3000\u3000二、保障措施\u3000\u3000加强领导。"
    )
    r = parse_text(text, suggest=False)
    assert [m.text for m in r.measures] == ["推进A改革,新增事项10项。", "推进B改革。"]


def test_traditional_and_full_width_are_matched_but_output_as_written() -> None:
    r = parse("一、重點任務\n1.推進審批改革。（市審批局牽頭，市發改委配合；2025年6月底前完成）\n")
    m = r.measures[0]
    assert (m.lead_units, m.co_units, m.deadline) == (["市審批局"], ["市發改委"], date(2025, 6, 30))
    assert m.text == "推進審批改革。"


def test_no_measures_is_a_clear_error() -> None:
    with pytest.raises(ParseError, match="未在文件中找到任何举措"):
        parse_text("这是一段普通的文字,没有任何编号条目。")


def test_unbalanced_parentheses_do_not_crash() -> None:
    r = parse(
        "一、重点任务\n1.推进A(市发改委负责,2025年6月底前完成。\n2.推进B)。(市财政局负责)\n3.((((推进C\n"
    )
    assert len(r.measures) == 3
    assert r.measures[1].lead_units == ["市财政局"]


# ---- deadlines -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "body", "expected", "ongoing"),
    [
        ("2025年6月底前完成", "", date(2025, 6, 30), False),
        ("6月底前", "", date(2025, 6, 30), False),
        ("年底前", "", date(2025, 12, 31), False),
        ("年内", "", date(2025, 12, 31), False),
        ("一季度", "", date(2025, 3, 31), False),
        ("“十四五”期间", "", date(2025, 12, 31), False),
        ("长期坚持", "", None, True),
        ("持续推进", "", None, True),
        ("贯穿全年", "", None, True),
        ("2025年3月底前完成方案,2025年9月底前全面推开", "", date(2025, 9, 30), False),
        (None, "到2026年,建成示范区。", date(2026, 12, 31), False),
        (None, "确保2024年排名进入前列。", date(2024, 12, 31), False),
        (None, "积极参加2024年“千企百展”行动。", None, False),
        (None, "相关政策延续至2024年底。", None, False),
        (None, "确保问题在2024年12月底前整改清零。", date(2024, 12, 31), False),
    ],
)
def test_deadline_phrases(field: str | None, body: str, expected: date | None, ongoing: bool) -> None:
    dl = parse_deadline(normalize(field) if field else None, normalize(body), 2025)
    assert (dl.date, dl.ongoing) == (expected, ongoing)


def test_phased_deadline_keeps_every_phase() -> None:
    dl = parse_deadline("2025年3月底前完成方案,2025年9月底前全面推开", "", 2025)
    assert [p["date"] for p in dl.phases] == [date(2025, 3, 31), date(2025, 9, 30)]


# ---- targets ---------------------------------------------------------------------------------------------
def _t(s: str) -> set[tuple[float, str, str, bool]]:
    return {(t.value, t.unit, t.op, t.implicit) for t in extract_targets(normalize(s))}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("引进大学毕业生3.5万人。", {(35000, "人", ">=", False)}),
        ("港口货物吞吐量达到8800万吨。", {(88000000, "吨", ">=", False)}),
        ("新增债券资金40亿元。", {(4000000000, "元", ">=", False)}),
        ("覆盖率均超过50%。", {(50, "%", ">", False)}),
        ("初审时间压缩至1个工作日。", {(1, "个工作日", "<=", False)}),
        ("排名进入全国地级市前80名。", {(80, "名", "<=", False)}),
        ("培训不少于3万人次。", {(30000, "人次", ">=", False)}),
        ("新增两家上市企业,达到三十个。", {(2, "家", ">=", False), (30, "个", ">=", False)}),
        ("建设3-5个示范园区。", {(3, "个", ">=", False)}),
        ("实现全覆盖。", {(100, "%", ">=", True)}),
        ("力争年底前全部清零。", {(0, "", "<=", True)}),
        ("5A级物流企业实现“零”突破。", {(1, "家", ">=", True)}),
        ("力争进入全国百强。", {(100, "名", "<=", True)}),
        ("实现惠企政策应享尽享。", {(100, "%", ">=", True)}),
    ],
)
def test_targets(text: str, expected: set[tuple[float, str, str, bool]]) -> None:
    assert _t(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "围绕石油化工等13个重点产业链。",
        "12345热线。",
        "“1+10”小流域治理。",
        "提供007帮办服务。",
        "7日内程序性回复。",
        "对企业给予最高50万元奖励。",
        "工业建筑面积占比不得低于50%。",
        "发展12大产业。",
        "2025年推进。",
        "开展第三批试点。",
        "全面推行说理式执法,零容忍。",
        "形成全覆盖的便民生活圈。",
    ],
)
def test_not_targets(text: str) -> None:
    assert _t(text) == set()


# ---- rules found on plans from other cities (see data/generalisation) ------------------------------------
def test_action_and_task_headings_nest() -> None:
    r = parse(
        "二、重点行动\n行动一:政务服务增效行动\n任务1:深化改革。推出集成服务。〔责任单位:市数据局;完成时限:2025年6月底前〕\n"
        "任务2:优化平台。升级服务专区。\n行动二:要素保障行动\n任务3:降低成本。落实用电政策。\n"
    )
    assert [(m.path[-1], m.title) for m in r.measures] == [
        ("行动一:政务服务增效行动", "深化改革"),
        ("行动一:政务服务增效行动", "优化平台"),
        ("行动二:要素保障行动", "降低成本"),
    ]


def test_lead_line_then_responsible_line_gives_lead_and_co() -> None:
    r = parse(
        "一、重点任务\n1.推进A改革。\n牵头单位:市审批局\n责任单位:市发改委、市住建局\n完成时限:2025年一季度\n"
        "2.推进B改革。\n牽頭單位:市财政局\n"
    )
    m1, m2 = r.measures
    assert (m1.lead_units, m1.co_units, m1.deadline) == (
        ["市审批局"],
        ["市发改委", "市住建局"],
        date(2025, 3, 31),
    )
    assert (m2.lead_units, m2.co_units) == (["市财政局"], [])


def test_lost_line_breaks_with_markers_glued_to_the_text() -> None:
    text = HEAD + (
        "三、重点任务　　(一)政务服务1.推进A改革。推行并联审批。(市审批局牵头,市发改委配合,2025年6月底前完成)"
        "2.推进B改革。开展减负行动。(市经信局牵头,2025年9月底前完成)(二)要素保障3.推进C改革。加强资金保障。(市财政局负责,2025年12月底前完成)"
        "四、实施步骤(一)部署阶段(2025年3月)。制定方案。五、责任分工市发改委主要职责为:统筹协调。市财政局主要职责为:资金保障。"
    )
    r = parse_text(text, suggest=False)
    assert [(m.path[-1], m.title, m.lead_units) for m in r.measures] == [
        ("(一)政务服务", "推进A改革", ["市审批局"]),
        ("(一)政务服务", "推进B改革", ["市经信局"]),
        ("(二)要素保障", "推进C改革", ["市财政局"]),
    ]
    assert [d["unit"] for d in r.responsibilities] == ["市发改委", "市财政局"]


def test_one_item_with_two_sentence_groups_is_split_without_changing_the_others() -> None:
    r = parse(
        "一、重点任务\n1.推进A。做A。(市发改委负责,2025年6月底前完成)\n"
        "2.推进B。做B1。(市科技局负责,2025年6月底前完成)做B2。(市财政局负责,2025年9月底前完成)\n"
    )
    assert [(m.path[-1], m.title, m.text) for m in r.measures] == [
        ("一、重点任务", "推进A", "做A。"),
        ("2.推进B", None, "做B1。"),
        ("2.推进B", None, "做B2。"),
    ]


def test_pdf_running_header_is_not_a_repeated_label_line() -> None:
    pages = [
        ["文件头", "1.推进A。", "完成时限:2025年6月底前", "2.推进B。", "完成时限:2025年7月底前", "— 1 —"],
        ["文件头", "3.推进C。", "完成时限:2025年8月底前", "— 2 —"],
        ["文件头", "4.推进D。", "完成时限:2025年9月底前", "— 3 —"],
    ]
    from luoshi.plans.parser.readers import join_pdf_lines

    lines = join_pdf_lines(pages).splitlines()
    assert "文件头" not in lines
    assert lines.count("完成时限:2025年8月底前") == 1 and "完成时限:2025年9月底前" in lines


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("进口、出口整体通关时间分别压缩至30小时、1小时以内。", {(30.0, "小时"), (1.0, "小时")}),
        ("信用修复申请受理后3个工作日内办结,7日内反馈。", set()),
    ],
)
def test_time_figures_in_an_enumeration(body: str, expected: set[tuple[float, str]]) -> None:
    assert {(t.value, t.unit) for t in extract_targets(normalize(body))} == expected


def test_five_year_plan_end() -> None:
    assert parse_deadline("“十四五”期末", "", 2025).date == date(2025, 12, 31)


def test_table_section_rows_spanning_the_table_head_the_path() -> None:
    from luoshi.plans.parser.readers import read_bytes

    html = (
        "<html><body><div id='zoom'><p>某县优化营商环境重点任务清单</p><table>"
        "<tr><td>序号</td><td>工作任务</td><td>具体内容</td><td>责任单位</td><td>完成时限</td></tr>"
        "<tr><td colspan='5'>一、提升政务服务效能</td></tr>"
        "<tr><td>1</td><td rowspan='2'>深化一件事改革</td><td>新增一件事主题服务10个。</td>"
        "<td>县政务服务中心、县市场监管局</td><td>2025年6月底前</td></tr>"
        "<tr><td>2</td><td>推行帮办代办服务。</td><td>各镇(街道)</td><td>长期坚持</td></tr>"
        "<tr><td colspan='5'>二、强化要素保障</td></tr>"
        "<tr><td>3</td><td>加大金融支持</td><td>新增贷款20亿元。</td><td>县金融办</td><td>2025年12月底前</td></tr>"
        "</table></div></body></html>"
    )
    doc = read_bytes(html.encode(), "html")
    r = parse_text(doc.text, tables=doc.tables, suggest=False, year=2025)
    assert [(m.path, m.lead_units) for m in r.measures] == [
        (["一、提升政务服务效能", "深化一件事改革"], ["县政务服务中心", "县市场监管局"]),
        (["一、提升政务服务效能", "深化一件事改革"], ["各镇(街道)"]),
        (["二、强化要素保障", "加大金融支持"], ["县金融办"]),
    ]


def test_section_words_judge_top_level_headings_only() -> None:
    r = parse(
        "一、主要目标\n到2025年底营商环境进入全省前列。\n二、主要任务及责任分工\n(一)优化审批服务\n"
        "1.推行并联审批。(市审批局负责,2025年6月底前完成)\n(二)健全工作机制\n2.建立企业诉求闭环办理工作机制。\n"
        "三、保障措施\n(一)加强组织领导\n3.成立工作专班。\n"
    )
    assert [(m.path[-1], m.text) for m in r.measures] == [
        ("(一)优化审批服务", "推行并联审批。"),
        ("(二)健全工作机制", "建立企业诉求闭环办理工作机制。"),
    ]


def test_a_bare_month_in_a_time_field_is_that_month_of_the_plan_year() -> None:
    assert parse_deadline("6月", "", 2025).date == date(2025, 6, 30)
    assert parse_deadline(None, "6月召开推进会。", 2025).date is None  # in the text it is no deadline


def test_a_leader_column_is_not_a_unit_column() -> None:
    from luoshi.plans.parser.tables import assign_roles

    assert assign_roles(["序号", "工作任务", "牵头领导", "牵头单位", "责任单位", "完成时限"]) == [
        "seq",
        "content",
        "other",
        "lead",
        "co",
        "time",
    ]


def test_a_site_menu_naming_interpretations_does_not_make_a_plan_one() -> None:
    r = parse(
        "首页 政务公开 政策解读 互动交流\n政策解读\n一、重点任务\n1.推进A改革。(市发改委负责,2025年6月底前完成)\n"
    )
    assert r.kind == "plan" and len(r.measures) == 1


def test_an_article_laid_out_in_a_table_is_text_not_a_table() -> None:
    from luoshi.plans.parser.readers import read_bytes

    items = "".join(
        f"<p>{i}.推进第{i}项改革,完善相关制度机制,持续优化营商环境,提升企业和群众的获得感和满意度,确保落地见效。"
        f"(市发改委负责,2025年{i}月底前完成)</p>"
        for i in range(1, 7)
    )
    html = (
        "<html><body><table><tr><td>某市优化营商环境行动方案</td></tr><tr><td id='content'>"
        f"<p>某市人民政府办公室</p><p>2025年3月1日</p><p>一、重点任务</p>{items}<p>二、保障措施</p></td></tr></table>"
        "</body></html>"
    )
    doc = read_bytes(html.encode("gb18030"), "html")
    assert doc.tables == []
    r = parse_text(doc.text, suggest=False)
    assert len(r.measures) == 6 and r.measures[-1].deadline == date(2025, 6, 30)


def test_pdf_wrapped_line_starting_with_a_decimal_is_joined() -> None:
    from luoshi.plans.parser.readers import join_pdf_lines

    pages = [["1.推进企业开办便利化,企业开办时间压缩至", "0.5个工作日以内。", "2.推进审批改革。"]]
    assert join_pdf_lines(pages, [[True, False, False]]).splitlines() == [
        "1.推进企业开办便利化,企业开办时间压缩至0.5个工作日以内。",
        "2.推进审批改革。",
    ]


# ---- second generalisation round -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("用电报装容量160千瓦及以下小微企业实行“三零”服务", set()),
        ("对500万元以上的项目实行专班服务", set()),
        ("推出企业迁移、员工录用等10个以上“一件事”套餐", {(10.0, "个")}),
        ("围绕石油化工等13个重点产业链,制定实施“一链一策”", set()),
        ("确保用电报装时间压缩至15个工作日及以下", {(15.0, "个工作日")}),
    ],
)
def test_scope_figures_are_not_targets(text: str, expected: set[tuple[float, str]]) -> None:
    assert {(t.value, t.unit) for t in extract_targets(text) if not t.implicit} == expected


def test_units_before_a_collective_after_deng_are_split() -> None:
    body = "二、重点任务\n1.规范涉企检查。行政检查总量同比压缩30%以上。(牵头单位:省司法厅;配合单位:省市场监管局、省应急管理厅等省直有关部门)\n"
    m = parse(body).measures[0]
    assert m.co_units == ["省市场监管局", "省应急管理厅", "省直有关部门"]


def test_lead_inline_and_co_label_on_the_next_line_keep_their_roles() -> None:
    body = (
        "二、重点任务\n1.推进“高效办成一件事”扩面增效,新增集成服务事项15项以上。牵头单位:市数据局\n"
        "责任单位:市直有关部门 完成时限:2025年12月底前\n"
        "2.深化企业开办改革,企业开办时间压缩至1个工作日以内。牵头单位:市市场监管局\n"
    )
    m = parse(body).measures[0]
    assert (m.lead_units, m.co_units, m.deadline) == (["市数据局"], ["市直有关部门"], date(2025, 12, 31))


@pytest.mark.parametrize(
    ("paren", "lead", "co"),
    [
        ("(省发展改革委牵头,省财政厅等按职责分工负责)", ["省发展改革委"], ["省财政厅"]),
        ("(由市住建局牵头,市自然资源局配合)", ["市住建局"], ["市自然资源局"]),
        ("(各市、县(区)人民政府负责)", ["各市、县(区)人民政府"], []),
        ("(责任单位:区财政局(牵头)、区税务局)", ["区财政局"], ["区税务局"]),
        ("(主要责任单位:市发改委;次要责任单位:市财政局)", ["市发改委"], ["市财政局"]),
    ],
)
def test_responsibility_phrasings(paren: str, lead: list[str], co: list[str]) -> None:
    m = parse(f"二、重点任务\n1.深化企业开办改革,企业开办时间压缩至1个工作日以内。{paren}\n").measures[0]
    assert (m.lead_units, m.co_units) == (lead, co)


@pytest.mark.parametrize("phrase", ["本年度内", "年度内", "2025年度内"])
def test_year_of_the_plan_with_du(phrase: str) -> None:
    assert parse_deadline(phrase, "", 2025).date == date(2025, 12, 31)


@pytest.mark.parametrize(
    "tail",
    [
        "【责任单位:省政务服务办】【完成时限:2025年6月底前】",
        "(责任单位:省政务服务办)(完成时限:2025年6月底前)",
        "(完成时限:2025年6月底前)(责任单位:省政务服务办)",
    ],
)
def test_time_limit_in_its_own_bracket_beside_the_units(tail: str) -> None:
    m = parse(f"三、工作任务\n1、推行“一件事一次办”,新增集成服务20项。{tail}\n").measures[0]
    assert m.text == "推行“一件事一次办”,新增集成服务20项。"
    assert (m.lead_units, m.deadline) == (["省政务服务办"], date(2025, 6, 30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("培育专精特新企业10—15家", {(10.0, "家")}),
        ("企业诉求按时办结率100%", {(100.0, "%")}),
        ("企业满意度保持在90分以上", {(90.0, "分")}),
        ("审批时限压缩三分之一,分两批实施", set()),
    ],
)
def test_more_target_phrasings(text: str, expected: set[tuple[float, str]]) -> None:
    assert {(t.value, t.unit) for t in extract_targets(text) if not t.implicit} == expected


# ---- third round: known gaps ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("明年6月底前", date(2026, 6, 30)),
        ("次年6月底前", date(2026, 6, 30)),
        ("下一年6月底前", date(2026, 6, 30)),
        ("今年6月底前", date(2025, 6, 30)),
        ("明年底前", date(2026, 12, 31)),
        ("后年底前", date(2027, 12, 31)),
        ("明年一季度", date(2026, 3, 31)),
        ("次年上半年", date(2026, 6, 30)),
    ],
)
def test_years_relative_to_the_plan_year(phrase: str, expected: date) -> None:
    assert parse_deadline(normalize(phrase), "", 2025).date == expected
    assert parse_deadline(None, normalize(f"推进A工作,{phrase}完成。"), 2025).date == expected


def test_lead_word_with_a_relative_year_is_that_year_end() -> None:
    assert parse_deadline(None, "到明年,建成示范区。", 2025).date == date(2026, 12, 31)
    assert parse_deadline(None, "在当年完成认定。", 2025).date is None


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("年中", date(2025, 6, 30)),
        ("年中前完成", date(2025, 6, 30)),
        ("年初", date(2025, 3, 31)),
        ("明年年初", date(2026, 3, 31)),
        ("2026年年中", date(2026, 6, 30)),
    ],
)
def test_mid_and_early_year(phrase: str, expected: date) -> None:
    assert parse_deadline(phrase, "", 2025).date == expected


@pytest.mark.parametrize("body", ["今年初步建成平台。", "全年中完成评估。"])
def test_mid_and_early_year_inside_words_are_no_deadline(body: str) -> None:
    assert parse_deadline(None, body, 2025).date is None


def test_a_year_before_zhongxiao_is_no_mid_year() -> None:
    # "2025年中小企业…" holds no 年中 (06-30); the year opening the sentence before a figure dates its commitment
    # to that year's end (rule "date:YYYY年, (sentence start)", blind batch 7)
    dl = parse_deadline(None, "2025年中小企业贷款增长10%。", 2025)
    assert (dl.date, dl.rule) == (date(2025, 12, 31), "date:YYYY年, (sentence start)")


@pytest.mark.parametrize(
    "field",
    ["每年12月底前", "每季度", "每月10日前报送", "每季度末前报送进展", "按季度于3月、6月、9月、12月底前报送"],
)
def test_recurring_time_limits_are_ongoing(field: str) -> None:
    dl = parse_deadline(field, "", 2025)
    assert (dl.date, dl.ongoing) == (None, True)


def test_a_recurring_date_beside_a_one_off_keeps_the_one_off() -> None:
    body = "每年12月底前报送年报,2025年9月底前建成系统。"
    assert parse_deadline(None, body, 2025).date == date(2025, 9, 30)


@pytest.mark.parametrize("field", ["2025年起", "自2025年6月起实施", "从2025年开始"])
def test_a_start_is_not_a_deadline(field: str) -> None:
    dl = parse_deadline(field, "", 2025)
    assert (dl.date, dl.ongoing) == (None, True)


def test_years_within_count_from_the_plan_year() -> None:
    assert parse_deadline("3年内", "", 2025).date == date(2027, 12, 31)
    assert parse_deadline(None, "力争用3年时间建成。", 2025).date == date(2027, 12, 31)
    assert parse_deadline(None, "对注册3年内的企业给予支持。", 2025).date is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("营商环境评价排名保持全省前三。", {(3, "名", "<=", False)}),
        ("力争进入全省前10位。", {(10, "名", "<=", False)}),
        ("进入全省前三名。", {(3, "名", "<=", False)}),
        ("营商环境评价位列全省第一。", {(1, "名", "<=", False)}),
        ("跻身全国前20强。", {(20, "名", "<=", True)}),
        ("营商环境进入全省前列。", set()),
        ("保持全省第一方阵。", set()),
        ("前三季度完成评估。", set()),
        ("对前10名企业给予奖励。", set()),
        ("以企业感受作为检验工作成效的第一标准。", set()),
    ],
)
def test_rankings_that_name_a_number_are_targets_in_ming(
    text: str, expected: set[tuple[float, str, str, bool]]
) -> None:
    assert _t(text) == expected


@pytest.mark.parametrize("text", ["高新技术企业数量翻一番。", "税收收入不低于上年。", "产值增长1.5倍。"])
def test_relative_figures_without_an_amount_are_not_targets(text: str) -> None:
    assert _t(text) == set()


@pytest.mark.parametrize(
    ("paren", "lead", "co"),
    [
        ("(市发改委牵头负责,市财政局落实)", ["市发改委"], ["市财政局"]),
        ("(市发改委牵头负责,市财政局、市税务局落实)", ["市发改委"], ["市财政局", "市税务局"]),
        ("(市发改委牵头,各县市区政府落实)", ["市发改委"], ["各县市区政府"]),
        ("(市发改委牵头抓总,市财政局具体实施)", ["市发改委"], ["市财政局"]),
        ("(市发改委牵头,市财政局、市税务局(按职责分工负责))", ["市发改委"], ["市财政局", "市税务局"]),
        (
            "(牵头单位:市发改委;配合单位:市财政局、市税务局(按职责分工负责))",
            ["市发改委"],
            ["市财政局", "市税务局"],
        ),
        ("(市发改委、市财政局(按职责分工负责))", ["市发改委", "市财政局"], []),
        ("(责任单位:区财政局(牵头负责)、区税务局)", ["区财政局"], ["区税务局"]),
        ("(市政府办(市金融办)、市财政局负责)", ["市政府办(市金融办)", "市财政局"], []),
    ],
)
def test_duty_verbs_and_notes_are_not_part_of_unit_names(paren: str, lead: list[str], co: list[str]) -> None:
    m = parse(f"二、重点任务\n1.深化企业开办改革,企业开办时间压缩至1个工作日以内。{paren}\n").measures[0]
    assert (m.lead_units, m.co_units) == (lead, co)


@pytest.mark.parametrize(
    ("paren", "lead", "co"),
    [
        ("(市发改委会同市财政局、市税务局负责)", ["市发改委"], ["市财政局", "市税务局"]),
        ("(市发改委牵头,会同市财政局推进)", ["市发改委"], ["市财政局"]),
        ("(市发改委为牵头单位,市财政局为配合单位)", ["市发改委"], ["市财政局"]),
        ("(市发改委主办,市财政局协办)", ["市发改委"], ["市财政局"]),
        ("(市发改委、市财政局分别负责)", ["市发改委", "市财政局"], []),
        ("(市发改委等部门按职责分工负责)", ["市发改委"], []),
        ("(市发改委、市财政局,第一责任单位为牵头单位)", ["市发改委"], ["市财政局"]),
    ],
)
def test_more_responsibility_phrasings(paren: str, lead: list[str], co: list[str]) -> None:
    m = parse(f"二、重点任务\n1.深化企业开办改革,企业开办时间压缩至1个工作日以内。{paren}\n").measures[0]
    assert (m.lead_units, m.co_units) == (lead, co)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("推进C改革,2024—2025年完成改造。", date(2025, 12, 31)),
        ("2026年前建成示范区。", date(2026, 12, 31)),
        ("6月完成方案制定。", date(2025, 6, 30)),
        ("力争3年内实现政务服务事项100%网办。", date(2027, 12, 31)),
        ("力争两年内全面建成。", date(2026, 12, 31)),
    ],
)
def test_a_commitment_after_a_year_or_month_makes_it_a_deadline(body: str, expected: date) -> None:
    assert parse_deadline(None, body, 2025).date == expected


def test_months_joined_by_a_comma_are_phases_of_one_commitment() -> None:
    dl = parse_deadline(None, "分两批于6月、12月完成。", 2025)
    assert dl.date == date(2025, 12, 31)
    assert [p["date"] for p in dl.phases] == [date(2025, 6, 30), date(2025, 12, 31)]
    dl = parse_deadline("2026年3月、6月底前", "", 2025)
    assert [p["date"] for p in dl.phases] == [date(2026, 3, 31), date(2026, 6, 30)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("涉企审批事项全部进驻政务服务中心。", {(100, "%", ">=", True)}),
        ("网办率达到百分之九十五。", {(95, "%", ">=", False)}),
        ("网办率达到百分之九十五点五以上。", {(95.5, "%", ">=", False)}),
        ("占比不得低于百分之五十。", set()),
        ("按百分之五十给予补贴。", set()),
        ("全部门协同推进。", set()),
        ("全量精准标注政策申报条件。", set()),
    ],
)
def test_completeness_verbs_and_percentages_in_words(
    text: str, expected: set[tuple[float, str, str, bool]]
) -> None:
    assert _t(text) == expected


@pytest.mark.parametrize(
    ("tail", "lead", "co"),
    [
        ("【牵头单位:市商务局】【配合单位:市财政局】", ["市商务局"], ["市财政局"]),
        ("(牵头单位:市商务局)(责任单位:市财政局)", ["市商务局"], ["市财政局"]),
        ("(责任单位:市商务局牵头,市财政局、市税务局配合)", ["市商务局"], ["市财政局", "市税务局"]),
        ("(责任单位:市商务局、市财政局按职责分工负责)", ["市商务局", "市财政局"], []),
        ("\n责任单位:市商务局牵头,市财政局配合\n完成时限:年中", ["市商务局"], ["市财政局"]),
    ],
)
def test_labels_in_separate_brackets_and_phrases_inside_a_label(
    tail: str, lead: list[str], co: list[str]
) -> None:
    m = parse(f"二、重点任务\n1.推进F改革,新增事项10项。{tail}\n").measures[0]
    assert (m.text, m.lead_units, m.co_units) == ("推进F改革,新增事项10项。", lead, co)


def test_a_lone_responsible_label_beside_a_unit_phrase_stays_a_union() -> None:
    m = parse("二、重点任务\n1.推进A(市发改委负责)、B(责任单位:市财政局),年底前完成。\n").measures[0]
    assert (m.lead_units, m.co_units) == (["市发改委", "市财政局"], [])


def test_items_numbered_on_from_a_part_not_in_the_text_are_headings() -> None:
    r = parse(
        "二、重点任务\n6.推进C改革。(牵头单位:市商务局)(配合单位:市财政局)\n7.推进D改革。(市税务局负责)\n"
        "8.推进E改革。(市税务局负责)(市财政局负责)\n"
    )
    assert [(m.text, m.lead_units, m.co_units) for m in r.measures] == [
        ("推进C改革。", ["市商务局"], ["市财政局"]),
        ("推进D改革。", ["市税务局"], []),
        ("推进E改革。", ["市税务局", "市财政局"], []),
    ]


def test_a_lone_number_that_no_sequence_follows_is_not_a_heading() -> None:
    n = normalize("二、重点任务\n5.推进A改革。\n")
    tree = build_tree(n, split_lines("二、重点任务\n5.推进A改革。\n", n))
    assert tree.children[0].children == []


def test_the_title_is_the_plan_name_with_its_period_not_the_notice_or_metadata() -> None:
    from luoshi.plans.parser import parse_text

    text = (
        "标  题:荆门市人民政府办公室关于印发荆门市优化营商环境行动方案的通知\n"
        "主题分类:综合政务\n"
        "各县、市、区人民政府:\n《荆门市优化营商环境行动方案(2026年)》已经市政府同意,现印发给你们。\n"
        "荆门市人民政府办公室\n2026年3月2日\n"
        "荆门市优化营商环境行动方案\n(2026年)\n"
        "一、重点任务\n1.推行企业开办一网通办。(市市场监管局负责)\n"
    )
    assert parse_text(text, suggest=False).title == "荆门市优化营商环境行动方案(2026年)"


def test_markers_with_decoration_before_them_are_headings() -> None:
    from luoshi.plans.parser import parse_text

    text = (
        "某市优化营商环境行动方案\n二、重点任务\n■(一)优化政务服务\n●1.推行企业开办一网通办。(市市场监管局负责)\n"
        "●2.推行容缺受理。(市政务服务局负责)\n"
    )
    ms = parse_text(text, year=2025, suggest=False).measures
    assert [m.lead_units for m in ms[:2]] == [["市市场监管局"], ["市政务服务局"]]
    assert ms[0].path[-1].endswith("(一)优化政务服务")


def test_a_keyword_marker_style_is_discovered_from_the_document() -> None:
    # "攻坚N" is in no fixed list: it recurs with increasing numbers, so it is a style of this document
    r = parse(
        "一、重点任务\n攻坚1:优化审批服务\n(1)推行并联审批。(市审批局负责)\n(2)压缩办理时限。(市发改委负责)\n"
        "攻坚2:强化监管执法\n(1)推行综合查一次。(市市场监管局负责)\n"
    )
    assert [(m.path, m.lead_units) for m in r.measures] == [
        (["一、重点任务", "攻坚1:优化审批服务"], ["市审批局"]),
        (["一、重点任务", "攻坚1:优化审批服务"], ["市发改委"]),
        (["一、重点任务", "攻坚2:强化监管执法"], ["市市场监管局"]),
    ]


def test_a_prefix_seen_once_or_a_table_caption_is_no_marker_style() -> None:
    from luoshi.plans.parser.structure import discover_keywords

    assert discover_keywords(normalize("攻坚1:优化审批\n内容。\n")) == frozenset()
    assert discover_keywords(normalize("表1:指标\n表2:任务\n")) == frozenset()
    assert discover_keywords(normalize("突破一 数据\n突破二 监管\n")) == {"突破"}


def test_appendix_items_belong_to_the_appendix_not_the_last_section() -> None:
    r = parse(
        "一、重点任务\n(一)优化审批。推行并联审批。(市审批局负责)\n二、保障措施\n(一)加强领导。\n"
        "附件\n重点任务清单\n1.推行容缺受理。(市政务服务中心负责)\n"
    )
    texts = {m.text: m.path for m in r.measures}
    item = next(p for t, p in texts.items() if "容缺受理" in t)
    assert item[0].startswith("附件") and "保障措施" not in "".join(item)


def test_a_covering_notice_numbered_like_the_plan_is_not_the_plan() -> None:
    from luoshi.plans.parser.structure import FRONT_MATTER_RULE

    for example in FRONT_MATTER_RULE.examples:
        r = parse_text(example.text + "(一)优化审批。推行并联审批。(市审批局负责)\n", suggest=False, year=2025)
        assert r.title == example.expect
        assert [(m.path[0], m.lead_units) for m in r.measures] == [("一、重点任务", ["市审批局"])]


def test_a_note_about_later_items_after_a_full_stop_closes_the_phrase() -> None:
    r = parse(
        "一、重点任务\n(一)实施清单管理。开展清理。(省发展改革委、省商务厅牵头,省级有关单位按职责分工负责。"
        "以下均需各市政府落实,不再列出)\n"
    )
    (m,) = r.measures
    assert (m.lead_units, m.co_units) == (["省发展改革委", "省商务厅"], ["省级有关单位"])


@pytest.mark.parametrize(
    ("phrase", "lead", "co"),
    [
        ("市发改委牵头推动,市财政局配合", ["市发改委"], ["市财政局"]),
        ("省商务厅、发展改革委等相关部门按职责分工负责", ["省商务厅", "发展改革委", "相关部门"], []),
        ("省交通运输厅、能源局等省有关部门按职责分工落实", ["省交通运输厅", "能源局", "省有关部门"], []),
    ],
)
def test_duty_verbs_with_a_short_word_after_them(phrase: str, lead: list[str], co: list[str]) -> None:
    n = normalize(phrase)
    r = parse_responsibility(phrase, n, 0, len(n))
    assert r is not None and (r.lead, r.co) == (lead, co)


def test_a_person_after_a_duty_verb_is_no_unit_phrase() -> None:
    n = normalize("市发改委负责人")
    assert parse_responsibility("市发改委负责人", n, 0, len(n)) is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("落实好提振市场信心90条措施。", []),
        ("聚焦国家“十四五”计划102项重大工程。", []),
        ("推出10项改革举措。", [(10.0, "项")]),
    ],
)
def test_a_count_naming_a_set_of_measures_is_no_target(text: str, want: list[tuple[float, str]]) -> None:
    assert [(t.value, t.unit) for t in extract_targets(normalize(text))] == want


def test_a_pdf_line_left_inside_an_open_bracket_goes_on() -> None:
    from luoshi.plans.parser.readers import join_pdf_lines

    text = join_pdf_lines([["8.一般公共预算收入增长5%以上。(市财政局,各县", "〔市、区〕政府)", "9.城镇调查失业率。"]])
    assert text.splitlines()[0].endswith("〔市、区〕政府)")


def test_a_generic_party_word_after_a_collective_continues_it() -> None:
    n = normalize("牵头单位:市行政审批服务局;责任单位:市直有关部门、单位,各区市政府")
    r = parse_responsibility(n, n, 0, len(n))
    assert r is not None and (r.lead, r.co) == (["市行政审批服务局"], ["市直有关部门、单位", "各区市政府"])


def test_a_group_headings_path_is_its_title_not_the_sentence_after_it() -> None:
    r = parse(
        "一、重点任务\n(一)企业开办。在市场准入等方面深入推进改革。\n1*.开展一证多址改革。推行承诺制。(市市场监管局负责)\n"
        "2*.开展住所标准化登记。建立负面清单。(市市场监管局负责)\n"
    )
    assert [m.path for m in r.measures] == [["一、重点任务", "(一)企业开办。"]] * 2
    assert [m.title for m in r.measures] == ["开展一证多址改革", "开展住所标准化登记"]


def test_a_count_of_indicators_in_scope_is_no_target() -> None:
    assert extract_targets(normalize("紧扣省均衡化发展39项指标,扎实推进各项工作。")) == []


def test_an_appendix_line_naming_attachments_reads_as_nothing() -> None:
    r = parse(
        "一、重点任务\n(一)优化审批。推行并联审批。(县审批局负责)\n(二)强化监管。推行综合查一次。(县市场监管局负责)\n"
        "附件:1.重点任务清单\n2.责任分工表\n某县人民政府办公室\n2024年3月1日\n"
    )
    assert [(m.text, m.lead_units) for m in r.measures] == [
        ("推行并联审批。", ["县审批局"]),
        ("推行综合查一次。", ["县市场监管局"]),
    ]
