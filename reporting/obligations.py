"""Who must report on what: a unit reports on every task it is listed for, as lead or co-unit.

A group entry obliges each of its members with the group's role; a group without members
obliges nobody. A unit listed both directly and through a group keeps the stronger role.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, select

from db.models import GroupMember, Task, TaskUnit, Unit
from reporting.terms import ROLE_CO_UNIT, ROLE_LEAD_UNIT


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
        select(TaskUnit.unit_id, TaskUnit.role, Task.id, Task.no, Task.text)
        .join(Task, Task.id == TaskUnit.task_id)
        .where(Task.year == year)
        .order_by(Task.no, TaskUnit.position)
    ).all()
    found: dict[int, dict[int, Obligation]] = defaultdict(dict)
    for unit_id, role, task_id, no, text in rows:
        for target in members[unit_id] if unit_id in groups else [unit_id]:
            held = found[target].get(task_id)
            if held is None or (held.role == ROLE_CO_UNIT and role == ROLE_LEAD_UNIT):
                found[target][task_id] = Obligation(task_id, no, text, role)
    return {unit_id: sorted(tasks.values(), key=lambda o: o.task_no) for unit_id, tasks in found.items()}


def unit_obligations(session: Session, unit_id: int, year: int) -> list[Obligation]:
    return obligations(session, year).get(unit_id, [])
