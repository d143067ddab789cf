"""Every validation rule: a valid filled template, one mutation per rule, the exact cell and message.

The small unit's template has its four tasks (53, 69, 75, 78) on rows 7 to 10; task 78 is the
one it leads. Header values sit in C2 (填报单位), G2 (填报月份), C3, G3 and C4.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from openpyxl.workbook.workbook import Workbook
from sqlmodel import func, select

from accounts.access import SYSTEM
from cycle.admin import set_period_open
from db.engine import read_session, write_session
from db.models import RejectedAttempt, Submission, SubmissionRow
from intake.ingest import IngestResult, ingest_upload
from intake.validation import parse_period, parse_progress, suggest_status
from tests.monthly_kit import SMALL_UNIT, edit, filled


def _set(cell: str, value: object, *, text: bool = False) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        target = wb["月报"][cell]
        target.value = value
        if text:
            target.data_type = "s"  # what Excel stores when a user types ="..." as text

    return change


def _steps(*changes: Callable[[Workbook], None]) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        for step in changes:
            step(wb)

    return change


def _clear_row(row: int) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        for column in "ABCDEFGHI":
            wb["月报"][f"{column}{row}"].value = None

    return change


def _rename_sheet(wb: Workbook) -> None:
    wb["月报"].title = "Sheet1"


def _percent(wb: Workbook) -> None:
    wb["月报"]["E7"].value = 0.8
    wb["月报"]["E7"].number_format = "0%"


def _old_template(wb: Workbook) -> None:
    wb["_meta"]["B4"].value = "0"


def _ingest(data: bytes, **kwargs: object) -> IngestResult:
    return ingest_upload(data, file_name="月报.xlsx", unit=SMALL_UNIT, actor=SYSTEM, **kwargs)  # type: ignore[arg-type]


REJECTED = [
    # (rule, mutation, sheet, cell, message fragment)
    ("填报单位未登记", _set("C2", "火星局"), "月报", "C2", "“火星局”不是已登记的单位名称，请填写“区交通运输局”"),
    ("填报单位为空", _set("C2", None), "月报", "C2", "请填写填报单位：区交通运输局"),
    ("填报月份无法识别", _set("G2", "三月"), "月报", "G2", "无法识别填报月份“三月”"),
    ("填报月份为数字", _set("G2", 2023.03), "月报", "G2", "请写成 2023-03 这样的格式"),
    ("填报月份不存在", _set("G2", "2030-01"), "月报", "G2", "没有 2030-01 这个填报月份"),
    ("填报人为空", _set("C3", None), "月报", "C3", "请填写填报人"),
    ("联系电话无法识别", _set("G3", "无"), "月报", "G3", "联系电话无法识别"),
    ("单位主要负责人为空", _set("C4", "  "), "月报", "C4", "请填写单位主要负责人"),
    ("序号不是整数", _set("A7", "五十三"), "月报", "A7", "序号应为任务编号（整数），收到“五十三”"),
    ("序号非本单位任务", _set("A7", 1), "月报", "A7", "第 1 项不是本单位需要报送的任务"),
    ("序号重复", _set("A8", 53), "月报", "A8", "序号 53 重复出现（第一次在 A7）"),
    ("缺少任务", _clear_row(10), "月报", "", "缺少第 78 项任务"),
    ("主要任务被改", _set("B7", "改过的任务内容"), "月报", "B7", "第 53 项的主要任务与任务清单不一致"),
    ("责任类型被改", _set("C10", "配合"), "月报", "C10", "第 78 项的责任类型应为“牵头”"),
    ("完成状态不在列表", _set("D7", "完成"), "月报", "D7", "完成状态“完成”不在可选范围内：您是否要填“已完成”？请从"),
    ("完成状态无从猜起", _set("D7", "好"), "月报", "D7", "完成状态“好”不在可选范围内：请从下拉列表选择"),
    ("完成状态为空", _set("D7", None), "月报", "D7", "请填写完成状态"),
    ("进度为区间", _set("E7", "80-90"), "月报", "E7", "无法识别完成进度“80-90”：请只填写一个 0 到 100 之间的数字"),
    ("进度带约字", _set("E7", "约80"), "月报", "E7", "无法识别完成进度“约80”"),
    ("进度超过100", _set("E7", 120), "月报", "E7", "完成进度应在 0 到 100 之间，收到 120"),
    ("进度为负", _set("E7", "-5"), "月报", "E7", "无法识别完成进度“-5”"),
    ("进度为小数含义不明", _set("E7", 0.8), "月报", "E7", "完成进度“0.8”含义不明确：如表示 80%，请填写 80"),
    ("进度为空", _set("E7", None), "月报", "E7", "请填写完成进度"),
    ("已完成但不是100", _set("D7", "已完成"), "月报", "E7", "完成状态为“已完成”时，完成进度应为 100"),
    ("未启动但不是0", _set("D7", "未启动"), "月报", "E7", "完成状态为“未启动”时，完成进度应为 0"),
    ("本月工作进展为空", _set("F7", None), "月报", "F7", "请填写本月工作进展"),
    ("滞后缺存在问题", _steps(_set("D7", "滞后"), _set("H7", "加派人手")), "月报", "G7", "请填写存在问题"),
    ("滞后缺下步打算", _steps(_set("D7", "滞后"), _set("G7", "资金未到位")), "月报", "H7", "请填写下步打算"),
    ("工作进展过长", _set("F7", "很" * 2001), "月报", "F7", "内容过长（2001 字），请精简到 2000 字以内"),
    ("备注过长", _set("I7", "注" * 501), "月报", "I7", "内容过长（501 字），请精简到 500 字以内"),
    ("使用公式", _set("E7", "=40+40"), "月报", "E7", "请直接填写内容，不要使用公式"),
    ("文本以等号开头", _set("F7", '=HYPERLINK("http://x")', text=True), "月报", "F7", "可能被当作公式执行"),
    ("文本以@开头", _set("G7", "@SUM(A1)"), "月报", "G7", "可能被当作公式执行"),
    ("DDE 注入", _set("I7", "+cmd|' /C calc'!A0"), "月报", "I7", "可能被当作公式执行"),
    ("算式后接 DDE", _set("G7", "-2+3+cmd|' /C calc'!A0"), "月报", "G7", "可能被当作公式执行"),
    ("加号开头的函数", _set("H7", "+SUM(1,1)"), "月报", "H7", "可能被当作公式执行"),
    ("减号接 DDE 括号", _set("G7", "-(cmd|' /C calc'!A0)"), "月报", "G7", "可能被当作公式执行"),
    ("数字后接括号", _set("G7", "-1+(cmd|' /C calc'!A0)"), "月报", "G7", "可能被当作公式执行"),
    ("加号接超链接", _set("H7", '+(HYPERLINK("http://x","点此"))'), "月报", "H7", "可能被当作公式执行"),
    ("减号接单元格引用", _set("I7", "-A1"), "月报", "I7", "可能被当作公式执行"),
    ("加号接引用运算", _set("F7", "+A1*10"), "月报", "F7", "可能被当作公式执行"),
    ("空格后接等号", _set("F7", "  =1+1"), "月报", "F7", "可能被当作公式执行"),
    ("表格中加行", _set("B11", "补充说明：另有亮点工作"), "月报", "A11", "此行没有序号"),
    ("表头被改", _set("D6", "状态"), "月报", "D6", "此列表头应为“完成状态”"),
    ("工作表被改名", _rename_sheet, "月报", "", "找不到“月报”工作表"),
    ("模板版本过期", _old_template, "_meta", "", "模板版本已过期，请重新下载模板"),
]


@pytest.mark.parametrize(
    ("change", "sheet", "cell", "message"), [case[1:] for case in REJECTED], ids=[case[0] for case in REJECTED]
)
def test_each_rule_rejects_with_cell_and_message(loaded, change, sheet: str, cell: str, message: str) -> None:
    result = _ingest(edit(filled(), change))
    assert not result.accepted
    assert any(p.sheet == sheet and p.cell == cell and message in p.message for p in result.errors), result.errors
    with read_session() as session:
        assert session.exec(select(func.count()).select_from(Submission)).one() == 0
        assert session.exec(select(func.count()).select_from(SubmissionRow)).one() == 0
        attempt = session.exec(select(RejectedAttempt)).one()
    assert attempt.error_count == len(result.errors)


def test_several_errors_in_one_file_are_all_reported(loaded) -> None:
    change = _steps(_set("C3", None), _set("E7", "约80"), _set("D8", "完成"), _set("F9", None), _set("A10", 1))
    result = _ingest(edit(filled(), change))
    cells = {(p.cell, p.message.split("：")[0]) for p in result.errors}
    # 完成 for 已完成 in D8: its progress is judged as if 已完成 too (E8), in the same round.
    assert {c for c, _ in cells} == {"C3", "E7", "D8", "E8", "F9", "A10", ""}
    assert ("", "缺少第 78 项任务") in cells
    assert result.errors[0].as_json() == {
        "sheet": "月报",
        "cell": "C3",
        "value": "",
        "message": "请填写填报人",
    }


# (case, changes to row 7 of 53 at 序时推进 60, every (cell, message) expected for the row, in order)
ONE_ROUND = [
    (
        "错字的状态：连带的进度检查同时报出",
        _set("D7", "已完城"),
        [
            (
                "D7",
                "完成状态“已完城”不在可选范围内：您是否要填“已完成”？请从下拉列表选择 已完成、序时推进、滞后 或 未启动",
            ),
            ("E7", "如完成状态改为“已完成”，完成进度应为 100"),
        ],
    ),
    (
        "错字的滞后：存在问题、下步打算同时报出",
        _set("D7", "滞後"),
        [
            ("D7", "完成状态“滞後”不在可选范围内：您是否要填“滞后”？请从下拉列表选择 已完成、序时推进、滞后 或 未启动"),
            ("G7", "如完成状态改为“滞后”，请填写存在问题"),
            ("H7", "如完成状态改为“滞后”，请填写下步打算"),
        ],
    ),
    (
        "滞后：进度无法识别、问题和打算为空、进展为空",
        _steps(_set("D7", "滞后"), _set("E7", "约50"), _set("F7", None)),
        [
            ("E7", "无法识别完成进度“约50”：请只填写一个 0 到 100 之间的数字，例如 80"),
            ("F7", "请填写本月工作进展"),
            ("G7", "完成状态为“滞后”时，请填写存在问题"),
            ("H7", "完成状态为“滞后”时，请填写下步打算"),
        ],
    ),
    (
        "已完成：进度无法识别时说明应填 100",
        _steps(_set("D7", "已完成"), _set("E7", "全部")),
        [("E7", "无法识别完成进度“全部”：请只填写一个 0 到 100 之间的数字，例如 80（完成状态为“已完成”时应填 100）")],
    ),
    (
        "自己的说法：未开始",
        _set("D7", "未开始"),
        [
            (
                "D7",
                "完成状态“未开始”不在可选范围内：您是否要填“未启动”？请从下拉列表选择 已完成、序时推进、滞后 或 未启动",
            ),
            ("E7", "如完成状态改为“未启动”，完成进度应为 0"),
        ],
    ),
    (
        "序号被改：该行其余问题同时报出，不另报缺少该项",
        _steps(_set("A7", "五十三"), _set("E7", 120), _set("I7", "=1+1", text=True)),
        [
            ("A7", "序号应为任务编号（整数），收到“五十三”：请不要修改序号"),
            ("E7", "完成进度应在 0 到 100 之间，收到 120"),
            ("I7", "内容开头的“=”可能被当作公式执行：请删去开头的符号，或在前面加上文字"),
        ],
    ),
    (
        "主要任务和进度都被改",
        _steps(_set("B7", "改过的任务内容"), _set("E7", "80-90"), _set("D7", "未启动")),
        [
            ("B7", "第 53 项的主要任务与任务清单不一致：请不要修改此列（可重新下载模板）"),
            ("E7", "无法识别完成进度“80-90”：请只填写一个 0 到 100 之间的数字，例如 80（完成状态为“未启动”时应填 0）"),
        ],
    ),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in ONE_ROUND], ids=[c[0] for c in ONE_ROUND])
def test_every_problem_of_a_row_in_one_round(loaded, change, expected: list[tuple[str, str]]) -> None:
    result = _ingest(edit(filled(), change))
    assert [(p.cell, p.message) for p in result.errors] == expected


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("已完城", "已完成"),
        ("完成", "已完成"),
        ("ＤＯＮＥ", "已完成"),
        ("序时推近", "序时推进"),
        ("正常推进", "序时推进"),
        ("推进", "序时推进"),
        ("落后", "滞后"),
        ("未开始", "未启动"),
        ("好", None),
        ("未报送", None),
    ],
)
def test_status_suggestions(written: str, meant: str | None) -> None:
    assert suggest_status(written) == meant


def test_closed_period_refuses_and_reopened_accepts(loaded) -> None:
    with write_session() as session:
        set_period_open(session, period="2023-03", is_open=False, actor=SYSTEM)
    result = _ingest(filled())
    assert [(p.cell, p.message) for p in result.errors] == [("G2", "2023-03 已停止接收报送；如需补报，请联系督查室")]
    with write_session() as session:
        set_period_open(session, period="2023-03", is_open=True, actor=SYSTEM)
    assert _ingest(filled()).accepted


def test_expected_period_must_agree_with_the_file(loaded) -> None:
    result = _ingest(filled(period="2023-03"), period="2023-04")
    assert [(p.cell, p.message) for p in result.errors] == [
        ("G2", "这是 2023-03 的月报，当前选择的是 2023-04：请选择 2023-03 后重新上传，或下载 2023-04 的模板重新填写")
    ]


def test_another_units_report_gets_one_message_not_a_row_error_per_task(loaded) -> None:
    result = _ingest(filled(unit="岩寺镇"))  # 42 tasks, none of them the small unit's
    assert [(p.sheet, p.cell, p.value, p.message) for p in result.errors] == [
        ("月报", "C2", "岩寺镇", "这是岩寺镇的月报模板，不是区交通运输局的；请下载本单位的模板重新填写")
    ]
    renamed = _ingest(edit(filled(), _set("C2", "潜口镇")))
    assert [p.message for p in renamed.errors] == [
        "这是潜口镇的月报模板，不是区交通运输局的；请下载本单位的模板重新填写"
    ]
    # With no usable unit in the header, the hidden meta sheet tells whose template it is.
    blanked = _ingest(edit(filled(unit="岩寺镇"), _set("C2", None)))
    assert [(p.cell, p.message) for p in blanked.errors] == [
        ("C2", "这是岩寺镇的月报模板，不是区交通运输局的；请下载本单位的模板重新填写")
    ]


def test_another_months_report_gets_one_message_even_with_row_errors(loaded) -> None:
    february = edit(filled(period="2023-02"), _steps(_set("E7", "约80"), _set("D8", "完成"), _set("F9", None)))
    result = _ingest(february, period="2023-03")
    assert [(p.cell, p.value) for p in result.errors] == [("G2", "2023-02")]
    assert result.errors[0].message.startswith("这是 2023-02 的月报，当前选择的是 2023-03")
    # A template borrowed from February with the month changed to March is the March report.
    borrowed = edit(filled(period="2023-02"), _set("G2", "2023-03"))
    assert _ingest(borrowed, period="2023-03").accepted


ACCEPTED = [
    ("进度写百分号", _set("E7", "80%"), 80.0),
    ("进度全角数字和百分号", _set("E7", "８０％"), 80.0),
    ("进度前后有空格", _set("E7", " 80 "), 80.0),
    ("进度为带小数的文本", _set("E7", "75.5"), 75.5),
    ("百分比格式单元格", _percent, 80.0),
    ("序号为文本", _set("A7", "53"), 60.0),
    ("序号为 53.0", _set("A7", 53.0), 60.0),
    ("完成状态带空格", _set("D7", " 序时　推进 "), 60.0),
    ("已完成且为 100", _steps(_set("D7", "已完成"), _set("E7", "100%")), 100.0),
    ("月份写作 2023年3月", _set("G2", "2023年3月"), 60.0),
    ("月份写作 2023/03", _set("G2", "2023/03"), 60.0),
    ("月份写作 2023.3", _set("G2", "2023.3"), 60.0),
    ("月份写作 2023-3", _set("G2", "2023-3"), 60.0),
    ("月份为日期单元格", _set("G2", datetime(2023, 3, 1)), 60.0),
    ("单位写简称", _set("C2", "区交通局"), 60.0),
    ("手机号加分隔", _set("G3", "138 1234 5678"), 60.0),
    ("横线开头的条目文字", _set("F7", "-完成方案（初稿）；+2 个项目开工"), 60.0),
]


@pytest.mark.parametrize(("change", "progress"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_what_people_type_in_excel_is_accepted(loaded, change, progress: float) -> None:
    result = _ingest(edit(filled(), change))
    assert result.accepted, result.errors
    assert result.period == "2023-03"
    with read_session() as session:
        rows = session.exec(select(SubmissionRow).order_by(SubmissionRow.id)).all()
    assert len(rows) == 4
    assert rows[0].progress == progress


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2023-03", "2023-03"), ("2023年03月份", "2023-03"), ("２０２３－０３", "2023-03"), ("2023.12", "2023-12")],
)
def test_period_spellings(value: str, expected: str) -> None:
    assert parse_period(value) == expected


@pytest.mark.parametrize("value", ["2023-13", "23-03", "2023", "三月", 202303])
def test_ambiguous_or_wrong_periods_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="填报月份"):
        parse_period(value)


def test_progress_in_a_percent_cell_and_text() -> None:
    assert parse_progress(0.35, "0%") == 35
    assert parse_progress(1, "General") == 1
    assert parse_progress("100％") == 100
    with pytest.raises(ValueError, match="请只填写一个 0 到 100 之间的数字"):
        parse_progress("完成")


def test_warnings_for_lower_progress_and_repeated_text(loaded) -> None:
    february = _ingest(filled(period="2023-02", progress=80, text="召开专题会"))
    assert february.accepted and not february.warnings
    march = _ingest(filled(period="2023-03", progress=60, text="召开专题会", rows={78: {"progress": 90}}))
    assert march.accepted
    found = {(w.cell, w.message) for w in march.warnings}
    assert ("E7", "第 53 项完成进度 60 低于上次报送（2023-02：80），请确认") in found
    assert ("F7", "第 53 项本月工作进展与 2023-02 报送的完全相同，督查室将作为可能的“无实质内容”复核") in found
    assert not any(w.cell == "E10" for w in march.warnings)
    assert len(march.warnings) == 3 + 4


def test_a_later_version_of_an_earlier_month_does_not_warn_about_itself(loaded) -> None:
    assert _ingest(filled(period="2023-03", progress=60)).accepted
    again = _ingest(filled(period="2023-03", progress=40, text="另行改写"))
    assert again.accepted and again.version == 2
    assert again.warnings == []
