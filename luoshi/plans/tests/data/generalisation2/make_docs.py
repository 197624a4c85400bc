"""Regenerate the second generalisation set from `src/`: `python luoshi/plans/tests/data/generalisation2/make_docs.py`.

g201_jiangxi_articles.txt  src/ text saved as GB18030 (a 省级 若干措施 with 第N条 articles, full-width punctuation,
                           "（牵头单位：…；配合单位：…）", "X等省直有关部门", a 保障措施 article tied to units)
g202_luoyang_inline.pdf    src/ text → .docx (三号 font, running header, "— N —" page numbers) → PDF by LibreOffice;
                           "责任单位：…　　完成时限：…" on the same line as the measure, after its last sentence
g203_qingxiu.html          src/ page saved as GBK (left menu, breadcrumb, TRS_Editor with &nbsp;/full-width indents,
                           相关链接 and footer); "1." items restarting under each (一), units and deadline in 〔…〕
g204_siming.docx           built here: a data table of indicators, then a task table 序号|重点任务|具体措施|牵头单位|
                           配合单位|完成时间 with section rows, vertically merged 重点任务 cells, a tblHeader row and a
                           literal repeated header row, 同上, a cell wrapped over two paragraphs, units ending in 等
g205_yanta.docx            built here: Word multi-level auto-numbering (一、/（一）/1.) with no number in the text,
                           a 保障措施 item tied to units
g206_jinan_news.html       src/ page as UTF-8: a news report on a plan (figures, units, dates) that holds no measure
g207_hefei_brackets.txt    written directly in docs/ (【…】 brackets, X(牵头), X牵头,Y按职责分工负责; not rebuilt here)
The generated files are committed so the tests never need LibreOffice.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from luoshi.plans.tests.data.docgen import page_furniture, set_font, soffice_pdf

HERE = Path(__file__).parent
SRC = HERE / "src"
DOCS = HERE / "docs"


def make_g201() -> None:
    text = (SRC / "g201_jiangxi_articles.txt").read_text(encoding="utf-8")
    (DOCS / "g201_jiangxi_articles.txt").write_bytes(text.replace("\n", "\r\n").encode("gb18030"))


def make_g202() -> None:
    doc = Document()
    set_font(doc, 16)
    page_furniture(doc, "洛阳市人民政府办公室文件")
    for line in (SRC / "g202_luoyang_inline.txt").read_text(encoding="utf-8").splitlines():
        doc.add_paragraph(line)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g202_luoyang_inline.docx"
        doc.save(str(path))
        soffice_pdf(path, DOCS / "g202_luoyang_inline.pdf")


def make_g203() -> None:
    text = (SRC / "g203_qingxiu.html").read_text(encoding="utf-8")
    (DOCS / "g203_qingxiu.html").write_bytes(text.encode("gbk"))


def make_g206() -> None:
    shutil.copy(SRC / "g206_jinan_news.html", DOCS / "g206_jinan_news.html")


def _cell(cell, text: str) -> None:  # type: ignore[no-untyped-def]
    lines = text.split("\n")
    cell.paragraphs[0].text = lines[0]
    for extra in lines[1:]:
        cell.add_paragraph(extra)


HEADER = ["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时间"]
# None in 重点任务 = vertically merged with the row above; ("SECTION", title) = a row spanning the table;
# "HEADER" = the header row repeated as a literal row (pasted from another file).
ROWS: list[object] = [
    ("SECTION", "一、政务服务提质增效"),
    [
        "1",
        "深化“一件事”改革",
        "推出新生儿出生、企业开办等“一件事”集成服务20项以上。",
        "区行政服务中心管委会",
        "区市场监管局、\n区卫健局",
        "2025年6月",
    ],
    [
        "2",
        None,
        "推广“免证办”服务，年内实现高频事项“免证办”比例达到80%。",
        "区行政服务中心管委会",
        "区数据管理局",
        "2025年12月",
    ],
    [
        "3",
        "提升帮办代办水平",
        "组建区、街道两级帮办代办队伍，为重大项目提供全程帮办服务。",
        "区发改局",
        "各街道",
        "长期坚持",
    ],
    ("SECTION", "二、市场环境优化提升"),
    [
        "4",
        "规范涉企执法",
        "推行“综合查一次”，涉企行政检查次数同比减少20%以上。",
        "区司法局",
        "区市场监管局、区应急局等",
        "2025年底",
    ],
    [
        "5",
        None,
        "建立涉企轻微违法行为免罚清单，免罚清单事项不少于300项。",
        "区司法局",
        "区直各执法部门",
        "2025年9月底前",
    ],
    ["6", None, "落实包容审慎监管，推行首违不罚、轻微免罚。", "同上", "同上", "持续推进"],
    "HEADER",
    [
        "7",
        "保障中小企业款项支付",
        "开展拖欠中小企业账款清理，确保逾期未支付账款清零。",
        "区工信局",
        "区财政局、区国资中心",
        "2025年6月底前",
    ],
    ("SECTION", "三、要素保障强化提升"),
    [
        "8",
        "强化融资服务",
        "开展“政银企”对接活动不少于20场，对符合条件的企业给予最高30万元贷款贴息。",
        "区金融服务中心",
        "人行厦门市分行思明支行等各相关部门",
        "2025年第四季度",
    ],
    [
        "9",
        None,
        "推动“信易贷”平台扩面，平台入驻企业达到1.2万户以上。",
        "区发改局",
        "区金融服务中心",
        "2025年12月",
    ],
    [
        "10",
        "加强人才服务",
        "落实“鹭江英才”计划，新增高层次人才300人，人才公寓筹集房源不少于500套。",
        "区人才办",
        "区人社局、区住房局",
        "2025年底前",
    ],
]


def make_g204() -> None:
    doc = Document()
    set_font(doc, 14)
    for line in [
        "厦门市思明区人民政府办公室关于印发思明区2025年营商环境提升行动任务清单的通知",
        "各街道办事处，区直各部门：",
        "　　现将《思明区2025年营商环境提升行动任务清单》印发给你们，请各牵头单位会同配合单位细化工作举措，确保按期完成。",
        "一、总体要求",
        "　　2024年，全区营商环境主要指标完成情况如下：",
    ]:
        doc.add_paragraph(line)
    data = doc.add_table(rows=4, cols=4)
    data.style = "Table Grid"
    for r, row in enumerate(
        [
            ["指标", "2024年目标", "2024年完成", "2025年目标"],
            ["企业开办时间（工作日）", "1", "0.5", "0.5"],
            ["新增经营主体（万户）", "2", "2.3", "2.5"],
            ["政务服务好评率（%）", "99", "99.6", "99.8"],
        ]
    ):
        for c, value in enumerate(row):
            _cell(data.cell(r, c), value)
    for line in [
        "二、重点任务",
        "　　围绕政务服务、市场环境、要素保障三个方面，推出10项重点举措，由各牵头单位按下表组织实施。",
        "附件",
        "思明区2025年营商环境提升行动任务清单",
    ]:
        doc.add_paragraph(line)
    table = doc.add_table(rows=1 + len(ROWS), cols=6)
    table.style = "Table Grid"
    for c, h in enumerate(HEADER):
        _cell(table.cell(0, c), h)
    trpr = table.rows[0]._tr.get_or_add_trPr()
    trpr.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    merge_top: int | None = None
    for i, item in enumerate(ROWS, start=1):
        if isinstance(item, tuple):
            merged = table.cell(i, 0).merge(table.cell(i, 5))
            _cell(merged, item[1])
            merge_top = None
            continue
        if item == "HEADER":
            for c, h in enumerate(HEADER):
                _cell(table.cell(i, c), h)
            merge_top = None
            continue
        assert isinstance(item, list)
        for c, value in enumerate(item):
            if c == 1 and value is None:
                assert merge_top is not None
                table.cell(merge_top, 1).merge(table.cell(i, 1))
                continue
            _cell(table.cell(i, c), value)
        if item[1] is not None:
            merge_top = i
    for line in ["三、工作要求", "　　各牵头单位每季度末向区营商办报送工作进展情况，区营商办定期通报。"]:
        doc.add_paragraph(line)
    doc.save(str(DOCS / "g204_siming.docx"))


MULTILEVEL = f"""
<w:abstractNum {nsdecls("w")} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:lvlJc w:val="left"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/><w:lvlJc w:val="left"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/><w:lvlJc w:val="left"/></w:lvl>
</w:abstractNum>"""

G205 = [
    (None, "西安市雁塔区人民政府办公室关于印发雁塔区2025年深化营商环境改革实施方案的通知"),
    (None, "各街道办事处，区政府各工作部门，各直属机构："),
    (None, "　　《雁塔区2025年深化营商环境改革实施方案》已经区政府同意，现印发给你们，请认真贯彻执行。"),
    (None, "雁塔区2025年深化营商环境改革实施方案"),
    (0, "总体要求"),
    (
        None,
        "　　以市场主体需求为导向，持续深化“放管服”改革。到2025年底，全区经营主体总量达到25万户，企业开办实现1个工作日办结，营商环境便利度位居全市前列。",
    ),
    (0, "重点任务"),
    (1, "优化政务服务"),
    (
        2,
        "推进政务服务标准化建设。全面梳理区级政务服务事项，编制标准化办事指南，区级政务服务事项标准化率达到100%。（牵头单位：区行政审批服务局；责任单位：区级各部门）",
    ),
    (
        2,
        "深化“免申即享”改革。梳理惠企政策清单，推动符合条件的惠企政策“免申即享”，实现政策兑现应享尽享。（区发改委、区财政局负责，2025年9月底前完成）",
    ),
    (
        2,
        "提升“跨域通办”水平。与成都市武侯区、重庆市渝中区等地开展“跨省通办”合作，新增通办事项50项以上。（区行政审批服务局负责，2025年第三季度完成）",
    ),
    (1, "规范市场监管"),
    (
        2,
        "推行“信用+监管”模式。对A级纳税人等守信主体实施“白名单”管理，“双随机、一公开”抽查覆盖率达到100%。（牵头单位：区市场监管局；责任单位：区税务局、区司法局；完成时限：长期坚持）",
    ),
    (
        2,
        "开展涉企收费专项治理。聚焦水电气暖、行业协会商会等领域开展涉企违规收费专项检查，违规收费问题整改清零。（区市场监管局、区发改委负责，2025年上半年完成）",
    ),
    (1, "强化要素保障"),
    (
        2,
        "加大融资支持。深化“秦信贷”平台应用，平台注册企业超过3万家，全年为企业融资100亿元以上，对企业贷款贴息最高不超过50万元。（区金融办负责，2025年12月底前完成）",
    ),
    (
        2,
        "保障企业用工。开展“春风行动”“就业援助月”等招聘活动100场次以上，新增城镇就业1.1万人。（区人社局负责，2025年12月底前完成）",
    ),
    (0, "保障措施"),
    (1, "加强组织领导。成立由区政府主要领导任组长的优化营商环境工作领导小组，统筹推进各项改革任务。"),
    (
        1,
        "强化督查问效。将营商环境工作纳入年度目标责任考核，每季度通报任务进展。（牵头单位：区委督查室；责任单位：区营商环境办）",
    ),
    (1, "营造良好氛围。加强优化营商环境政策宣传解读，及时回应社会关切。"),
]


def make_g205() -> None:
    doc = Document()
    set_font(doc, 14)
    numbering = doc.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    abstract = parse_xml(MULTILEVEL)
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for level, text in G205:
        p = doc.add_paragraph(text)
        if level is not None:
            ppr = p._p.get_or_add_pPr()
            ppr.append(
                parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
            )
    doc.save(str(DOCS / "g205_yanta.docx"))


if __name__ == "__main__":
    DOCS.mkdir(exist_ok=True)
    make_g201()
    make_g202()
    make_g203()
    make_g204()
    make_g205()
    make_g206()
