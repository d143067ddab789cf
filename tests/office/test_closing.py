"""办结销号 on the 2023 registry: who may close, what a closure removes (template rows,
validation's demands, lateness, deductions), what every reading shows (已办结), and reopening."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import select

import cli
from accounts.access import SYSTEM, Actor
from core.vocab import TaskStatus
from cycle.periods import get_period
from db.engine import read_session, write_session
from db.models import AuditLog, Task
from db.queries import resolve_unit
from intake.template import TemplateError, build_template, fill_workbook
from intake.validation import check, read_upload
from office.closing import ClosingError, close_task, history, reopen_task
from office.deductions import period_items
from office.workbench import lateness_grid
from status.by_unit import unit_record
from status.engine import status_counts, task_states
from status.lateness import lateness
from tests.factories import add_submission
from tests.monthly_kit import HEADER

FINANCE_OFFICE = "区地方金融监管局"  # leads 95, owes nothing else
EMERGENCY = "区应急管理局"  # leads 112, co-unit on 84
AS_OF = datetime(2023, 8, 1)


def _unit_id(name: str) -> int:
    with read_session() as session:
        unit = resolve_unit(session, name)
        assert unit is not None and unit.id is not None
        return unit.id


def _template_tasks(unit: str, period: str) -> list[int]:
    ws = load_workbook(io.BytesIO(_template_bytes(unit, period)))["月报"]
    return [ws.cell(row, 1).value for row in range(7, ws.max_row + 1) if ws.cell(row, 1).value]


def _close(no: int, on: date, note: str = "已全部完成", actor: Actor = SYSTEM) -> None:
    with write_session() as session:
        close_task(session, year=2023, no=no, on=on, note=note, actor=actor)


def _states(period: str, *nos: int) -> list[TaskStatus]:
    with read_session() as session:
        states = task_states(session, get_period(session, period), as_of=AS_OF)
    by_no = {s.no: s for s in states.values()}
    return [by_no[no].status for no in nos]


def _late_units(period: str) -> set[str]:
    with read_session() as session:
        return {row.unit for row in lateness(session, get_period(session, period), AS_OF)}


@pytest.fixture
def done_in_may(loaded) -> None:
    add_submission(FINANCE_OFFICE, "2023-04", datetime(2023, 5, 4), {95: ("序时推进", 60.0)})
    add_submission(FINANCE_OFFICE, "2023-05", datetime(2023, 6, 2), {95: ("已完成", 100.0)})
    add_submission(EMERGENCY, "2023-05", datetime(2023, 6, 2), {112: ("已完成", 100.0)})


def test_only_a_task_reported_done_can_be_closed(done_in_may) -> None:
    refusals = [
        (95, date(2023, 4, 30), "2023-04 月报所填为“序时推进”"),  # done only from May
        (1, date(2023, 5, 31), "牵头单位尚未报送"),
        (95, date(2024, 1, 5), "办结日期须在 2023 年内"),
        (999, date(2023, 5, 31), "2023 年没有第 999 项任务"),
    ]
    for no, on, message in refusals:
        with pytest.raises(ClosingError, match=message), write_session() as session:
            close_task(session, year=2023, no=no, on=on, note="完成", actor=SYSTEM)
    with pytest.raises(ClosingError, match="请填写办结说明"):
        _close(95, date(2023, 5, 31), note="  ")
    with pytest.raises(ValueError, match="只有督查室"):
        _close(95, date(2023, 5, 31), actor=Actor("岩寺镇", "unit", unit_id=1))
    _close(95, date(2023, 5, 31))
    with pytest.raises(ClosingError, match="已办结，不能重复办结"):
        _close(95, date(2023, 5, 31))


def test_a_closed_task_is_owed_by_nobody_from_the_next_month(done_in_may) -> None:
    assert _template_tasks(EMERGENCY, "2023-06") == [84, 112]
    _close(112, date(2023, 5, 20))
    _close(95, date(2023, 5, 31))
    # The month of the 办结 date is still reported; the next one has no row for it.
    assert _template_tasks(EMERGENCY, "2023-05") == [84, 112]
    assert _template_tasks(EMERGENCY, "2023-06") == [84]
    with pytest.raises(TemplateError, match="均已办结，2023-06 起不再报送"), read_session() as session:
        build_template(session, _unit_id(FINANCE_OFFICE), "2023-06")
    # Lateness and deductions: a unit without any open task owes no report.
    assert FINANCE_OFFICE in _late_units("2023-05") and FINANCE_OFFICE not in _late_units("2023-06")
    assert EMERGENCY in _late_units("2023-06")
    with read_session() as session:
        june = {i.unit_id for i in period_items(session, get_period(session, "2023-06"), AS_OF)}
    assert _unit_id(FINANCE_OFFICE) not in june and _unit_id(EMERGENCY) in june
    # Every reading: 已办结 after the closing month, with progress 100.
    assert _states("2023-05", 95, 112) == [TaskStatus.DONE, TaskStatus.DONE]
    assert _states("2023-06", 95, 112, 84) == [TaskStatus.CLOSED, TaskStatus.CLOSED, TaskStatus.NOT_REPORTED]
    with read_session() as session:
        counts = status_counts(task_states(session, get_period(session, "2023-06"), as_of=AS_OF).values())
    assert counts[TaskStatus.CLOSED] == 2 and sum(counts.values()) == 125


def test_validation_demands_no_row_for_a_closed_task(done_in_may) -> None:
    rows = {
        84: {"status": "序时推进", "progress": 60, "progress_text": "推进中"},
        112: {"status": "已完成", "progress": 100, "progress_text": "完成"},
    }
    before = fill_workbook(_template_bytes(EMERGENCY, "2023-06"), rows, HEADER)  # downloaded before the 办结
    _close(112, date(2023, 5, 20))
    after = fill_workbook(_template_bytes(EMERGENCY, "2023-06"), {84: rows[84]}, HEADER)
    with read_session() as session:
        unit = resolve_unit(session, EMERGENCY)
        assert unit is not None
        old = check(session, read_upload(before), unit, "2023-06")
        new = check(session, read_upload(after), unit, "2023-06")
    assert [(p.cell, p.message) for p in old.errors] == [
        ("A8", "第 112 项任务已办结，本月起不再报送：请删除此行（或重新下载本月模板）")
    ]
    assert new.errors == [] and [r.task_no for r in new.rows] == [84]


def _template_bytes(unit: str, period: str) -> bytes:
    with read_session() as session:
        return build_template(session, _unit_id(unit), period)


def test_reopening_restores_the_obligation_and_keeps_the_history(done_in_may) -> None:
    _close(95, date(2023, 5, 31), note="验收通过")
    with write_session() as session:
        reopen_task(session, year=2023, no=95, reason="发现遗留问题", actor=SYSTEM)
    assert _template_tasks(FINANCE_OFFICE, "2023-06") == [95]
    assert FINANCE_OFFICE in _late_units("2023-06")
    assert _states("2023-06", 95) == [TaskStatus.NOT_REPORTED]
    with pytest.raises(ClosingError, match="没有办结，无需撤销"), write_session() as session:
        reopen_task(session, year=2023, no=95, reason="再撤销", actor=SYSTEM)
    _close(95, date(2023, 5, 31), note="整改完成")
    with read_session() as session:
        task = session.exec(select(Task).where(Task.year == 2023, Task.no == 95)).one()
        assert task.id is not None
        past = history(session, task_id=task.id)
        actions = [
            a.action for a in session.exec(select(AuditLog).order_by(AuditLog.id)) if a.action.startswith("task_")
        ]
    assert [(h.note, h.open, h.reopen_reason) for h in past] == [
        ("整改完成", True, ""),
        ("验收通过", False, "发现遗留问题"),
    ]
    assert actions == ["task_closed", "task_reopened", "task_closed"]


def test_task_close_and_reopen_commands(done_in_may, capsys) -> None:
    close = ["task", "close", "--no", "95", "--year", "2023", "--note", "完成"]
    assert cli.main([*close, "--date", "2023-04-30"]) == 1
    assert "不能办结" in capsys.readouterr().err
    assert cli.main([*close, "--date", "2023-05-31"]) == 0
    assert "2023-06 起不再报送" in capsys.readouterr().out
    assert cli.main([*close, "--date", "2023-05-31"]) == 1
    assert "已办结" in capsys.readouterr().err
    assert cli.main([*close, "--date", "2023/05/31"]) == 2
    reopen = ["task", "reopen", "--no", "95", "--year", "2023", "--reason", "误操作"]
    assert cli.main(reopen) == 0
    assert cli.main(reopen) == 1
    assert "没有办结" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        cli.main(["task", "close", "--no", "95", "--year", "2023", "--date", "2023-05-31"])
    assert exit_.value.code == 2


def test_the_office_pages_follow_the_closure(done_in_may) -> None:
    _close(95, date(2023, 5, 31))
    with read_session() as session:
        grid = lateness_grid(session, 2023, AS_OF)
        record = unit_record(session, _unit_id(FINANCE_OFFICE), 2023, AS_OF)
    row = next(r for r in grid.rows if r.unit == FINANCE_OFFICE)
    assert row.statuses[3:7] == ["on_time", "on_time", None, None]  # April, May reported; nothing owed after
    assert list(record["月份"]) == [f"2023-{m:02d}" for m in range(1, 6)]
