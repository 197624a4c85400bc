"""Readers on real-format files (.docx with numbering and a merged task table, LibreOffice .pdf, gb2312 .html,
GBK and BOM .txt, ledger .xlsx) and on bad input: always a clear ParseError, never a crash or a hang."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from luoshi.plans.parser import ParseError, parse_file
from luoshi.plans.parser.ledger import read_ledger_xlsx, write_ledger_xlsx
from luoshi.plans.parser.readers import join_pdf_lines, read_document

FIX = Path(__file__).parent / "fixtures"


def test_docx_auto_numbering_is_recovered() -> None:
    doc = read_document(FIX / "plan_table.docx")
    lines = doc.text.splitlines()
    assert "一、总体要求" in lines and "二、重点任务" in lines and "三、保障措施" in lines
    assert "(一)提升政务服务效能" in lines and "(二)优化法治环境" in lines
    assert any(ln.startswith("1.深化企业开办改革") for ln in lines)


def test_docx_task_table_rows_are_the_ledger() -> None:
    r = parse_file(FIX / "plan_table.docx")
    table = [m for m in r.measures if m.source == "table"]
    assert [m.path for m in table] == [
        ["一、政务服务提升行动", "深化企业开办改革"],
        ["一、政务服务提升行动", "推进惠企政策直达"],
        ["二、要素保障行动", "强化融资服务"],
        ["二、要素保障行动", "强化融资服务"],
    ]
    assert table[1].co_units == ["市财政局"]  # "等" dropped
    assert (table[3].lead_units, table[3].co_units) == (table[2].lead_units, table[2].co_units)  # 同上
    assert table[3].ongoing and table[3].deadline is None
    # a narrative measure with its own units that no row repeats stays; narrative repeating rows does not
    narrative = [m for m in r.measures if m.source == "text"]
    assert [m.lead_units for m in narrative] == [["市司法局"]]
    assert r.year == 2025


def test_pdf_made_with_libreoffice() -> None:
    r = parse_file(FIX / "plan_narrative.pdf")
    assert "宜都市人民政府办公室文件" not in r.text  # running header dropped
    assert "— 2 —" not in r.text and "—2—" not in r.text
    assert len(r.measures) == 24
    m = r.measures[0]
    assert m.text.endswith("切实提升企业和群众办事便利度和满意度。")  # lines joined inside the sentence
    assert m.lead_units == ["市市场监督管理局", "市税务局"] and m.deadline == date(2024, 6, 30)


def test_pdf_line_joining_and_page_numbers() -> None:
    pages = [
        ["标题", "一、重点任务", "1.推进政务服务标准化建设,统一受理条件和申请", "材料。", "— 1 —"],
        ["标题", "2.推进“一网通办”。", "— 2 —"],
        ["标题", "3.推进改革。", "— 3 —"],
    ]
    text = join_pdf_lines(pages)
    assert "1.推进政务服务标准化建设,统一受理条件和申请材料。" in text.splitlines()
    assert "标题" not in text and "—" not in text


def test_gb2312_government_page_main_content_only() -> None:
    r = parse_file(FIX / "plan_gov.html")
    assert "首页" not in r.text and "版权所有" not in r.text and "不应出现在正文" not in r.text
    assert [m.lead_units for m in r.measures] == [
        ["州市场监管局"],
        ["州自然资源和规划局", "州发改委"],
        ["州政务服务和大数据管理局"],
        ["州住建局"],
        ["州人社局"],
    ]
    assert r.measures[2].co_units == ["州直各部门"]
    assert r.measures[4].path == ["要素保障行动"]  # rowspan carried down
    assert r.year == 2024


@pytest.mark.parametrize("name", ["plan_gbk.txt", "plan_bom.txt"])
def test_gbk_and_bom_text(name: str) -> None:
    r = parse_file(FIX / name)
    assert r.text.startswith("荆州市沙市区人民政府办公室")
    assert (r.measures[0].lead_units, r.measures[0].co_units) == (
        ["区政务服务局"],
        ["区市场监管局", "区人社局"],
    )
    assert r.measures[1].ongoing


def test_ledger_xlsx_round_trip(tmp_path: Path) -> None:
    r = parse_file(FIX / "plan_gbk.txt")
    out = tmp_path / "ledger.xlsx"
    write_ledger_xlsx(r.measures, out, title=r.title)
    back = read_ledger_xlsx(out)
    assert [m.to_score_dict() for m in back.measures] == [m.to_score_dict() for m in r.measures]
    assert parse_file(out).measures[0].text == r.measures[0].text


# ---- bad input ----------------------------------------------------------------------------------------------
def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (
        b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1)
        + trailer_extra
        + b">>\nstartxref\n%d\n%%%%EOF\n" % xref
    )
    return out


BLANK_PAGE = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"   \n\n  ", "empty"),
        ("image.txt", bytes(range(256)) * 40, "binary"),
        ("photo.docx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, "binary"),
        ("noplan.txt", "今天天气很好,我们去公园散步。".encode(), "no_measures"),
        ("scan.pdf", _pdf(BLANK_PAGE), "no_text"),
        (
            "locked.pdf",
            _pdf(
                BLANK_PAGE,
                b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <"
                + b"ab" * 32
                + b"> /U <"
                + b"cd" * 32
                + b"> /P -4 >> /ID [<0123456789abcdef0123456789abcdef><0123456789abcdef0123456789abcdef>] ",
            ),
            "encrypted",
        ),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "no_text"),
        (
            "locked.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le"),
            "encrypted",
        ),
    ],
)
def test_bad_input_gives_a_clear_message(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(ParseError) as exc:
        parse_file(p)
    assert exc.value.code in (code, "corrupt"), exc.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)


def test_truncated_docx(tmp_path: Path) -> None:
    p = tmp_path / "cut.docx"
    p.write_bytes((FIX / "plan_table.docx").read_bytes()[:6000])
    with pytest.raises(ParseError, match="损坏"):
        parse_file(p)


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    p = tmp_path / "huge.txt"
    with p.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: nothing is written or read
    with pytest.raises(ParseError, match="文件过大"):
        parse_file(p)


def test_missing_libreoffice_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    p = tmp_path / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(ParseError, match="LibreOffice"):
        parse_file(p)
