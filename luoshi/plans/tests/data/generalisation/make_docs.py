"""Regenerate the generalisation documents from `src/`: `python luoshi/plans/tests/data/generalisation/make_docs.py`.

gen01_wuhou_district.txt   hand-written directly in docs/ (a 区县 plan, "(责任单位:…;完成时限:…)", 牽頭單位, 1.5倍, 12345)
gen02_zhucheng.pdf         src/gen02_zhucheng.txt → .docx (三号 font, running header, "— N —" page numbers) → PDF
                           made by LibreOffice; "牵头单位:/责任单位:/完成时限:" lines after each measure
gen03_huzhou.html          src/gen03_huzhou.html saved as gb2312 (navigation, breadcrumb, info table, footer);
                           行动N:—任务N: headings, 〔…〕 brackets, a "排在第一位的为牵头单位,下同" rule, a data table
gen04_chongchuan.docx      Word auto-numbering (一、/(一) and 序号 cells), a task table with merged cells, 同上,
                           a repeated header row, wrapped cells, units ending in 等, plus a data table
gen05_shushan.txt          src/gen05_shushan.txt as a web crawl whose line breaks were lost: paragraphs separated by
                           full-width spaces, then (after @@NOBREAK@@) by nothing at all; a 责任分工 section
gen06_nanhai.pdf           a LibreOffice PDF whose task table runs over several pages (section rows, merged cells,
                           repeated header, rows broken by the page break, 同上, a 配合单位 column)
The generated files are committed so the tests never need LibreOffice.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from luoshi.plans.tests.data.docgen import page_furniture, set_font, soffice_pdf

HERE = Path(__file__).parent
SRC = HERE / "src"
DOCS = HERE / "docs"


def make_gen02() -> None:
    doc = Document()
    set_font(doc, 16)
    page_furniture(doc, "诸城市人民政府办公室文件")
    for line in (SRC / "gen02_zhucheng.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc.add_paragraph(line)
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "gen02_zhucheng.docx"
        doc.save(str(p))
        soffice_pdf(p, DOCS / "gen02_zhucheng.pdf")


def make_gen03() -> None:
    html = (SRC / "gen03_huzhou.html").read_text(encoding="utf-8")
    (DOCS / "gen03_huzhou.html").write_bytes(html.encode("gb2312"))


NUMBERING = f"""
<w:abstractNum {nsdecls("w")} w:abstractNumId="80">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="(%2)"/></w:lvl>
</w:abstractNum>"""
SEQ_NUMBERING = f"""
<w:abstractNum {nsdecls("w")} w:abstractNumId="81">
  <w:multiLevelType w:val="singleLevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/></w:lvl>
</w:abstractNum>"""


def _add_numbering(doc) -> None:  # type: ignore[no-untyped-def]
    numbering = doc.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    for xml in (NUMBERING, SEQ_NUMBERING):
        abstract = parse_xml(xml)
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="80"><w:abstractNumId w:val="80"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="81"><w:abstractNumId w:val="81"/></w:num>'))


def _num(p, num_id: int, level: int) -> None:  # type: ignore[no-untyped-def]
    ppr = p._p.get_or_add_pPr()
    ppr.append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def _cell(cell, text: str) -> None:  # type: ignore[no-untyped-def]
    """Write `text` into a cell; "\n" starts a new paragraph (a wrapped cell)."""
    parts = text.split("\n")
    cell.paragraphs[0].text = parts[0]
    for extra in parts[1:]:
        cell.add_paragraph(extra)


GEN04_HEADER = ["专项行动", "重点任务", "序号", "具体工作", "牵头单位", "责任单位", "完成时限"]
GEN04_ROWS: list[list[str] | None] = [
    [
        "一、政务服务提升行动",
        "深化“高效办成一件事”改革",
        "",
        "推出企业信息变更、企业注销登记等“一件事”集成服务,全年新增“一件事”主题服务15个。",
        "区行政审批局",
        "区市场监管局、区税务局、\n区人社局等",
        "2025年6月底前",
    ],
    [
        "一、政务服务提升行动",
        "深化“高效办成一件事”改革",
        "",
        "推行“一件事”线上“一网通办”、线下“一窗受理”,网上办理率达到90%以上。",
        "同上",
        "同上",
        "2025年9月底前",
    ],
    [
        "一、政务服务提升行动",
        "推行帮办代办服务",
        "",
        "组建区、街道两级帮办代办队伍,为重点项目提供全流程免费帮办服务,实现重点项目帮办服务全覆盖。",
        "区行政审批局",
        "各街道办事处",
        "长期坚持",
    ],
    [
        "一、政务服务提升行动",
        "优化企业开办服务",
        "",
        "企业开办全流程时间压缩至0.5个工作日以内,新开办企业免费刻制印章。",
        "区市场监管局",
        "区公安分局、区税务局",
        "2025年3月底前",
    ],
    None,  # the header row repeated (as on a new page)
    [
        "二、要素保障提升行动",
        "加大融资支持",
        "",
        "开展“崇金惠企”银企对接活动不少于24场,\n新增普惠小微企业贷款50亿元。",
        "区金融监管局",
        "人行崇川支行、\n各商业银行",
        "2025年12月底前",
    ],
    [
        "二、要素保障提升行动",
        "加大融资支持",
        "",
        "推广“苏科贷”“人才贷”等金融产品,支持科技型中小企业融资。",
        "同上",
        "同上",
        "2025年12月底前",
    ],
    [
        "二、要素保障提升行动",
        "强化人才保障",
        "",
        "实施“崇川英才”计划,全年引进各类人才8000人,建设人才公寓500套。",
        "区委人才办",
        "区人社局、区住建局等各相关部门",
        "2025年12月底前",
    ],
    [
        "二、要素保障提升行动",
        "强化人才保障",
        "",
        "开展“春风行动”等招聘活动100场次以上,帮助企业解决用工需求。",
        "区人社局",
        "各街道办事处",
        "2025年第三季度",
    ],
    [
        "三、法治环境提升行动",
        "规范涉企执法",
        "",
        "推行涉企“综合查一次”,涉企行政检查频次同比下降20%以上。",
        "区司法局",
        "区市场监管局、区城管局、区应急管理局",
        "2025年12月底前",
    ],
    [
        "三、法治环境提升行动",
        "规范涉企执法",
        "",
        "落实轻微违法行为“首违不罚”清单,对符合条件的企业依法免予处罚。",
        "区司法局",
        "区各行政执法部门",
        "持续推进",
    ],
    [
        "三、法治环境提升行动",
        "加强产权保护",
        "",
        "开展知识产权侵权假冒专项整治,知识产权案件办结率达到100%。",
        "区市场监管局",
        "区法院、区检察院、区公安分局",
        "2025年11月底前",
    ],
]


def make_gen04() -> None:
    doc = Document()
    _add_numbering(doc)
    doc.add_paragraph("南通市崇川区人民政府办公室")
    doc.add_paragraph("2025年3月10日")
    doc.add_paragraph("南通市崇川区2025年优化营商环境重点任务实施方案")
    doc.add_paragraph("为全面落实省、市优化营商环境工作部署,持续擦亮“崇川服务”品牌,结合我区实际,制定本方案。")
    _num(doc.add_paragraph("总体要求"), 80, 0)
    doc.add_paragraph("坚持以企业需求为导向,到2025年底,全区营商环境综合评价保持全市前列,主要指标如下。")
    data = doc.add_table(rows=3, cols=3)
    data.style = "Table Grid"
    for i, row in enumerate(
        [["序号", "指标", "2025年目标值"], ["1", "企业满意度", "95%以上"], ["2", "政务服务好评率", "99%以上"]]
    ):
        for j, v in enumerate(row):
            data.cell(i, j).text = v
    _num(doc.add_paragraph("重点任务"), 80, 0)
    _num(
        doc.add_paragraph(
            "提升政务服务效能。深化“高效办成一件事”改革,推行帮办代办,优化企业开办服务,具体任务见附件。"
        ),
        80,
        1,
    )
    _num(
        doc.add_paragraph("强化要素保障。加大融资支持和人才保障力度,开展银企对接和招聘活动,具体任务见附件。"),
        80,
        1,
    )
    _num(
        doc.add_paragraph(
            "优化法治环境。建立涉企行政执法监督员制度,聘请涉企行政执法监督员不少于50名,"
            "畅通涉企执法投诉渠道。(区司法局负责,2025年10月底前完成)"
        ),
        80,
        1,
    )
    _num(doc.add_paragraph("保障措施"), 80, 0)
    doc.add_paragraph("各责任单位要明确专人负责,每季度末向区优化营商环境工作领导小组办公室报送进展情况。")
    doc.add_paragraph("附件:崇川区2025年优化营商环境重点任务清单")
    rows = [GEN04_HEADER] + [r if r is not None else GEN04_HEADER for r in GEN04_ROWS]
    table = doc.add_table(rows=len(rows), cols=len(GEN04_HEADER))
    table.style = "Table Grid"
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            _cell(table.cell(i, j), v)
        if i > 0 and row is not GEN04_HEADER:
            _num(table.cell(i, 2).paragraphs[0], 81, 0)  # 序号 by Word auto-numbering
    # vertically merged 专项行动 / 重点任务 cells (runs of the same text)
    for col in (0, 1):
        i = 1
        while i < len(rows):
            j = i
            while (
                j + 1 < len(rows)
                and rows[j + 1] is not GEN04_HEADER
                and rows[j + 1][col] == rows[i][col]
                and (col == 0 or rows[j + 1][0] == rows[i][0])
            ):
                j += 1
            if j > i and rows[i] is not GEN04_HEADER:
                keep = rows[i][col]
                merged = table.cell(i, col).merge(table.cell(j, col))
                for p in merged.paragraphs[1:]:
                    p._p.getparent().remove(p._p)
                merged.paragraphs[0].text = keep
            i = j + 1
    trpr = table.rows[0]._tr.get_or_add_trPr()
    trpr.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    doc.save(str(DOCS / "gen04_chongchuan.docx"))


def make_gen05() -> None:
    src = (SRC / "gen05_shushan.txt").read_text(encoding="utf-8")
    spaced, _, bare = src.partition("@@NOBREAK@@")
    paras = [p for p in spaced.splitlines() if p.strip()]
    rest = [p for p in bare.splitlines() if p.strip()]
    head = paras[0] + "　　发布时间:2025-03-05 16:20　　来源:蜀山区人民政府办公室　　"
    text = head + "　　".join(paras[1:]) + "".join(rest) + "\n"
    (DOCS / "gen05_shushan.txt").write_text(text, encoding="utf-8")


GEN06_HEADER = ["序号", "重点任务", "具体举措", "牵头单位", "配合单位", "时间进度"]
# a str row is a section spanning the whole table; "" in 重点任务 continues the merged cell above
GEN06_ROWS: list[str | list[str]] = [
    "一、政务服务提质行动",
    [
        "1",
        "深化“一件事一次办”改革",
        "聚焦企业开办、员工招聘、项目建设等高频事项,新增“一件事一次办”集成服务场景12个,实现“一次告知、一表申请、一窗受理”。",
        "区政务服务数据管理局",
        "区市场监管局、区人社局、区住建水利局",
        "2025年6月底前",
    ],
    [
        "2",
        "",
        "推动“一件事一次办”事项全程网办,网上办理率达到85%以上。",
        "区政务服务数据管理局",
        "各镇(街道)",
        "2025年12月底前",
    ],
    [
        "3",
        "提升政务服务便利度",
        "推行“湾区通办”,新增跨城通办事项100项,实现粤港澳大湾区内高频事项异地可办。",
        "区政务服务数据管理局",
        "区直有关单位",
        "2025年9月底前",
    ],
    [
        "4",
        "",
        "在各镇(街道)设立“企业服务驿站”,为企业提供政策咨询、帮办代办等“一站式”服务,实现镇(街道)全覆盖。",
        "各镇(街道)",
        "区政务服务数据管理局",
        "2025年第二季度",
    ],
    "二、要素保障提升行动",
    [
        "5",
        "强化用地保障",
        "推进村级工业园改造提升,全年完成改造面积3000亩以上,新增产业用地优先保障先进制造业项目。",
        "区自然资源局",
        "区经济促进局、各镇(街道)",
        "2025年12月底前",
    ],
    [
        "6",
        "",
        "推行工业用地“标准地”出让,新出让工业用地“标准地”出让比例达到100%。",
        "区自然资源局",
        "区发展规划和统计局",
        "长期坚持",
    ],
    [
        "7",
        "加大金融支持",
        "开展“金融服务进万企”活动,全年走访企业不少于2000家,新增制造业中长期贷款80亿元。",
        "区金融工作局",
        "人行南海支行、区内各银行机构",
        "2025年12月底前",
    ],
    [
        "8",
        "",
        "推动政府性融资担保机构扩大业务规模,全年新增担保金额20亿元,服务小微企业和“三农”主体1500户以上。",
        "同上",
        "区财政局",
        "2025年12月底前",
    ],
    [
        "9",
        "强化人才支撑",
        "实施“南海人才新政”,全年新增高技能人才5000人,建设人才公寓1000套。",
        "区委人才工作领导小组办公室",
        "区人社局、区住建水利局",
        "2025年12月底前",
    ],
    "三、法治环境优化行动",
    [
        "10",
        "规范涉企执法",
        "推行涉企行政检查“扫码入企”,实现涉企行政检查“亮码检查”全覆盖,检查频次同比下降25%。",
        "区司法局",
        "区直各行政执法部门",
        "2025年9月底前",
    ],
    [
        "11",
        "",
        "落实“首违不罚”“轻微免罚”清单,对符合条件的违法行为依法不予处罚。",
        "区司法局",
        "同上",
        "持续推进",
    ],
    [
        "12",
        "加强知识产权保护",
        "建设知识产权保护工作站10家,知识产权纠纷调解成功率达到60%以上。",
        "区市场监管局",
        "区法院、区检察院、区公安分局",
        "2025年11月底前",
    ],
]


def make_gen06() -> None:
    """A LibreOffice PDF whose task table runs over several pages: section rows spanning the table, merged
    重点任务 cells, a header repeated on each page, rows broken by the page break, a 配合单位 column."""
    doc = Document()
    set_font(doc, 14)
    page_furniture(doc, "佛山市南海区人民政府办公室")
    for line in [
        "佛山市南海区人民政府办公室",
        "2025年4月15日",
        "南海区2025年营商环境提质增效行动方案",
        "为深入贯彻落实省、市关于优化营商环境的决策部署,打造市场化、法治化、国际化一流营商环境,制定本方案。",
        "一、工作目标",
        "到2025年底,全区营商环境便利度进一步提升,企业满意度达到90%以上。",
        "二、重点任务",
        "(一)政务服务提质行动。围绕“高效办成一件事”,提升政务服务便利度。",
        "(二)要素保障提升行动。强化用地、金融和人才保障。",
        "(三)法治环境优化行动。规范涉企执法,加强知识产权保护。",
        "(四)开展营商环境评价。对标国家营商环境评价指标体系,开展全区营商环境自评,形成评价报告并推动问题整改。"
        "(区发展规划和统计局牵头,各相关单位配合,2025年11月底前完成)",
        "三、保障措施",
        "各牵头单位要细化工作方案,每季度报送工作进展。",
        "附件:南海区2025年营商环境提质增效重点任务表",
    ]:
        doc.add_paragraph(line)
    rows: list[list[str]] = [GEN06_HEADER] + [[r] * 6 if isinstance(r, str) else r for r in GEN06_ROWS]
    table = doc.add_table(rows=len(rows), cols=len(GEN06_HEADER))
    table.style = "Table Grid"
    for i, row in enumerate(rows):
        if i and isinstance(GEN06_ROWS[i - 1], str):
            merged = table.cell(i, 0).merge(table.cell(i, 5))
            merged.text = row[0]
            continue
        for j, v in enumerate(row):
            table.cell(i, j).text = v
    # 重点任务 cells merged over the rows that continue them ("")
    i = 1
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and not isinstance(GEN06_ROWS[j], str) and rows[j + 1][1] == "":
            j += 1
        if j > i and not isinstance(GEN06_ROWS[i - 1], str):
            keep = rows[i][1]
            merged = table.cell(i, 1).merge(table.cell(j, 1))
            for p in merged.paragraphs[1:]:
                p._p.getparent().remove(p._p)
            merged.paragraphs[0].text = keep
        i = j + 1
    trpr = table.rows[0]._tr.get_or_add_trPr()
    trpr.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "gen06_nanhai.docx"
        doc.save(str(p))
        soffice_pdf(p, DOCS / "gen06_nanhai.pdf")


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    make_gen02()
    make_gen03()
    make_gen04()
    make_gen05()
    make_gen06()


if __name__ == "__main__":
    main()
