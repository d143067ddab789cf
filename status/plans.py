"""The plans (年度节点计划): which plan of a lead unit counts, and where each unit's plan stands.

A plan belongs to a lead unit and a year and is kept in versions (``task_plan``), each with its
milestones (``plan_milestone``). The units that plan a task are the units whose report speaks
for it (``registry.obligations``: its lead units, or the empty-group fallback).

**A unit's plan state** is the state of its latest version: 待确认, 已确认 or 已退回; without
any version, 未报送.

**The plan that counts** for judging progress is the latest *confirmed* version of each lead
unit's plan: a later version waiting for confirmation, or returned, does not replace it until it
is confirmed itself. Of several lead units of one task with a confirmed plan, the one listed first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy
from sqlalchemy import func
from sqlmodel import Session, col, select

from core.vocab import PlanState
from db.models import PlanMilestone, Task, TaskPlan, Unit, UnitObligation


@dataclass(frozen=True)
class Milestone:
    """One milestone (节点) of a task: by ``due``, cumulative progress ``target`` (0–100)."""

    due: date
    target: float
    text: str
    multi_year: bool


@dataclass(frozen=True)
class UnitPlanState:
    """Where one lead unit's plan for a year stands."""

    unit_id: int
    unit_name: str
    state: PlanState
    version: int | None  # of the latest version; None when 未报送
    received_at: datetime | None
    return_reason: str  # of the latest version, when 已退回
    confirmed_version: int | None  # the version that counts, if any


def planned_task_ids(session: Session, *, unit_id: int, year: int) -> list[int]:
    """The tasks ``unit_id`` plans in ``year`` (those its report speaks for), in task order."""
    return list(
        session.exec(
            select(UnitObligation.task_id)
            .join(Task, col(Task.id) == UnitObligation.task_id)
            .where(UnitObligation.year == year, UnitObligation.unit_id == unit_id, col(UnitObligation.speaks))
            .order_by(col(Task.no))
        )
    )


def planning_unit_ids(session: Session, *, year: int) -> list[int]:
    """The units that submit a plan for ``year``, by name."""
    speaking = select(UnitObligation.unit_id).where(UnitObligation.year == year, col(UnitObligation.speaks))
    rows = session.exec(select(Unit.id).where(col(Unit.id).in_(speaking)).order_by(col(Unit.name)))
    return [unit_id for unit_id in rows if unit_id is not None]


def closed_task_ids(session: Session, *, year: int) -> set[int]:
    """The tasks of ``year`` closed (已办结): a plan for them is refused. No task is closed until
    closing exists; this is the one place the plan checks ask."""
    del session, year
    return set()


def plan_states(session: Session, *, year: int) -> dict[int, UnitPlanState]:
    """lead unit id → its plan state for ``year``, for every unit that plans a task, by unit name."""
    units = planning_unit_ids(session, year=year)
    names = dict(session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(units))).all())
    latest: dict[int, TaskPlan] = {}
    confirmed: dict[int, int] = {}
    for plan in session.exec(
        select(TaskPlan).where(TaskPlan.year == year).order_by(col(TaskPlan.unit_id), col(TaskPlan.version))
    ):
        latest[plan.unit_id] = plan
        if plan.state == PlanState.CONFIRMED:
            confirmed[plan.unit_id] = plan.version
    found = {}
    for unit_id in units:
        last = latest.get(unit_id)
        found[unit_id] = UnitPlanState(
            unit_id=unit_id,
            unit_name=names[unit_id],
            state=PlanState.MISSING if last is None else PlanState.of(last.state),
            version=None if last is None else last.version,
            received_at=None if last is None else last.received_at,
            return_reason="" if last is None or last.state != PlanState.RETURNED else last.return_reason,
            confirmed_version=confirmed.get(unit_id),
        )
    return found


def milestones_of(session: Session, plan_id: int) -> dict[int, list[Milestone]]:
    """task id → the milestones of one plan version, by due date then order."""
    found: dict[int, list[Milestone]] = defaultdict(list)
    for row in session.exec(
        select(PlanMilestone)
        .where(PlanMilestone.plan_id == plan_id)
        .order_by(col(PlanMilestone.task_id), col(PlanMilestone.due), col(PlanMilestone.seq))
    ):
        found[row.task_id].append(Milestone(row.due, row.target, row.text, row.multi_year))
    return dict(found)


def confirmed_milestones(
    session: Session, *, year: int, task_ids: Collection[int] | None = None
) -> dict[int, list[Milestone]]:
    """task id → its milestones by due date then order, from the latest confirmed version of the
    plan of the first-listed lead unit that has one; tasks without a confirmed plan are absent.
    Only ``task_ids`` if given."""
    newest = (
        sqlalchemy.select(col(TaskPlan.unit_id), func.max(TaskPlan.version).label("version"))
        .where(col(TaskPlan.year) == year, col(TaskPlan.state) == PlanState.CONFIRMED)
        .group_by(col(TaskPlan.unit_id))
        .subquery("newest")
    )
    query = (
        sqlalchemy.select(
            col(PlanMilestone.task_id),
            col(UnitObligation.position),
            col(PlanMilestone.due),
            col(PlanMilestone.seq),
            col(PlanMilestone.target),
            col(PlanMilestone.text),
            col(PlanMilestone.multi_year),
        )
        .join(TaskPlan, col(TaskPlan.id) == PlanMilestone.plan_id)
        .join(newest, (newest.c.unit_id == TaskPlan.unit_id) & (newest.c.version == TaskPlan.version))
        .join(
            UnitObligation,
            (col(UnitObligation.task_id) == PlanMilestone.task_id)
            & (col(UnitObligation.unit_id) == TaskPlan.unit_id)
            & col(UnitObligation.speaks),
        )
        .where(col(TaskPlan.year) == year, col(UnitObligation.year) == year)
    )
    if task_ids is not None:
        query = query.where(col(PlanMilestone.task_id).in_(list(task_ids)))
    rows = session.execute(query).all()
    first: dict[int, int] = {}
    for task_id, position, *_ in rows:
        first[task_id] = min(position, first.get(task_id, position))
    found: dict[int, list[Milestone]] = defaultdict(list)
    for task_id, position, due, _seq, target, text, multi_year in sorted(rows, key=lambda r: (r[0], r[2], r[3])):
        if position == first[task_id]:
            found[task_id].append(Milestone(due, target, text, multi_year))
    return dict(found)
