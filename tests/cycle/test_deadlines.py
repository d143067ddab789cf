"""Deadline arithmetic around holidays, with and without rolling, and beyond the official calendar."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select

from accounts.access import SYSTEM, AccessDenied, Actor
from cycle.admin import change_setting
from cycle.periods import deadline, ensure_periods, get_period
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


def test_office_settings_recompute_every_stored_period(loaded) -> None:
    with read_session() as session:
        assert get_period(session, "2023-09").due_at.date() == date(2023, 10, 5)
    change_setting(SYSTEM, "roll_to_workday", "true")
    with read_session() as session:
        assert get_period(session, "2023-09").due_at.date() == date(2023, 10, 7)
        assert get_period(session, "2023-12").due_at.date() == date(2024, 1, 5)
    change_setting(SYSTEM, "deadline_day", 10)
    with read_session() as session:
        dues = [p.due_at.date() for p in session.exec(select(Period).order_by(Period.month))]
    assert dues[0] == date(2023, 2, 10)
    assert dues[8] == date(2023, 10, 10)
    with pytest.raises(ValueError, match="应在 1 到 28 之间"):
        change_setting(SYSTEM, "deadline_day", 31)
    with pytest.raises(AccessDenied):
        change_setting(Actor("岩寺镇", "unit", unit_id=1), "deadline_day", 6)


def test_periods_of_an_uncovered_year_store_the_fallback_note(loaded) -> None:
    change_setting(SYSTEM, "roll_to_workday", True)
    with write_session() as session:
        periods = ensure_periods(session, 2027)
        notes = {p.code: (p.due_at.date(), p.due_note) for p in periods}
    assert notes["2027-05"] == (date(2027, 6, 7), FALLBACK)
    assert notes["2027-12"][1] == "2028年法定节假日数据暂未收录，按周一至周五推算工作日"
