"""Deadline arithmetic around holidays, with and without rolling, and beyond the official calendar."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlmodel import select

from accounts.access import SYSTEM, AccessDenied, Actor
from accounts.audit import entries
from cycle.admin import change_deadline_rule, change_setting
from cycle.periods import deadline, ensure_periods, get_period
from cycle.settings import SPECS, get_setting
from db.engine import read_session, write_session
from db.models import Period
from status.lateness import judge

FALLBACK = "2027年法定节假日数据暂未收录，按周一至周五推算工作日"


@pytest.mark.parametrize(
    ("year", "month", "day", "plain", "rolled"),
    [
        # 2023 National Day: 9.29–10.6 off, Saturday 10.7 a working day (调休).
        (2023, 9, 5, date(2023, 10, 5), date(2023, 10, 7)),
        # 2024 National Day: 10.1–10.7 off; Saturday 10.5 is a holiday, next working day Tuesday 10.8.
        (2024, 9, 5, date(2024, 10, 5), date(2024, 10, 8)),
        # 2023 Spring Festival: 1.21–1.27 off, Saturday 1.28 a working day.
        (2022, 12, 25, date(2023, 1, 25), date(2023, 1, 28)),
        # 2024 Spring Festival: 2.10–2.17 off, Sunday 2.18 a working day.
        (2024, 1, 10, date(2024, 2, 10), date(2024, 2, 18)),
        # A Sunday, 清明 (a Wednesday holiday), and a working Monday that stays.
        (2023, 1, 5, date(2023, 2, 5), date(2023, 2, 6)),
        (2023, 3, 5, date(2023, 4, 5), date(2023, 4, 6)),
        (2023, 5, 5, date(2023, 6, 5), date(2023, 6, 5)),
        # December's report is due in January of the next year.
        (2023, 12, 5, date(2024, 1, 5), date(2024, 1, 5)),
    ],
)
def test_deadlines_around_holidays(year: int, month: int, day: int, plain: date, rolled: date) -> None:
    fixed = deadline(year, month, day=day)
    assert fixed.due_at == datetime(plain.year, plain.month, plain.day, 23, 59, 59, 999999)
    assert fixed.note == ""
    moved = deadline(year, month, day=day, roll_to_workday=True)
    assert moved.due_at.date() == rolled
    assert moved.note == ""


def test_beyond_the_official_calendar_monday_to_friday_stands_in() -> None:
    # 2027-06-05 is a Saturday: rolled to Monday, and the due date says how it was worked out.
    moved = deadline(2027, 5, day=5, roll_to_workday=True)
    assert moved.due_at.date() == date(2027, 6, 7)
    assert moved.note == FALLBACK
    assert deadline(2027, 5, day=5).note == ""
    assert deadline(2031, 9, day=5, roll_to_workday=True).due_at.date() == date(2031, 10, 6)


def test_end_of_day_is_the_boundary() -> None:
    due = deadline(2023, 3).due_at
    assert judge(due, datetime(2023, 4, 5, 23, 59, 59), datetime(2023, 5, 1), False) == ("on_time", 0)
    assert judge(due, datetime(2023, 4, 6, 0, 0, 0), datetime(2023, 5, 1), False) == ("late", 1)


def _change(key: str, value: object, actor: Actor = SYSTEM) -> None:
    with write_session() as session:
        change_setting(session, key=key, value=value, actor=actor)


def test_office_settings_recompute_every_stored_period(loaded) -> None:
    with read_session() as session:
        assert get_period(session, "2023-09").due_at.date() == date(2023, 10, 5)
    _change("roll_to_workday", "true")
    with read_session() as session:
        assert get_period(session, "2023-09").due_at.date() == date(2023, 10, 7)
        assert get_period(session, "2023-12").due_at.date() == date(2024, 1, 5)
    _change("deadline_day", 10)
    with read_session() as session:
        dues = [p.due_at.date() for p in session.exec(select(Period).order_by(Period.month))]
    assert dues[0] == date(2023, 2, 10)
    assert dues[8] == date(2023, 10, 10)
    with pytest.raises(ValueError, match="应在 1 到 28 之间"):
        _change("deadline_day", 31)
    with pytest.raises(AccessDenied):
        _change("deadline_day", 6, Actor("岩寺镇", "unit", unit_id=1))


def test_periods_of_an_uncovered_year_store_the_fallback_note(loaded) -> None:
    _change("roll_to_workday", True)
    with write_session() as session:
        periods = ensure_periods(session, year=2027)
        notes = {p.code: (p.due_at.date(), p.due_note) for p in periods}
    assert notes["2027-05"] == (date(2027, 6, 7), FALLBACK)
    assert notes["2027-12"][1] == "2028年法定节假日数据暂未收录，按周一至周五推算工作日"


def test_the_deadline_rule_changes_as_one(loaded) -> None:
    with write_session() as session:
        change_deadline_rule(session, day=10, roll_to_workday=True, actor=SYSTEM)
    with read_session() as session:
        assert (get_setting(session, "deadline_day"), get_setting(session, "roll_to_workday")) == (10, True)
        assert get_period(session, "2023-05").due_at.date() == date(2023, 6, 12)  # Saturday 10th rolled
        changes = [json.loads(e.detail) for e in entries(session, action="setting_changed")]
    assert {c["设置"] for c in changes} == {SPECS["deadline_day"].label, SPECS["roll_to_workday"].label}

    # A bad day stores neither part: the roll set in the same call is not kept either.
    with pytest.raises(ValueError, match="应在 1 到 28 之间"), write_session() as session:
        change_deadline_rule(session, day=31, roll_to_workday=False, actor=SYSTEM)
    with read_session() as session:
        assert (get_setting(session, "deadline_day"), get_setting(session, "roll_to_workday")) == (10, True)
        assert len(entries(session, action="setting_changed")) == 2
    with pytest.raises(AccessDenied), write_session() as session:
        change_deadline_rule(session, day=6, roll_to_workday=False, actor=Actor("岩寺镇", "unit", unit_id=1))
