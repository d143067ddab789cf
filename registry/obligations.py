"""Who must report on what: a unit reports on every task it is listed for, as lead or co-unit.

A group entry obliges each of its members with the group's role; a group without members
obliges nobody. A unit listed both directly and through a group keeps the stronger role.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlmodel import Session, and_, col, or_, select

from core.vocab import ROLE_CO_UNIT, ROLE_LEAD_UNIT
from db.ids import id_of
from db.models import GroupMember, Task, TaskUnit, Unit


@dataclass(frozen=True)
class Obligation:
    task_id: int
    task_no: int
    task_text: str
    role: str  # 牵头 / 配合


def obligations(session: Session, year: int) -> dict[int, list[Obligation]]:
    """unit id → the tasks it reports on in ``year``, in task order."""
    members: dict[int, list[int]] = defaultdict(list)
    for row in session.exec(select(GroupMember)):
        members[row.group_id].append(row.member_id)
    groups = set(session.exec(select(Unit.id).where(Unit.kind == "群组")))
    rows = session.exec(
        select(TaskUnit.unit_id, TaskUnit.role, Task)
        .join(Task, col(Task.id) == col(TaskUnit.task_id))
        .where(Task.year == year)
        .order_by(col(Task.no), col(TaskUnit.position))
    ).all()
    found: dict[int, dict[int, Obligation]] = defaultdict(dict)
    for unit_id, role, task in rows:
        task_id = id_of(task)
        for target in members[unit_id] if unit_id in groups else [unit_id]:
            if _replaces(found[target].get(task_id), role):
                found[target][task_id] = Obligation(task_id, task.no, task.text, role)
    return {unit_id: sorted(tasks.values(), key=lambda o: o.task_no) for unit_id, tasks in found.items()}


# The entries that concern one unit: its own (unless it is a group) and those of the groups it
# is a member of. Built once: composing this statement takes longer than running it.
_UNIT_ENTRIES = (
    select(TaskUnit.role, TaskUnit.task_id, Task.no, Task.text)
    .join(Task, col(Task.id) == col(TaskUnit.task_id))
    .join(Unit, col(Unit.id) == col(TaskUnit.unit_id))
    .where(Task.year == bindparam("year"))
    .where(
        or_(
            and_(TaskUnit.unit_id == bindparam("unit_id"), Unit.kind != "群组"),
            col(TaskUnit.unit_id).in_(
                select(GroupMember.group_id)
                .join(Unit, col(Unit.id) == col(GroupMember.group_id))
                .where(GroupMember.member_id == bindparam("unit_id"), Unit.kind == "群组")
            ),
        )
    )
    .order_by(col(Task.no), col(TaskUnit.position))
)


def unit_obligations(session: Session, unit_id: int, year: int) -> list[Obligation]:
    """``obligations(session, year)[unit_id]``, reading only the entries that concern the unit."""
    rows = session.exec(_UNIT_ENTRIES, params={"unit_id": unit_id, "year": year}).all()
    found: dict[int, Obligation] = {}
    for role, task_id, no, text in rows:
        if _replaces(found.get(task_id), role):
            found[task_id] = Obligation(task_id, no, text, role)
    return sorted(found.values(), key=lambda o: o.task_no)


def _replaces(held: Obligation | None, role: str) -> bool:
    """Another entry for a task already held wins only as lead over co-unit: the stronger role."""
    return held is None or (held.role == ROLE_CO_UNIT and role == ROLE_LEAD_UNIT)
