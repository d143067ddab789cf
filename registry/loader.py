"""Load the parsed registry into the database: idempotent and insert-only.

Running it again changes nothing; what the office edited later (group members, aliases added
in the app) is left alone. ``reset`` drops every table first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from core.vocab import LeaderRole, Responsibility, UnitKind
from cycle.periods import ensure_periods
from db.engine import bump_revision, create_schema, drop_schema, read_session, write_session
from db.ids import id_of
from db.models import (
    AuditLog,
    Category,
    GroupMember,
    Leader,
    Task,
    TaskLeader,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitObligation,
)
from registry import obligations
from registry.catalogue import SeedError
from registry.parser import ParsedCategory, ParsedRegistry, ParsedTask, load_registry


@dataclass(frozen=True)
class LoadResult:
    year: int
    tasks_added: int
    units_added: int
    aliases_added: int

    @property
    def changed(self) -> bool:
        return bool(self.tasks_added or self.units_added or self.aliases_added)


def _load_units(session: Session, registry: ParsedRegistry) -> tuple[int, int]:
    units = {u.name: u for u in session.exec(select(Unit))}
    aliases = set(session.exec(select(UnitAlias.alias)))
    units_added = aliases_added = 0
    new_groups = []
    for spec in registry.catalog.units:
        if spec.name in units:
            continue
        units[spec.name] = Unit(name=spec.name, kind=spec.kind, note=spec.reason)
        session.add(units[spec.name])
        units_added += 1
        if spec.kind == UnitKind.GROUP:
            new_groups.append(spec)
    session.flush()
    for spec in registry.catalog.units:
        for alias in spec.aliases:
            if alias not in aliases and alias not in units:
                session.add(UnitAlias(alias=alias, unit_id=id_of(units[spec.name])))
                aliases.add(alias)
                aliases_added += 1
    for spec in new_groups:
        for member in spec.members:
            session.add(
                GroupMember(group_id=id_of(units[spec.name]), member_id=id_of(units[member]), year=registry.year)
            )
    return units_added, aliases_added


def _imported(session: Session, year: int) -> bool:
    """Did the office import its own breakdown for ``year`` (``registry.importer``)? Then the
    database's tasks of that year stand, whatever the seed document holds."""
    for detail in session.exec(select(AuditLog.detail).where(AuditLog.action == "registry_imported")):
        if json.loads(detail or "{}").get("年份") == year:
            return True
    return False


def _load_tasks(session: Session, registry: ParsedRegistry) -> int:
    year = registry.year
    existing = session.exec(select(Task.no).where(Task.year == year)).all()
    if existing:
        if len(existing) != len(registry.tasks) and not _imported(session, year):
            raise SeedError(
                f"数据库中已有 {year} 年任务 {len(existing)} 项，与文件中的 {len(registry.tasks)} 项不一致；"
                "如需按文件重建，请运行 python cli.py init --reset"
            )
        return 0
    insert_tasks(session, year=year, categories=registry.categories, tasks=registry.tasks)
    return len(registry.tasks)


def insert_tasks(
    session: Session, *, year: int, categories: Sequence[ParsedCategory], tasks: Sequence[ParsedTask]
) -> None:
    """Write a year's categories and tasks with their leaders and units (which must exist); a
    year new to the groups starts from their members of the year before (``carry_group_members``)."""
    by_name: dict[str, Category] = {}
    for cat in categories:
        by_name[cat.name] = Category(year=year, seq=cat.seq, name=cat.name, short=cat.short)
        session.add(by_name[cat.name])
    leaders = {leader.name: leader for leader in session.exec(select(Leader))}
    for task in tasks:
        for name in task.leaders:
            if name not in leaders:
                leaders[name] = Leader(name=name)
                session.add(leaders[name])
    session.flush()
    unit_ids = {u.name: id_of(u) for u in session.exec(select(Unit))}
    for task in tasks:
        row = Task(year=year, no=task.no, category_id=id_of(by_name[task.category]), text=task.text)
        session.add(row)
        session.flush()
        for position, name in enumerate(task.leaders, start=1):
            role = LeaderRole.LEAD if name == task.lead_leader else LeaderRole.ASSIST
            session.add(TaskLeader(task_id=id_of(row), leader_id=id_of(leaders[name]), role=role, position=position))
        for position, name in enumerate(task.units, start=1):
            responsibility = Responsibility.LEAD if position == 1 else Responsibility.CO
            session.add(TaskUnit(task_id=id_of(row), unit_id=unit_ids[name], role=responsibility, position=position))
    session.flush()
    carry_group_members(session, year=year)


def carry_group_members(session: Session, *, year: int) -> int:
    """Give ``year`` the group members of the closest earlier year (else the closest later one)
    when it has none of its own: groups carry across years, their members start as they were
    and are then kept per year. Returns how many memberships were copied."""
    if session.exec(select(GroupMember.year).where(GroupMember.year == year).limit(1)).first() is not None:
        return 0
    years = set(session.exec(select(GroupMember.year).distinct()))
    if not years:
        return 0
    earlier = [y for y in years if y < year]
    source = max(earlier) if earlier else min(years)
    rows = session.exec(select(GroupMember).where(GroupMember.year == source)).all()
    for row in rows:
        session.add(GroupMember(group_id=row.group_id, member_id=row.member_id, year=year))
    session.flush()
    return len(rows)


def init_database(*, reset: bool = False, registry: ParsedRegistry | None = None) -> LoadResult:
    """Create the schema and load the registry (parsing the document unless given)."""
    registry = registry or load_registry()
    past = drop_schema() if reset else 0
    create_schema()
    with write_session() as session:
        if past:
            bump_revision(session.connection(), past=past)  # beyond what the old database reached
        units_added, aliases_added = _load_units(session, registry)
        tasks_added = _load_tasks(session, registry)
        if units_added or tasks_added:
            obligations.refresh(session)
        ensure_periods(session, year=registry.year)
    return LoadResult(registry.year, tasks_added, units_added, aliases_added)


def ensure_loaded() -> None:
    """Load the registry into an empty database, so a newcomer sees the tasks at once."""
    create_schema()
    with read_session() as session:
        loaded = session.exec(select(Task.id).limit(1)).first() is not None
        derived = session.exec(select(UnitObligation.task_id).limit(1)).first() is not None
    if not loaded:
        init_database()
    elif not derived:
        # A database from before obligations were stored.
        with write_session() as session:
            obligations.refresh(session)
