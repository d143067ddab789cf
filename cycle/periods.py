"""Reporting periods and their deadlines: the one place the deadline rule lives.

The report for month M is due at the end of day D of month M+1 (Beijing time). The office may
roll a deadline that falls on a non-working day to the next working day by China's official
calendar; beyond the years that calendar covers, Monday to Friday stands in and the period
says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import chinese_calendar
from sqlmodel import Session, select

from cycle.settings import get_setting
from db.models import Period

END_OF_DAY = time(23, 59, 59, 999999)
_CODE = re.compile(r"^(\d{4})-(\d{1,2})$")


class PeriodError(ValueError):
    """A period that is malformed, unknown or closed; the message is for the user."""


def parse_code(code: str) -> tuple[int, int]:
    match = _CODE.match(str(code).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(f"月份格式不正确：{code!r}，请写成 YYYY-MM，例如 2023-03")
    return int(match.group(1)), int(match.group(2))


def code_of(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    note: str = ""  # set when the official calendar did not cover the year


def _is_workday(day: date) -> tuple[bool, bool]:
    """(is it a working day, did the official calendar know)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def deadline(year: int, month: int, *, day: int = 5, roll_to_workday: bool = False) -> Deadline:
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    due = date(next_year, next_month, day)
    note = ""
    if roll_to_workday:
        while True:
            workday, known = _is_workday(due)
            if not known:
                note = f"{due.year}年法定节假日数据暂未收录，按周一至周五推算工作日"
            if workday:
                break
            due += timedelta(days=1)
    return Deadline(datetime.combine(due, END_OF_DAY), note)


def deadline_for(session: Session, year: int, month: int) -> Deadline:
    return deadline(
        year,
        month,
        day=get_setting(session, "deadline_day"),
        roll_to_workday=get_setting(session, "roll_to_workday"),
    )


def ensure_periods(session: Session, year: int) -> list[Period]:
    """Create the twelve months of ``year`` that do not exist yet (open by default)."""
    existing = {p.month for p in session.exec(select(Period).where(Period.year == year))}
    for month in range(1, 13):
        if month not in existing:
            d = deadline_for(session, year, month)
            session.add(Period(code=code_of(year, month), year=year, month=month, due_at=d.due_at, due_note=d.note))
    session.flush()
    return list(session.exec(select(Period).where(Period.year == year).order_by(Period.month)))


def recompute_deadlines(session: Session) -> None:
    """Apply the current deadline settings to every stored period."""
    for period in session.exec(select(Period)):
        d = deadline_for(session, period.year, period.month)
        period.due_at, period.due_note = d.due_at, d.note
        session.add(period)


def get_period(session: Session, code: str) -> Period:
    year, month = parse_code(code)
    period = session.exec(select(Period).where(Period.year == year, Period.month == month)).first()
    if period is None:
        raise PeriodError(f"没有 {code_of(year, month)} 这个填报月份")
    return period


def all_periods(session: Session) -> list[Period]:
    return list(session.exec(select(Period).order_by(Period.year, Period.month)))


def set_closed(session: Session, code: str, closed: bool) -> Period:
    period = get_period(session, code)
    period.closed = closed
    session.add(period)
    return period
