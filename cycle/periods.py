"""Reporting periods and their deadlines: the one place the deadline rule lives.

The report for month M is due at the end of day D of month M+1 (Beijing time). The office may
roll a deadline that falls on a non-working day to the next working day by China's official
calendar; beyond the years that calendar covers, Monday to Friday stands in and the period
says so.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol, TypeVar

import chinese_calendar
from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from core.period import Month, PeriodError
from cycle.settings import get_setting
from db.models import Period

END_OF_DAY = time(23, 59, 59, 999999)


def month_of(period: Period) -> Month:
    return Month(period.year, period.month)


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


def working_days_later(day: date, n: int) -> tuple[date, str]:
    """The ``n``-th working day after ``day`` by the same calendar as the deadlines, and a note
    when the official calendar did not cover a day counted (Monday to Friday stood in)."""
    note = ""
    while n > 0:
        day += timedelta(days=1)
        workday, known = _is_workday(day)
        if not known:
            note = f"{day.year}年法定节假日数据暂未收录，按周一至周五推算工作日"
        n -= workday
    return day, note


def deadline(year: int, month: int, *, day: int = 5, roll_to_workday: bool = False) -> Deadline:
    following = Month(year, month).next()
    due = date(following.year, following.month, day)
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


def deadline_for(session: Session, *, month: Month) -> Deadline:
    return deadline(
        month.year,
        month.month,
        day=get_setting(session, "deadline_day"),
        roll_to_workday=get_setting(session, "roll_to_workday"),
    )


def ensure_periods(session: Session, *, year: int) -> list[Period]:
    """Create the twelve months of ``year`` that do not exist yet (open by default)."""
    existing = {p.month for p in session.exec(select(Period).where(Period.year == year))}
    for number in range(1, 13):
        if number not in existing:
            month = Month(year, number)
            d = deadline_for(session, month=month)
            session.add(Period(code=month.code, year=year, month=number, due_at=d.due_at, due_note=d.note))
    session.flush()
    return list(session.exec(select(Period).where(Period.year == year).order_by(col(Period.month))))


def recompute_deadlines(session: Session) -> None:
    """Apply the current deadline settings to every stored period."""
    for period in session.exec(select(Period)):
        d = deadline_for(session, month=month_of(period))
        period.due_at, period.due_note = d.due_at, d.note
        session.add(period)


def get_period(session: Session, code: str | Month) -> Period:
    """The stored period of ``code`` (``YYYY-MM`` or a ``Month``); PeriodError if malformed or unknown."""
    month = Month.parse(code)
    period = session.exec(_period_of(), params={"year": month.year, "month": month.month}).first()
    if period is None:
        raise PeriodError(f"没有 {month.code} 这个填报月份")
    return period


@functools.cache
def _period_of() -> SelectOfScalar[Period]:
    """Built once: every upload looks its month up."""
    return select(Period).where(col(Period.year) == bindparam("year"), col(Period.month) == bindparam("month"))


def all_periods(session: Session, year: int | None = None) -> list[Period]:
    """Every stored period in order, or only those of ``year``."""
    query = select(Period).order_by(col(Period.year), col(Period.month))
    if year is not None:
        query = query.where(Period.year == year)
    return list(session.exec(query))


class Dated(Protocol):
    """A period as any layer holds it: the stored row or a plain copy of its facts."""

    @property
    def code(self) -> str: ...

    @property
    def due_at(self) -> datetime: ...


P = TypeVar("P", bound=Dated)


def being_reported(periods: Sequence[P], as_of: datetime) -> P | None:
    """The month units are reporting on at ``as_of``: the latest that has ended, else the first.
    The reporting pages (template, upload, the office's workbench) open on it."""
    ended = [p for p in periods if Month.parse(p.code) < Month.of(as_of)]
    return ended[-1] if ended else (periods[0] if periods else None)


def collecting(due_at: datetime, as_of: datetime) -> bool:
    """A month's reports are still coming in: its deadline has not passed by ``as_of``."""
    return as_of <= due_at


def judged(periods: Sequence[P], as_of: datetime) -> P | None:
    """The month now being judged: the latest whose deadline has passed by ``as_of`` (None
    before the year's first deadline). The dashboards open on it: a month still being reported
    would show most tasks 未报送."""
    due = [p for p in periods if not collecting(p.due_at, as_of)]
    return due[-1] if due else None


def set_closed(session: Session, *, period: str | Month, closed: bool) -> Period:
    row = get_period(session, period)
    row.closed = closed
    session.add(row)
    return row
