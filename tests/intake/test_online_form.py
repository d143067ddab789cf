"""The online form: the rows a unit fills in the browser go the way of an uploaded workbook
(the same checks, versions and lateness), stored as the template filled with them."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from accounts.access import AccessDenied, Actor
from core import clock
from core.vocab import UserRole
from cycle.periods import get_period
from db.engine import read_session
from db.models import RejectedAttempt, Submission
from db.queries import resolve_unit
from intake.ingest import ingest_form
from intake.template import CellValue, form_start, place
from intake.validation import read_upload
from office.deductions import report_timeliness
from tests.monthly_kit import HEADER, SMALL_UNIT, task_numbers

NUMBERS = [53, 69, 75, 78]


def _unit() -> Actor:
    with read_session() as session:
        unit = resolve_unit(session, SMALL_UNIT)
        assert unit is not None
        return Actor(SMALL_UNIT, UserRole.UNIT, unit_id=unit.id)


def _rows(**changes: dict[str, CellValue]) -> dict[int, dict[str, CellValue]]:
    rows: dict[int, dict[str, CellValue]] = {
        no: {"status": "序时推进", "progress": 60.0, "progress_text": f"召开推进会（第{no}项）"}
        for no in task_numbers(SMALL_UNIT)
    }
    for no, change in changes.items():
        rows[int(no.lstrip("t"))].update(change)
    return rows


def test_a_form_is_checked_versioned_and_judged_late_as_an_upload(loaded, monkeypatch: pytest.MonkeyPatch) -> None:
    assert task_numbers(SMALL_UNIT) == NUMBERS
    monkeypatch.setattr(clock, "now", lambda: datetime(2023, 4, 8, 10))
    unit = _unit()
    first = ingest_form(_rows(), HEADER, unit=SMALL_UNIT, actor=unit, period="2023-03")
    assert (first.accepted, first.duplicate, first.version, first.rows) == (True, False, 1, 4)
    again = ingest_form(_rows(), HEADER, unit=SMALL_UNIT, actor=unit, period="2023-03")
    assert (again.accepted, again.duplicate, again.version) == (True, True, 1)
    corrected = ingest_form(_rows(t78={"progress": 70.0}), HEADER, unit=SMALL_UNIT, actor=unit, period="2023-03")
    assert (corrected.accepted, corrected.version) == (True, 2)
    with read_session() as session:
        stored = session.exec(select(Submission).order_by(Submission.version)).all()
        late = report_timeliness(
            session, unit_id=unit.unit_id or 0, period=get_period(session, "2023-03"), as_of=clock.now()
        )
        start = form_start(session, unit.unit_id or 0, "2023-03")
    assert [s.file_name for s in stored] == [f"{SMALL_UNIT}_2023-03_在线填报.xlsx"] * 2
    assert all(s.uploaded_by == SMALL_UNIT and not s.on_behalf for s in stored)
    parsed = read_upload(stored[1].content)  # every version's file is the filled template
    assert parsed.readable and [row[4].value for row in parsed.rows] == [60, 60, 60, 70]
    assert (late.status, late.days_late) == ("late", 3)
    # The form opens on the current version, to correct it.
    assert start.source == "2023-03 当前版本" and start.rows[78]["progress"] == 70 and start.header == HEADER


def test_a_bad_form_is_refused_with_every_problem_by_task_and_column(loaded) -> None:
    rows = _rows(t69={"status": "已完成"}, t53={"progress_text": "=1+1"}, t78={"status": None, "progress": None})
    result = ingest_form(rows, {**HEADER, "填报人": ""}, unit=SMALL_UNIT, actor=_unit(), period="2023-03")
    assert not result.accepted
    places = [(*place(p.cell, NUMBERS), p.message) for p in result.errors]
    assert places == [
        ("表头", "填报人", "请填写填报人"),
        ("第 53 项", "本月工作进展", "内容开头的“=”可能被当作公式执行：请删去开头的符号，或在前面加上文字"),
        ("第 69 项", "完成进度(%)", "完成状态为“已完成”时，完成进度应为 100"),
        ("第 78 项", "完成状态", "请填写完成状态：从下拉列表选择 已完成、序时推进、滞后 或 未启动"),
        ("第 78 项", "完成进度(%)", "请填写完成进度（0 到 100 之间的数字，例如 80）"),
    ]
    with read_session() as session:
        assert session.exec(select(Submission)).first() is None
        attempt = session.exec(select(RejectedAttempt)).one()
    assert (attempt.file_name, attempt.error_count) == (f"{SMALL_UNIT}_2023-03_在线填报.xlsx", 5)


def test_a_unit_cannot_fill_the_form_for_another(loaded) -> None:
    with pytest.raises(AccessDenied):
        ingest_form(_rows(), HEADER, unit="岩寺镇", actor=_unit(), period="2023-03")
