"""The plans (年度节点计划): which plan of a lead unit counts, and where each unit's plan stands.

A plan belongs to a lead unit and a year and is kept in versions (``task_plan``), each with its
milestones (``plan_milestone``). The units that plan a task are the units whose report speaks
for it (``registry.obligations``: its lead units, or the empty-group fallback).

**A unit's plan state** is the state of its latest version: 待确认, 已确认 or 已退回; without
any version, 未报送.

**The plan that counts** for judging progress is the latest *confirmed* version of each lead
unit's plan: a later version waiting for confirmation, or returned, does not replace it until it
is confirmed itself. Of several lead units of one task with a confirmed plan, the one listed first.

**The deadline** for a year's plans is the end of the month the ``plan_due_month`` setting names.
"""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy
from sqlalchemy import Subquery, and_, func
from sqlmodel import Session, col, select

from core.vocab import PlanState
from cycle.settings import get_setting
from db.ids import id_of
from db.models import PlanMilestone, Task, TaskClosure, TaskPlan, Unit, UnitObligation


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
    """The tasks of ``year`` closed (已办结, an open ``task_closure``): a plan for them is refused;
    this is the one place the plan checks ask."""
    rows = session.exec(
        select(TaskClosure.task_id)
        .join(Task, col(Task.id) == TaskClosure.task_id)
        .where(Task.year == year, col(TaskClosure.reopened_at).is_(None))
    )
    return set(rows)


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


def counting_milestones() -> Subquery:
    """The milestones of the plan that counts for each task, of every year, as a query: ``task_id``,
    ``due``, ``seq``, ``target``, ``text``, ``multi_year`` (the latest confirmed version of the plan
    of the first-listed lead unit that has one). The status engine judges progress against it
    (``status.expected``) and ``confirmed_milestones`` reads it, so both use the same plan."""
    newest = (
        sqlalchemy.select(col(TaskPlan.unit_id), col(TaskPlan.year), func.max(TaskPlan.version).label("version"))
        .where(col(TaskPlan.state) == PlanState.CONFIRMED)
        .group_by(col(TaskPlan.unit_id), col(TaskPlan.year))
        .subquery("newest")
    )
    ranked = (
        sqlalchemy.select(
            col(PlanMilestone.task_id),
            col(PlanMilestone.due),
            col(PlanMilestone.seq),
            col(PlanMilestone.target),
            col(PlanMilestone.text),
            col(PlanMilestone.multi_year),
            col(UnitObligation.position),
            func.min(UnitObligation.position).over(partition_by=col(PlanMilestone.task_id)).label("first"),
        )
        .join(TaskPlan, col(TaskPlan.id) == PlanMilestone.plan_id)
        .join(
            newest,
            and_(
                newest.c.unit_id == TaskPlan.unit_id,
                newest.c.year == TaskPlan.year,
                newest.c.version == TaskPlan.version,
            ),
        )
        .join(
            UnitObligation,
            and_(
                col(UnitObligation.task_id) == PlanMilestone.task_id,
                col(UnitObligation.unit_id) == TaskPlan.unit_id,
                col(UnitObligation.year) == TaskPlan.year,
                col(UnitObligation.speaks),
            ),
        )
        .subquery("ranked")
    )
    return (
        sqlalchemy.select(
            ranked.c.task_id, ranked.c.due, ranked.c.seq, ranked.c.target, ranked.c.text, ranked.c.multi_year
        )
        .where(ranked.c.position == ranked.c.first)
        .subquery("plan_milestones")
    )


def confirmed_milestones(
    session: Session, *, year: int, task_ids: Collection[int] | None = None
) -> dict[int, list[Milestone]]:
    """task id → its milestones by due date then order, from the plan that counts
    (``counting_milestones``); tasks without a confirmed plan are absent. Only ``task_ids`` if given."""
    plan = counting_milestones()
    query = (
        sqlalchemy.select(plan.c.task_id, plan.c.due, plan.c.target, plan.c.text, plan.c.multi_year)
        .join(Task, col(Task.id) == plan.c.task_id)
        .where(col(Task.year) == year)
        .order_by(plan.c.task_id, plan.c.due, plan.c.seq)
    )
    if task_ids is not None:
        query = query.where(plan.c.task_id.in_(list(task_ids)))
    found: dict[int, list[Milestone]] = defaultdict(list)
    for task_id, due, target, text, multi_year in session.execute(query).all():
        found[task_id].append(Milestone(due, target, text, multi_year))
    return dict(found)


def plan_due(session: Session, *, year: int) -> date:
    """The day by which ``year``'s plans are due: the last day of the ``plan_due_month`` setting's month."""
    month = int(get_setting(session, "plan_due_month"))
    return date(year, month, monthrange(year, month)[1])


@dataclass(frozen=True)
class PlanVersion:
    """One stored version of a unit's plan, for its history."""

    plan_id: int
    version: int
    state: PlanState
    received_at: datetime
    submitted_by: str
    on_behalf: bool
    source: str  # "upload" or "form"
    file_name: str
    decided_by: str | None
    decided_at: datetime | None
    return_reason: str
    milestones: int


CHASED_STATES = (PlanState.MISSING, PlanState.RETURNED)  # the unit has to act; a waiting plan is the office's


def plan_overdue(state: PlanState, *, due: date, today: date) -> bool:
    """A plan is 已逾期 when the deadline has passed and the unit still has to act on it."""
    return today > due and state in CHASED_STATES


def plan_versions(session: Session, *, unit_id: int, year: int) -> list[PlanVersion]:
    """Every version of the unit's plan for ``year``, newest first."""
    counts = dict(
        session.exec(
            select(PlanMilestone.plan_id, func.count())
            .join(TaskPlan, col(TaskPlan.id) == PlanMilestone.plan_id)
            .where(TaskPlan.unit_id == unit_id, TaskPlan.year == year)
            .group_by(col(PlanMilestone.plan_id))
        ).all()
    )
    plans = session.exec(
        select(TaskPlan)
        .where(TaskPlan.unit_id == unit_id, TaskPlan.year == year)
        .order_by(col(TaskPlan.version).desc())
    )
    return [
        PlanVersion(
            plan_id=id_of(p),
            version=p.version,
            state=PlanState.of(p.state),
            received_at=p.received_at,
            submitted_by=p.submitted_by,
            on_behalf=p.on_behalf,
            source=p.source,
            file_name=p.file_name,
            decided_by=p.decided_by,
            decided_at=p.decided_at,
            return_reason=p.return_reason,
            milestones=counts.get(id_of(p), 0),
        )
        for p in plans
    ]


def plan_of_version(session: Session, *, unit_id: int, year: int, version: int) -> TaskPlan | None:
    return session.exec(
        select(TaskPlan).where(TaskPlan.unit_id == unit_id, TaskPlan.year == year, TaskPlan.version == version)
    ).first()


@dataclass(frozen=True)
class TaskPlanView:
    """One task's plan as the office sees it: its lead unit's latest version, with its state."""

    task_id: int
    no: int
    text: str
    lead_unit: str
    lead_unit_id: int
    state: PlanState
    version: int | None
    milestones: list[Milestone]

    def as_json(self) -> dict[str, object]:
        return {
            "no": self.no,
            "lead_unit": self.lead_unit,
            "state": self.state.code,
            "version": self.version,
            "milestones": [
                {"due": m.due.isoformat(), "target": m.target, "text": m.text, "multi_year": m.multi_year}
                for m in self.milestones
            ],
        }


def planners(session: Session, *, year: int, task_id: int | None = None) -> dict[int, int]:
    """task id → the unit that plans it: the first listed of the units that speak for it
    (``registry.obligations``), for every task of ``year`` (only ``task_id`` if given)."""
    query = select(UnitObligation.task_id, UnitObligation.unit_id, UnitObligation.position).where(
        UnitObligation.year == year, col(UnitObligation.speaks)
    )
    if task_id is not None:
        query = query.where(UnitObligation.task_id == task_id)
    first: dict[int, tuple[int, int]] = {}
    for obliged, planner, position in session.exec(query):
        if obliged not in first or position < first[obliged][1]:
            first[obliged] = (planner, position)
    return {obliged: planner for obliged, (planner, _) in first.items()}


def task_plans(session: Session, *, year: int, unit_id: int | None = None) -> list[TaskPlanView]:
    """Every task of ``year`` (only those ``unit_id`` reports on, if given) with the latest
    version of its plan, by the unit that plans it (``planners``), in task order."""
    states = plan_states(session, year=year)
    first = planners(session, year=year)
    mine: set[int] | None = None
    if unit_id is not None:
        mine = set(
            session.exec(
                select(UnitObligation.task_id).where(UnitObligation.year == year, UnitObligation.unit_id == unit_id)
            )
        )
    latest_ids = {
        s.unit_id: plan.id
        for s in states.values()
        if s.version is not None
        and (plan := plan_of_version(session, unit_id=s.unit_id, year=year, version=s.version)) is not None
    }
    milestones: dict[int, dict[int, list[Milestone]]] = {
        planner: milestones_of(session, plan_id) for planner, plan_id in latest_ids.items() if plan_id is not None
    }
    views = []
    for task_id, no, text in session.exec(
        select(Task.id, Task.no, Task.text).where(Task.year == year).order_by(col(Task.no))
    ):
        if task_id is None or task_id not in first or (mine is not None and task_id not in mine):
            continue
        planner = first[task_id]
        state = states[planner]
        views.append(
            TaskPlanView(
                task_id=task_id,
                no=no,
                text=text,
                lead_unit=state.unit_name,
                lead_unit_id=planner,
                state=state.state,
                version=state.version,
                milestones=milestones.get(planner, {}).get(task_id, []),
            )
        )
    return views


@dataclass(frozen=True)
class PlanChange:
    """One difference between two versions of a plan, for one task's milestone."""

    task_id: int
    task_no: int
    kind: str  # 新增 / 删除 / 修改
    before: Milestone | None
    after: Milestone | None

    @property
    def text(self) -> str:
        def one(m: Milestone) -> str:
            return f"{m.due.isoformat()} {m.target:g}% {m.text}"

        if self.before is None and self.after is not None:
            return f"第 {self.task_no} 项 新增节点：{one(self.after)}"
        if self.after is None and self.before is not None:
            return f"第 {self.task_no} 项 删除节点：{one(self.before)}"
        assert self.before is not None and self.after is not None
        return f"第 {self.task_no} 项 节点调整：{one(self.before)} → {one(self.after)}"


def plan_changes(
    session: Session, *, unit_id: int, year: int, version: int, since: int | None = None
) -> list[PlanChange]:
    """What version ``version`` of the unit's plan changed against version ``since`` (the one
    before it by default; against nothing for the first), task by task, the milestones matched
    in order (by due date). Empty when the version does not exist."""
    plan = plan_of_version(session, unit_id=unit_id, year=year, version=version)
    if plan is None:
        return []
    base_version = version - 1 if since is None else since
    base = plan_of_version(session, unit_id=unit_id, year=year, version=base_version) if base_version else None
    after = milestones_of(session, id_of(plan))
    before = milestones_of(session, id_of(base)) if base is not None else {}
    task_ids = sorted(set(after) | set(before))
    numbers = dict(session.exec(select(Task.id, Task.no).where(col(Task.id).in_(task_ids))).all())
    changes = []
    for task_id in sorted(task_ids, key=lambda t: numbers.get(t, 0)):
        old, new = before.get(task_id, []), after.get(task_id, [])
        for index in range(max(len(old), len(new))):
            a = old[index] if index < len(old) else None
            b = new[index] if index < len(new) else None
            if a == b:
                continue
            kind = "新增" if a is None else "删除" if b is None else "修改"
            changes.append(PlanChange(task_id, numbers.get(task_id, 0), kind, a, b))
    return changes
