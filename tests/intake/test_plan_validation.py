"""The plan validator, case by case: each bad input a Chinese message on its exact cell."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from accounts.access import SYSTEM
from db.engine import read_session, write_session
from db.queries import resolve_unit
from intake.plans import CheckedPlan, check_plan, parse_due, read_plan
from office.closing import close_task
from tests.factories import add_submission
from tests.plan_kit import GOOD, PLAN_UNIT, plan_filled

TASK_84 = "推进城市管理精细化"  # any text: the 主要任务 cell is compared with the registry


def _check(data: bytes, unit: str = PLAN_UNIT, year: int | None = None) -> CheckedPlan:
    with read_session() as session:
        row = resolve_unit(session, unit)
        assert row is not None
        return check_plan(session, read_plan(data), row, year)


def _errors(data: bytes, **kwargs: object) -> list[tuple[str, str]]:
    return [(f"{p.sheet}!{p.cell}", p.message) for p in _check(data, **kwargs).errors]  # type: ignore[arg-type]


MARCH, JUNE, DEC = date(2023, 3, 31), date(2023, 6, 30), date(2023, 12, 31)

BAD = [
    ("out of the year", {84: [(date(2024, 3, 31), "方案", 20), (DEC, "完成", 100)]}, "C5", "不在 2023 年内"),
    ("before the year", {84: [(date(2022, 12, 31), "方案", 20), (DEC, "完成", 100)]}, "C5", "不在 2023 年内"),
    ("progress goes down", {84: [(MARCH, "方案", 40), (JUNE, "过半", 30), (DEC, "完成", 100)]}, "E6", "低于上一个节点"),
    (
        "date before the one above",
        {84: [(JUNE, "过半", 40), (MARCH, "方案", 50), (DEC, "完成", 100)]},
        "C6",
        "早于上一个节点",
    ),
    ("a date but no progress", {84: [(MARCH, "方案", None), (DEC, "完成", 100)]}, "E5", "没有填计划进度"),
    ("progress but no date", {84: [(None, "方案", 20), (DEC, "完成", 100)]}, "C5", "没有填完成时限"),
    ("only the goal", {84: [(None, "方案", None), (DEC, "完成", 100)]}, "C5", "只有节点目标"),
    ("no goal", {84: [(MARCH, "", 20), (DEC, "完成", 100)]}, "D5", "没有填写节点目标"),
    ("last below 100", {84: [(MARCH, "方案", 20), (DEC, "基本完成", 90)]}, "E6", "应为 100"),
    ("a task without milestones", {84: GOOD[84]}, "C9", "第 85 项还没有填写节点"),
    ("unreadable date", {84: [("六月底", "方案", 20), (DEC, "完成", 100)]}, "C5", "无法识别完成时限"),
    ("impossible date", {84: [("2023-02-30", "方案", 20), (DEC, "完成", 100)]}, "C5", "无法识别完成时限"),
    ("progress above 100", {84: [(MARCH, "方案", 150), (DEC, "完成", 100)]}, "E5", "计划进度应在 0 到 100 之间"),
    ("progress as words", {84: [(MARCH, "方案", "一半"), (DEC, "完成", 100)]}, "E5", "无法识别计划进度"),
]


@pytest.mark.parametrize(("case", "milestones", "cell", "message"), BAD, ids=[case[0] for case in BAD])
def test_bad_milestones(loaded: str, case: str, milestones: dict, cell: str, message: str) -> None:
    filled = {**GOOD, **milestones} if case != "a task without milestones" else milestones
    errors = _errors(plan_filled(filled))
    assert len(errors) == 1, errors
    assert errors[0][0] == f"节点计划!{cell}" and message in errors[0][1], errors


ROWS = [
    ("a co-unit's task", (70, "任务", MARCH, "配合", 100), "A13", "本单位是配合单位，节点计划由牵头单位报送"),
    ("a task not the unit's", (1, "任务", MARCH, "抢先", 100), "A13", "不是本单位牵头的任务"),
    ("no 序号", (None, "任务", MARCH, "新节点", 100), "A13", "此行没有序号"),
]


@pytest.mark.parametrize(("case", "row", "cell", "message"), ROWS, ids=[case[0] for case in ROWS])
def test_rows_that_are_not_the_units(loaded: str, case: str, row: tuple, cell: str, message: str) -> None:
    errors = _errors(plan_filled(extra=[row]))
    assert len(errors) == 1, errors
    assert errors[0][0] == f"节点计划!{cell}" and message in errors[0][1], errors


def test_changed_task_text_is_refused(loaded: str) -> None:
    errors = _errors(plan_filled(cells={"B5": TASK_84}))
    assert errors == [("节点计划!B5", "第 84 项的主要任务与任务清单不一致：请不要修改此列（可重新下载模板）")]


def test_another_units_file_is_one_message(loaded: str) -> None:
    data = plan_filled({78: [(DEC, "竣工", 100)]}, unit="区交通运输局")
    assert _errors(data) == [("节点计划!B2", "这是区交通运输局的节点计划，不是区城管局的；请下载本单位的模板重新填写")]


def test_another_years_file_is_one_message(loaded: str) -> None:
    assert _errors(plan_filled(), year=2024) == [
        ("节点计划!E2", "这是 2023 年的节点计划，当前选择的是 2024 年：请下载 2024 年的模板重新填写")
    ]


def test_a_closed_task_is_refused(loaded: str) -> None:
    add_submission(PLAN_UNIT, "2023-02", datetime(2023, 3, 3, 9), {85: ("已完成", 100.0)})
    with write_session() as session:
        close_task(session, year=2023, no=85, on=date(2023, 2, 28), note="通过验收", actor=SYSTEM)
    closed_row = (85, "任务", DEC, "通过验收", 100)
    errors = _errors(plan_filled({84: GOOD[84]}, extra=[closed_row]))
    assert errors == [("节点计划!A9", "第 85 项任务已办结，不再接收节点计划：请删除此行")]
    assert _errors(plan_filled({84: GOOD[84]})) == []  # its rows are gone from the template


def test_a_monthly_report_is_not_a_plan(loaded: str) -> None:
    from tests.monthly_kit import filled

    assert _errors(filled(PLAN_UNIT)) == [
        ("节点计划!", "找不到“节点计划”工作表：请使用本系统下载的模板填写，不要改工作表名称")
    ]


GOOD_FILES = [
    ("the plan", GOOD, {84: 3, 85: 1}),
    (
        "dates as text",
        {
            84: [("2023年3月31日", "方案", "20%"), ("2023/6/30", "过半", 50), ("2023年12月底", "完成", 100)],
            85: GOOD[85],
        },
        {84: 3, 85: 1},
    ),
    (
        "same day twice",
        {84: [(JUNE, "方案", 20), (JUNE, "过半", 50), (DEC, "完成", 100)], 85: GOOD[85]},
        {84: 3, 85: 1},
    ),
    (
        "a copied fifth row",
        {
            84: [*GOOD[84][:2], (date(2023, 8, 31), "七成", 70), (date(2023, 10, 31), "九成", 90), (DEC, "完成", 100)],
            85: GOOD[85],
        },
        {84: 5, 85: 1},
    ),
    ("multi-year", {84: GOOD[84], 85: [(JUNE, "跨年度：完成一期", 30), (DEC, "二期开工", 60)]}, {84: 3, 85: 2}),
]


@pytest.mark.parametrize(("case", "milestones", "counts"), GOOD_FILES, ids=[case[0] for case in GOOD_FILES])
def test_good_files(loaded: str, case: str, milestones: dict, counts: dict[int, int]) -> None:
    checked = _check(plan_filled(milestones))
    assert checked.errors == [] and checked.year == 2023
    found: dict[int, int] = {}
    for row in checked.rows:
        found[row.task_no] = found.get(row.task_no, 0) + 1
    assert found == counts
    assert all(row.multi_year == (case == "multi-year" and row.task_no == 85) for row in checked.rows)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-06-30", date(2023, 6, 30)),
        ("2023.6.3", date(2023, 6, 3)),
        ("2023年2月", date(2023, 2, 28)),
        ("２０２３－０６－３０", date(2023, 6, 30)),
    ],
)
def test_parse_due(text: str, expected: date) -> None:
    assert parse_due(text) == expected
