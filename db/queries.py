"""Read queries on the task registry, shared by the CLI and the pages."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from core.text import unit_name
from core.vocab import LeaderRole, UnitKind
from db.ids import id_of
from db.models import Category, GroupMember, Leader, Task, TaskLeader, TaskUnit, Unit, UnitAlias


@dataclass
class TaskView:
    id: int
    no: int
    year: int
    category: str
    category_short: str
    category_seq: int
    text: str
    leaders: list[str] = field(default_factory=list)
    lead_leader: str = ""
    units: list[str] = field(default_factory=list)

    @property
    def lead_unit(self) -> str:
        return self.units[0] if self.units else ""

    @property
    def assisting_leaders(self) -> list[str]:
        return [name for name in self.leaders if name != self.lead_leader]

    @property
    def co_units(self) -> list[str]:
        return self.units[1:]

    def as_json(self) -> dict[str, object]:
        return {
            "no": self.no,
            "category": self.category,
            "text": self.text,
            "leaders": self.leaders,
            "lead_leader": self.lead_leader,
            "units": self.units,
            "lead_unit": self.lead_unit,
        }


def registry_years(session: Session) -> list[int]:
    return list(session.exec(select(Task.year).distinct().order_by(col(Task.year))))


def current_year(session: Session) -> int | None:
    """The year shown when none is asked for: the latest year that has tasks."""
    return session.exec(select(func.max(Task.year))).first()


def tasks(session: Session, year: int | None = None) -> list[TaskView]:
    """Every task of ``year`` (default: the latest) in order, with leaders and units as listed."""
    year = year or current_year(session)
    rows = session.exec(
        select(Task, Category)
        .join(Category, col(Category.id) == col(Task.category_id))
        .where(Task.year == year)
        .order_by(col(Task.no))
    ).all()
    views = {
        id_of(task): TaskView(id_of(task), task.no, task.year, cat.name, cat.short, cat.seq, task.text)
        for task, cat in rows
    }
    leader_rows = session.exec(
        select(TaskLeader.task_id, Leader.name, TaskLeader.role)
        .join(Leader, col(Leader.id) == col(TaskLeader.leader_id))
        .join(Task, col(Task.id) == col(TaskLeader.task_id))
        .where(Task.year == year)
        .order_by(col(TaskLeader.task_id), col(TaskLeader.position))
    ).all()
    for task_id, name, role in leader_rows:
        views[task_id].leaders.append(name)
        if role == LeaderRole.LEAD:
            views[task_id].lead_leader = name
    unit_rows = session.exec(
        select(TaskUnit.task_id, Unit.name)
        .join(Unit, col(Unit.id) == col(TaskUnit.unit_id))
        .join(Task, col(Task.id) == col(TaskUnit.task_id))
        .where(Task.year == year)
        .order_by(col(TaskUnit.task_id), col(TaskUnit.position))
    ).all()
    for task_id, name in unit_rows:
        views[task_id].units.append(name)
    return list(views.values())


def categories(session: Session, year: int | None = None) -> list[Category]:
    year = year or current_year(session)
    return list(session.exec(select(Category).where(Category.year == year).order_by(col(Category.seq))))


def leader_names(session: Session, year: int | None = None) -> list[str]:
    """Leaders of ``year`` (default: the latest) in the order they first appear in its registry
    (task, then place in the cell)."""
    year = year or current_year(session)
    first_seen = func.min(col(Task.no) * 1000 + col(TaskLeader.position))
    rows = session.exec(
        select(Leader.name, first_seen)
        .join(TaskLeader, col(TaskLeader.leader_id) == col(Leader.id))
        .join(Task, col(Task.id) == col(TaskLeader.task_id))
        .where(Task.year == year)
        .group_by(Leader.name)
        .order_by(first_seen)
    ).all()
    return [name for name, _ in rows]


@dataclass
class UnitView:
    id: int
    name: str
    kind: str
    note: str
    aliases: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {"name": self.name, "kind": self.kind, "aliases": self.aliases}
        if self.kind == UnitKind.GROUP:
            data["members"] = self.members
            data["reason"] = self.note
        return data


def units(session: Session, year: int | None = None) -> list[UnitView]:
    """Every unit with its aliases, and each group with its members in ``year`` (default: the
    latest year with tasks)."""
    year = year or current_year(session)
    views = {
        id_of(u): UnitView(id_of(u), u.name, u.kind, u.note) for u in session.exec(select(Unit).order_by(col(Unit.id)))
    }
    for alias in session.exec(select(UnitAlias).order_by(col(UnitAlias.id))):
        views[alias.unit_id].aliases.append(alias.alias)
    members = (
        select(GroupMember)
        .where(GroupMember.year == year)
        .order_by(col(GroupMember.group_id), col(GroupMember.member_id))
    )
    for member in session.exec(members):
        views[member.group_id].members.append(views[member.member_id].name)
    return list(views.values())


def resolve_unit(session: Session, name: str) -> Unit | None:
    """The unit called ``name`` by its canonical name or an alias (spaces ignored)."""
    name = unit_name(name)
    unit = session.exec(_unit_by_name(), params={"name": name}).first()
    if unit is None:
        unit = session.exec(
            select(Unit).join(UnitAlias, col(UnitAlias.unit_id) == col(Unit.id)).where(UnitAlias.alias == name)
        ).first()
    return unit


@functools.cache
def _unit_by_name() -> SelectOfScalar[Unit]:
    """Built once: every upload looks its unit up by name."""
    return select(Unit).where(col(Unit.name) == bindparam("name"))
