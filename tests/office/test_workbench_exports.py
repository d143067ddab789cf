"""The Word bulletin and the Excel exports: content from the data, and formula injection."""

from __future__ import annotations

import io
from datetime import datetime

import docx
import pytest
from docx.oxml.ns import qn
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from accounts.access import SYSTEM
from cycle.periods import get_period
from db.engine import read_session, write_session
from db.models import Submission
from office.bulletin import ISSUER, bulletin, bulletin_data
from office.deductions import decide_appeal, file_appeal, ledger, rules
from office.exports import FORMULA_PREFIXES, chase_workbook, deductions_workbook, safe, task_ledger
from office.workbench import chase_list
from tests.office.conftest import AS_OF, FORMULA_TEXT, unit_id


def _document(data: bytes) -> tuple[str, list[list[list[str]]], docx.document.Document]:
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return text, tables, document


def _assert_no_formula(data: bytes) -> Workbook:
    """No cell of any sheet is a formula or text that a spreadsheet would take for one."""
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_PREFIXES), (ws.title, cell.coordinate, cell.value)
    return wb


def test_safe_escapes_text_that_starts_like_a_formula() -> None:
    for text in ("=1+2", "+86 0559", "-完成", "@SUM(A1)", "\t=1", "\n=1"):
        assert safe(text) == "'" + text
    assert safe("\r=1") == "'\n=1"  # line breaks are LF once text is clean
    assert safe("正常文字 =1") == "正常文字 =1"
    assert safe("响铃\x07字符") == "响铃字符"
    assert safe(-0.5) == -0.5 and safe(3) == 3 and safe(None) is None


def test_bulletin_names_late_units_and_lagging_tasks(known) -> None:
    with read_session() as session:
        data = bulletin(session, "2023-03", AS_OF)
    text, tables, document = _document(data)
    assert "关于2023年3月《政府工作报告》重点任务推进情况的通报" in text
    assert ISSUER in text and "2023年4月20日" in text
    # 区发改委 and 区财政局 lead 8 tasks each; task 1 is 滞后; the other 109 leads have not reported.
    assert "全区125项重点任务中，已完成0项，序时推进15项，滞后1项，未启动0项，牵头单位未报送109项" in text
    assert "本月应报单位64个，已报送5个，其中按时报送3个，报送率7.8%，按时报送率4.7%" in text
    assert "迟报单位2个：潜口镇（迟5天）、区财政局（迟3天）" in text
    assert "区审计局" in text.split("漏报单位59个：")[1]
    assert "区商务局（机构调整）" in text
    by_category, lagging, deducted = tables
    assert by_category[0] == ["分类", "任务数", "已完成", "已办结", "序时推进", "滞后", "未启动", "未报送"]
    assert by_category[-1] == ["合计", "125", "0", "0", "15", "1", "0", "109"]
    # Task 10 is 滞后 only in a co-unit's report: its lead has not reported, so it is not listed.
    assert lagging[1][:4] == ["1", "地区生产总值增长8.5%以上。", "黄劼", "区发改委"]
    assert len(lagging) == 2
    rows = {row[0]: row for row in deducted[1:]}
    assert rows["区财政局"][1:] == ["2023年3月月报迟报3天", "0.1", "1.1"]
    assert rows["区审计局"][2:] == ["0.5", "1.5"]
    assert "区商务局" not in rows and len(rows) == 61
    title = next(p for p in document.paragraphs if p.text.startswith("关于2023年3月"))
    fonts = title.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    body = next(p for p in document.paragraphs if p.text.startswith("截至"))
    assert body.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"


def test_bulletin_without_reports(loaded) -> None:
    with read_session() as session:
        data = bulletin_data(session, "2023-01", datetime(2023, 2, 1))
        text, tables, _ = _document(bulletin(session, "2023-01", datetime(2023, 2, 1)))
    assert data.rate.expected == 0 and not data.deductions and not data.lagging
    assert "本月牵头单位报送的任务中无滞后任务" in text and "无迟报单位。无漏报单位。" in text
    assert "尚未到截止时间、暂未报送的单位65个" in text
    assert len(tables) == 1


def test_task_ledger_has_every_task_with_its_status_and_escaped_texts(known) -> None:
    with read_session() as session:
        data = task_ledger(session, get_period(session, "2023-03"), AS_OF)
    ws = _assert_no_formula(data)["台账"]
    header = [c.value for c in ws[2]]
    assert header[:3] == ["序号", "分类", "主要任务"] and "完成状态" in header and "本月工作进展" in header
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=3, values_only=True)}
    assert len(rows) == 125
    first = rows[1]
    assert (first["完成状态"], first["完成进度(%)"], first["牵头单位"], first["报送单位"]) == (
        "滞后",
        20,
        "区发改委",
        "区发改委",
    )
    assert first["本月工作进展"] == "'" + FORMULA_TEXT + "（任务1）"
    assert first["存在问题"] == "人手不足"
    assert rows[10]["完成状态"] == "未报送" and rows[10]["牵头单位"] == "开发区管委会"


def test_chase_workbook_escapes_contacts(known) -> None:
    with write_session() as session:
        latest = session.exec(select(Submission).where(Submission.unit_id == unit_id("潜口镇"))).one()
        latest.filler, latest.phone = "@SUM(1+1)", "+86 0559 1234567"
    with read_session() as session:
        april = get_period(session, "2023-04")
        rows = chase_list(session, april, datetime(2023, 5, 8))
        data = chase_workbook(april, rows, datetime(2023, 5, 8))
    ws = _assert_no_formula(data)["催报名单"]
    found = {row[1]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    assert len(found) == 64 and "岩寺镇" not in found
    assert found["潜口镇"][3:] == ("漏报", "'@SUM(1+1)", "'+86 0559 1234567")


def test_deductions_workbook_sums_and_escapes_appeal_texts(known) -> None:
    as_of = datetime(2023, 5, 8)
    with write_session() as session:
        appeal = file_appeal(session, SYSTEM, unit_id("区财政局"), 2023, "late:2023-03", "-网络故障", as_of)
        decide_appeal(session, SYSTEM, appeal.id, "核减", "=情况属实")
    with read_session() as session:
        ledgers = ledger(session, 2023, as_of)
        data = deductions_workbook(2023, ledgers, rules(session), as_of)
    wb = _assert_no_formula(data)
    summary = {row[0]: row for row in wb["汇总"].iter_rows(min_row=3, values_only=True)}
    # Jan, Feb and Apr missing; the late March report was 核减 on appeal.
    assert summary["区财政局"][2:] == (1, 3, 0, 0, 1.6, 0.1, 1.5)  # late, missing, lagging, misreported
    assert summary["区审计局"][2:] == (0, 4, 0, 0, 2.0, 0, 2.0)
    details = [row for row in wb["明细"].iter_rows(min_row=3, values_only=True) if row[0] == "区财政局"]
    late = next(row for row in details if row[1] == "迟报")
    assert late[8:] == ("核减", "'-网络故障", "命令行", "'=情况属实", 0)
    assert sum(row[12] for row in wb["明细"].iter_rows(min_row=3, values_only=True)) == pytest.approx(
        sum(row[8] for row in summary.values())
    )
    assert [row[1] for row in wb["扣分标准"].iter_rows(min_row=2, values_only=True)] == [0.1, 0.5, 0.2, 1.0]


def test_exports_print_on_a4_landscape_with_the_header_on_every_page_and_deadlines_to_the_minute(known) -> None:
    as_of = datetime(2023, 5, 8)
    with read_session() as session:
        books = {
            "台账": load_workbook(io.BytesIO(task_ledger(session, get_period(session, "2023-03"), AS_OF))),
            "扣分": load_workbook(
                io.BytesIO(deductions_workbook(2023, ledger(session, 2023, as_of), rules(session), as_of))
            ),
        }
    for name, wb in books.items():
        for ws in wb.worksheets:
            setup = ws.page_setup
            assert (setup.orientation, str(setup.paperSize)) == ("landscape", "9"), (name, ws.title)  # 9: A4
            assert (setup.fitToWidth, setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True)
            header = next(r for r in range(1, 3) if ws.cell(r, 2).value is not None)  # below a title, if any
            assert ws.print_title_rows == f"${header}:${header}", (name, ws.title)
    details = books["扣分"]["明细"]
    header = [c.value for c in details[2]]
    due = [row[header.index("截止时间")] for row in details.iter_rows(min_row=3, values_only=True)]
    assert datetime(2023, 4, 5, 23, 59) in due and all(d is None or (d.second, d.microsecond) == (0, 0) for d in due)
    cell = next(c for c in details[3] if isinstance(c.value, datetime))
    assert cell.number_format == "yyyy-mm-dd hh:mm"


def test_bulletin_goes_out_in_the_official_form(known) -> None:
    """Column widths to content, the header row on every page, page numbers, the 版记 and zh-CN."""
    with read_session() as session:
        data = bulletin(session, "2023-03", AS_OF)
    document = _document(data)[2]
    for table in document.tables:
        header = table.rows[0]._tr
        assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None
    lagging = document.tables[1]
    widths = [column.width.cm for column in lagging.columns]
    assert widths[1] == pytest.approx(7.0, abs=0.01) and max(widths) == widths[1]  # 主要任务 widest
    assert widths[0] == pytest.approx(1.2, abs=0.01)  # 序号 narrow
    footer = document.sections[0].footer._element
    assert any(f.get(qn("w:instr")) == "PAGE" for f in footer.iter(qn("w:fldSimple")))
    assert "— " in document.sections[0].footer.paragraphs[0].text
    last = [p.text for p in document.paragraphs if p.text][-2:]
    assert last[0].startswith("抄送：") and last[1].startswith(ISSUER) and last[1].endswith("2023年4月20日印发")
    languages = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert languages.get(qn("w:eastAsia")) == "zh-CN" and languages.get(qn("w:val")) == "zh-CN"
