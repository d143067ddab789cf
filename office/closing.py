"""办结销号: the office confirms that a task its lead unit reports 已完成 is finished, with a
date and a note, and may reopen it (撤销办结) with a reason. Both are audited, and every closure
is kept (a reopened one keeps who reopened it, when and why).

What a closure changes is decided elsewhere, in one place each: nobody owes the task from the
month after the 办结 date on (``registry.obligations.closed_for``), and the status engine
gives it 已办结 for those months (``status.engine``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy
from sqlmodel import Session, col, select

from accounts.access import Actor, ensure_office
from accounts.audit import audit
from core import clock
from core.period import Month
from core.vocab import TaskStatus
from cycle.periods import get_period
from cycle.settings import get_setting
from db.ids import id_of
from db.models import Period, Task, TaskClosure
from status.engine import status_of_rank, status_query

MAX_NOTE_CHARS = 500


class ClosingError(ValueError):
    """A task that cannot be closed or reopened now; the message is for the user."""


@dataclass(frozen=True)
class ClosureView:
    closed_on: date
    note: str
    closed_by: str
    closed_at: datetime
    reopened_by: str | None
    reopened_at: datetime | None
    reopen_reason: str

    @property
    def open(self) -> bool:
        return self.reopened_at is None

    @property
    def last_month(self) -> Month:
        """The last month still reported: 已办结 from the month after it."""
        return Month.of(self.closed_on)


def find_task(session: Session, *, year: int, no: int) -> Task:
    task = session.exec(select(Task).where(Task.year == year, Task.no == no)).first()
    if task is None:
        raise ClosingError(f"{year} 年没有第 {no} 项任务")
    return task


def history(session: Session, *, task_id: int) -> list[ClosureView]:
    """Every closure of the task, the latest first."""
    rows = session.exec(
        select(TaskClosure)
        .where(TaskClosure.task_id == task_id)
        .order_by(col(TaskClosure.closed_at).desc(), col(TaskClosure.id).desc())
    )
    return [
        ClosureView(r.closed_on, r.note, r.closed_by, r.closed_at, r.reopened_by, r.reopened_at, r.reopen_reason)
        for r in rows
    ]


def _open_closure(session: Session, task_id: int) -> TaskClosure | None:
    return session.exec(
        select(TaskClosure).where(TaskClosure.task_id == task_id, col(TaskClosure.reopened_at).is_(None))
    ).first()


def reported_status(session: Session, *, task: Task, by: Month) -> tuple[TaskStatus, str | None]:
    """The task's status in the last month up to ``by`` in which its lead unit reported on it
    (status engine, current reports), and that month; (未报送, None) if it never did."""
    months = select(Period.id).where(Period.year == task.year, Period.month <= by.month)
    states = status_query(
        periods=months, as_of=None, margin=get_setting(session, "lag_margin"), tasks=[id_of(task)], year=task.year
    )
    row = session.execute(
        sqlalchemy.select(col(Period.code), states.c.rank)
        .select_from(states)
        .join(Period, col(Period.id) == states.c.period_id)
        .where(states.c.rank.is_not(None))
        .order_by(col(Period.month).desc())
        .limit(1)
    ).first()
    return (TaskStatus.NOT_REPORTED, None) if row is None else (status_of_rank(row[1]), row[0])


def refusal_to_close(session: Session, *, task: Task, on: date) -> str | None:
    """Why ``task`` cannot be closed on ``on`` (a Chinese sentence), or None if it can."""
    if _open_closure(session, id_of(task)) is not None:
        return f"第 {task.no} 项任务已办结，不能重复办结；如需更改，请先撤销办结"
    if on.year != task.year:
        return f"办结日期须在 {task.year} 年内（第 {task.no} 项是 {task.year} 年的任务）"
    if on > clock.now().date():
        return "办结日期不能晚于今天"
    status, month = reported_status(session, task=task, by=Month.of(on))
    if status is not TaskStatus.DONE:
        said = f"{month} 月报所填为“{status.label}”" if month else "牵头单位尚未报送"
        return (
            f"第 {task.no} 项任务的牵头单位截至 {Month.of(on).code} 尚未报“{TaskStatus.DONE.label}”（{said}），不能办结"
        )
    return None


def close_task(session: Session, *, year: int, no: int, on: date, note: str, actor: Actor) -> ClosureView:
    """Close task ``no`` of ``year`` on ``on``: 已办结 and owed by nobody from the next month on."""
    ensure_office(actor)
    task = find_task(session, year=year, no=no)
    note = note.strip()
    if not note:
        raise ClosingError("请填写办结说明")
    if len(note) > MAX_NOTE_CHARS:
        raise ClosingError(f"办结说明不能超过 {MAX_NOTE_CHARS} 字")
    refusal = refusal_to_close(session, task=task, on=on)
    if refusal is not None:
        raise ClosingError(refusal)
    period = get_period(session, Month.of(on))
    at = clock.now()
    row = TaskClosure(
        task_id=id_of(task), period_id=id_of(period), closed_on=on, note=note, closed_by=actor.username, closed_at=at
    )
    session.add(row)
    audit(
        session, actor.username, "task_closed", {"year": year, "task": no, "date": on.isoformat(), "note": note}, at=at
    )
    session.flush()
    return history(session, task_id=id_of(task))[0]


@dataclass(frozen=True)
class ClosingState:
    """What 任务详情 needs for its 办结 controls."""

    history: list[ClosureView]  # latest first
    reported: TaskStatus  # the lead unit's latest reported status this year
    reported_month: str | None  # the month it reported it for

    @property
    def open(self) -> ClosureView | None:
        return next((c for c in self.history if c.open), None)

    @property
    def closable(self) -> bool:
        """Not closed, and the lead unit's latest report says 已完成."""
        return self.open is None and self.reported is TaskStatus.DONE


def closing_state(session: Session, *, year: int, no: int) -> ClosingState:
    task = find_task(session, year=year, no=no)
    reported, month = reported_status(session, task=task, by=Month(year, 12))
    return ClosingState(history(session, task_id=id_of(task)), reported, month)


def reopen_task(session: Session, *, year: int, no: int, reason: str, actor: Actor) -> ClosureView:
    """Reopen the closed task ``no`` of ``year``: owed and judged again as before its closure."""
    ensure_office(actor)
    task = find_task(session, year=year, no=no)
    reason = reason.strip()
    if not reason:
        raise ClosingError("请填写撤销办结的理由")
    if len(reason) > MAX_NOTE_CHARS:
        raise ClosingError(f"撤销理由不能超过 {MAX_NOTE_CHARS} 字")
    row = _open_closure(session, id_of(task))
    if row is None:
        raise ClosingError(f"第 {no} 项任务没有办结，无需撤销")
    at = clock.now()
    row.reopened_by = actor.username
    row.reopened_at = at
    row.reopen_reason = reason
    session.add(row)
    audit(session, actor.username, "task_reopened", {"year": year, "task": no, "reason": reason}, at=at)
    session.flush()
    return history(session, task_id=id_of(task))[0]
