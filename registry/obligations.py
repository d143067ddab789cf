"""Who must report on what: the one relation (unit, task, role, year) every consumer joins.

A unit reports on every task it is listed for, as lead (牵头) or co-unit (配合). A group entry
obliges each of its members in that year (``GroupMember.year``) with the group's role; a group
without members obliges nobody. A unit listed both directly and through a group keeps the
stronger role.

Whose report speaks for a task (``speaks``): every obliged lead unit (a group lead's members
all report as lead); when the lead obliges nobody (a group still without members), the first
obliged unit listed after it.

The relation is stored in ``unit_obligation`` and rewritten by ``refresh`` in the same
transaction as every change to tasks, units or groups; ``derive`` computes it from those
tables, and a test holds the two equal after every such change.

**Closed tasks (办结).** A task the office has closed (an open ``task_closure``) is owed by nobody
from the month after its 办结 date on (``closed_for``); a unit that then owes no task for a
month owes no report for it. Every question "what must unit U report for month P" passes the
month (``month=``) and so follows closures: the template, validation, lateness, rates,
deductions, exemptions and the status engine. Without a month the answer is the whole year's.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy
from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, delete, insert, literal, or_
from sqlalchemy.orm import Mapped, aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from core.period import Month
from core.vocab import Responsibility, UnitKind
from db.models import GroupMember, Period, Task, TaskClosure, TaskUnit, Unit, UnitObligation

# A group member's place among a task's units: after its group's place, in member order.
_MEMBER_SLOTS = 10_000


@dataclass(frozen=True)
class Obligation:
    task_id: int
    task_no: int
    task_text: str
    role: str  # Responsibility value


@dataclass(frozen=True)
class Entry:
    """One row of the relation."""

    task_id: int
    unit_id: int
    year: int
    role: str
    speaks: bool
    position: int


def derive(session: Session, year: int) -> list[Entry]:
    """The relation for ``year``, computed from the tasks' listed units and the groups."""
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, member_id in session.exec(
        select(GroupMember.group_id, GroupMember.member_id)
        .where(GroupMember.year == year)
        .order_by(col(GroupMember.group_id), col(GroupMember.member_id))
    ):
        members[group_id].append(member_id)
    listed = session.execute(
        sqlalchemy.select(
            col(TaskUnit.task_id), col(TaskUnit.unit_id), col(TaskUnit.role), col(TaskUnit.position), col(Unit.kind)
        )
        .join(Task, col(Task.id) == TaskUnit.task_id)
        .join(Unit, col(Unit.id) == TaskUnit.unit_id)
        .where(col(Task.year) == year)
        .order_by(col(TaskUnit.task_id), col(TaskUnit.position))
    ).all()
    found: dict[int, dict[int, tuple[str, int]]] = defaultdict(dict)
    for task_id, unit_id, role, position, kind in listed:
        targets = members[unit_id] if kind == UnitKind.GROUP else [unit_id]
        for rank, target in enumerate(targets):
            held = found[task_id].get(target)
            slot = position * _MEMBER_SLOTS + rank
            if held is None:
                found[task_id][target] = (role, slot)
            elif held[0] == Responsibility.CO and role == Responsibility.LEAD:
                found[task_id][target] = (role, held[1])
    entries = []
    for task_id, units in found.items():
        leads = {u for u, (role, _) in units.items() if role == Responsibility.LEAD}
        if not leads:
            leads = {min(units, key=lambda u: units[u][1])}
        entries += [
            Entry(task_id, unit_id, year, role, unit_id in leads, slot) for unit_id, (role, slot) in units.items()
        ]
    return sorted(entries, key=lambda e: (e.task_id, e.position))


def refresh(session: Session, *, year: int | None = None) -> None:
    """Rewrite the stored relation for ``year`` (every year when None), in the caller's transaction."""
    years = [year] if year is not None else list(session.exec(select(Task.year).distinct()))
    for one in years:
        session.execute(delete(UnitObligation).where(col(UnitObligation.year) == one))
        entries = derive(session, one)
        if entries:
            session.execute(insert(UnitObligation), [e.__dict__ for e in entries])


def stored(session: Session, year: int) -> list[Entry]:
    rows = session.exec(
        select(UnitObligation)
        .where(UnitObligation.year == year)
        .order_by(col(UnitObligation.task_id), col(UnitObligation.position))
    )
    return [Entry(r.task_id, r.unit_id, r.year, r.role, r.speaks, r.position) for r in rows]


Column = ColumnElement[int] | Mapped[int] | Mapped[int | None]
YearMonth = Column | BindParameter[int] | int


def closed_for(task_id: Column, year: YearMonth, month: YearMonth) -> ColumnElement[bool]:
    """The rule of closure: ``task_id`` is closed (办结) for the month (``year``, ``month``),
    numbers or columns (e.g. of ``Period``), when an open closure of it is dated in an earlier
    month. The month of the 办结 date itself is still reported."""
    last = aliased(Period)
    year_value = literal(year) if isinstance(year, int) else year
    month_value = literal(month) if isinstance(month, int) else month
    return (
        select(TaskClosure.id)
        .join(last, col(last.id) == TaskClosure.period_id)
        .where(
            col(TaskClosure.task_id) == task_id,
            col(TaskClosure.reopened_at).is_(None),
            or_(col(last.year) < year_value, and_(col(last.year) == year_value, col(last.month) < month_value)),
        )
        .exists()
    )


def _owed(month: Month | None) -> tuple[ColumnElement[bool], ...]:
    """Conditions on ``UnitObligation`` rows: owed in ``month`` (every row without one)."""
    if month is None:
        return ()
    return (~closed_for(col(UnitObligation.task_id), month.year, month.month),)


def obliged_units(year: int, month: Month | None = None) -> SelectOfScalar[int | None]:
    """The ids of the units that report in ``year`` (in ``month`` if given: those owing a task
    not closed by then), as a query. Asked per unit (does it owe any task?), so the database
    stops at each unit's first owed task instead of checking every obligation for closure."""
    owes = select(UnitObligation.task_id).where(
        UnitObligation.year == year, col(UnitObligation.unit_id) == Unit.id, *_owed(month)
    )
    return select(col(Unit.id)).where(owes.exists())


def obligations(session: Session, year: int, month: Month | None = None) -> dict[int, list[Obligation]]:
    """unit id → the tasks it reports on in ``year`` (in ``month`` if given), in task order."""
    rows = session.execute(
        sqlalchemy.select(
            col(UnitObligation.unit_id),
            col(UnitObligation.role),
            col(UnitObligation.task_id),
            col(Task.no),
            col(Task.text),
        )
        .join(Task, col(Task.id) == UnitObligation.task_id)
        .where(col(UnitObligation.year) == year, *_owed(month))
        .order_by(col(Task.no))
    ).all()
    found: dict[int, list[Obligation]] = defaultdict(list)
    for unit_id, role, task_id, no, text in rows:
        found[unit_id].append(Obligation(task_id, no, text, role))
    return dict(found)


def unit_obligations(session: Session, unit_id: int, year: int, month: Month | None = None) -> list[Obligation]:
    """The tasks ``unit_id`` reports on in ``year`` (in ``month`` if given), in task order."""
    rows = session.exec(
        select(col(UnitObligation.role), col(UnitObligation.task_id), col(Task.no), col(Task.text))
        .join(Task, col(Task.id) == UnitObligation.task_id)
        .where(UnitObligation.year == year, UnitObligation.unit_id == unit_id, *_owed(month))
        .order_by(col(Task.no))
    ).all()
    return [Obligation(task_id, no, text, role) for role, task_id, no, text in rows]


def unit_obligations_in(session: Session, unit_id: int, month: Month) -> tuple[list[Obligation], frozenset[int]]:
    """What ``unit_obligations`` gives for ``month``, and the numbers of the unit's tasks of the
    year closed (办结) by then: the whole year's tasks in one query, each marked by ``closed_for``."""
    params = {"unit_id": unit_id, "year": month.year, "month": month.month}
    rows = session.execute(_unit_obligations_in(), params).all()
    owed = [Obligation(task_id, no, text, role) for role, task_id, no, text, closed in rows if not closed]
    return owed, frozenset(no for _, _, no, _, closed in rows if closed)


@functools.cache
def _unit_obligations_in() -> sqlalchemy.Select[str, int, int, str, bool]:
    """The query of ``unit_obligations_in``, built once (building it costs more than running it)."""
    year: BindParameter[int] = bindparam("year")
    month: BindParameter[int] = bindparam("month")
    return (
        sqlalchemy.select(
            col(UnitObligation.role),
            col(UnitObligation.task_id),
            col(Task.no),
            col(Task.text),
            closed_for(col(UnitObligation.task_id), year, month),
        )
        .join(Task, col(Task.id) == UnitObligation.task_id)
        .where(col(UnitObligation.year) == year, col(UnitObligation.unit_id) == bindparam("unit_id"))
        .order_by(col(Task.no))
    )


def is_obliged(session: Session, *, unit_id: int, year: int, month: Month | None = None) -> bool:
    found = session.exec(
        select(UnitObligation.task_id)
        .where(UnitObligation.year == year, UnitObligation.unit_id == unit_id, *_owed(month))
        .limit(1)
    ).first()
    return found is not None


@dataclass(frozen=True)
class EmptyGroup:
    """A group listed on tasks of a year but without members in it: it obliges nobody."""

    name: str
    led: tuple[int, ...]  # 序号 of the tasks it leads (first listed unit)
    assisted: tuple[int, ...]  # 序号 of the tasks it is a co-unit of


def empty_groups(session: Session, year: int) -> list[EmptyGroup]:
    """The groups of ``year``'s tasks that have no members in ``year``, in the order they are
    first listed. Their tasks are reported on by the units listed after them (``derive``)."""
    with_members = select(GroupMember.group_id).where(GroupMember.year == year)
    rows = session.exec(
        select(col(Unit.name), col(TaskUnit.role), col(Task.no))
        .join(TaskUnit, col(TaskUnit.unit_id) == col(Unit.id))
        .join(Task, col(Task.id) == col(TaskUnit.task_id))
        .where(
            col(Task.year) == year,
            col(Unit.kind) == UnitKind.GROUP,
            col(Unit.id).not_in(with_members),
        )
        .order_by(col(Task.no), col(TaskUnit.position))
    ).all()
    found: dict[str, tuple[list[int], list[int]]] = {}
    for name, role, no in rows:
        led, assisted = found.setdefault(name, ([], []))
        (led if role == Responsibility.LEAD else assisted).append(no)
    return [EmptyGroup(name, tuple(led), tuple(assisted)) for name, (led, assisted) in found.items()]
