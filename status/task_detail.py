"""任务详情: one task's registry entry, its status month by month and every unit's reports on it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy
from sqlalchemy import case
from sqlmodel import Session, col, select

from core.period import Month
from core.vocab import ExpectedSource, LeaderRole, Light, Responsibility, UnitKind
from cycle.settings import get_setting
from db.ids import id_of
from db.models import (
    Category,
    Leader,
    Period,
    Submission,
    SubmissionRow,
    Task,
    TaskLeader,
    TaskUnit,
    Unit,
    UnitObligation,
)
from status.engine import AnySelect, current_submissions, status_of_rank, status_query
from status.plans import confirmed_milestones, plan_changes, plan_versions, planners

LEAD_LEADER = LeaderRole.LEAD.value


@dataclass
class TaskDetail:
    id: int
    no: int
    year: int
    category: str
    text: str
    lead_leader: str = ""
    assisting_leaders: list[str] = field(default_factory=list)
    lead_units: list[str] = field(default_factory=list)
    co_units: list[str] = field(default_factory=list)
    lead_is_group: bool = False


def task_detail(session: Session, no: int, year: int) -> TaskDetail | None:
    found = session.exec(
        select(Task, Category.name)
        .join(Category, col(Category.id) == Task.category_id)
        .where(Task.year == year, Task.no == no)
    ).first()
    if found is None:
        return None
    task, category = found
    task_id = id_of(task)
    detail = TaskDetail(task_id, no, year, category, task.text)
    for name, role in session.exec(
        select(Leader.name, TaskLeader.role)
        .join(Leader, col(Leader.id) == TaskLeader.leader_id)
        .where(TaskLeader.task_id == task_id)
        .order_by(col(TaskLeader.position))
    ):
        if role == LEAD_LEADER:
            detail.lead_leader = name
        else:
            detail.assisting_leaders.append(name)
    for name, kind, role in session.exec(
        select(Unit.name, Unit.kind, TaskUnit.role)
        .join(Unit, col(Unit.id) == TaskUnit.unit_id)
        .where(TaskUnit.task_id == task_id)
        .order_by(col(TaskUnit.position))
    ):
        if role == Responsibility.LEAD:
            detail.lead_units.append(name)
            detail.lead_is_group = detail.lead_is_group or kind == UnitKind.GROUP
        else:
            detail.co_units.append(name)
    return detail


def _year_periods(year: int) -> AnySelect:
    return select(Period.id).where(Period.year == year)


TIMELINE_COLUMNS = ("月份", "完成状态", "红黄绿灯", "进度", "应达进度", "进度依据", "欠进度")


def task_timeline(session: Session, task_id: int, year: int) -> pd.DataFrame:
    """The task's status, light and progress against what was expected, for every month of ``year``."""
    states = status_query(
        periods=_year_periods(year), as_of=None, margin=get_setting(session, "lag_margin"), tasks=[task_id]
    )
    rows = session.execute(
        sqlalchemy.select(
            col(Period.code),
            states.c.rank,
            states.c.light,
            states.c.progress,
            states.c.expected,
            states.c.expected_source,
            states.c.behind,
        )
        .select_from(states)
        .join(Period, col(Period.id) == states.c.period_id)
        .order_by(col(Period.month))
    ).all()
    records = [
        (
            code,
            status_of_rank(rank).label,
            Light.of(light).label,
            progress,
            float(expected),
            ExpectedSource.of(source).label,
            bool(behind),
        )
        for code, rank, light, progress, expected, source, behind in rows
    ]
    return pd.DataFrame(records, columns=list(TIMELINE_COLUMNS))


MILESTONE_COLUMNS = ("完成时限", "月份", "计划进度", "节点目标")


def task_milestones(session: Session, task_id: int, year: int) -> pd.DataFrame:
    """The milestones of the task's plan that counts (``status.plans``), by due date; empty
    without a confirmed plan."""
    found = confirmed_milestones(session, year=year, task_ids=[task_id]).get(task_id, [])
    records = [(m.due.isoformat(), Month.of(m.due).code, m.target, m.text) for m in found]
    return pd.DataFrame(records, columns=list(MILESTONE_COLUMNS))


PLAN_VERSION_COLUMNS = ("版本", "状态", "报送时间", "处理人", "处理时间", "退回理由", "本任务的节点变化")


def task_plan_versions(session: Session, task_id: int, year: int) -> pd.DataFrame:
    """Every version of the plan of the unit that plans the task (its first-listed lead unit),
    newest first, with what each changed in this task's milestones."""
    planner = planners(session, year=year, task_id=task_id).get(task_id)
    records = []
    if planner is not None:
        for v in plan_versions(session, unit_id=planner, year=year):
            changes = plan_changes(session, unit_id=planner, year=year, version=v.version)
            mine = [c.text for c in changes if c.task_id == task_id]
            records.append(
                (
                    v.version,
                    v.state.label,
                    v.received_at,
                    v.decided_by or "",
                    v.decided_at,
                    v.return_reason,
                    "；".join(mine),
                )
            )
    return pd.DataFrame(records, columns=list(PLAN_VERSION_COLUMNS))


REPORT_COLUMNS = ("月份", "单位", "责任类型", "完成状态", "进度", "本月工作进展", "存在问题", "下步打算", "报送时间")


def task_reports(session: Session, task_id: int, year: int) -> pd.DataFrame:
    """Every unit's current report on the task for each month of ``year``, latest month first,
    lead units before co-responsible ones."""
    reporters = select(UnitObligation.unit_id).where(UnitObligation.task_id == task_id)
    current = current_submissions(
        col(Submission.period_id).in_(_year_periods(year)), col(Submission.unit_id).in_(reporters), as_of=None
    )
    rows = session.execute(
        sqlalchemy.select(
            col(Period.code),
            col(Unit.name),
            col(SubmissionRow.role),
            col(SubmissionRow.status),
            col(SubmissionRow.progress),
            col(SubmissionRow.progress_text),
            col(SubmissionRow.problems),
            col(SubmissionRow.next_steps),
            current.c.received_at,
        )
        .join(current, current.c.id == SubmissionRow.submission_id)
        .join(Period, col(Period.id) == current.c.period_id)
        .join(Unit, col(Unit.id) == current.c.unit_id)
        .where(col(SubmissionRow.task_id) == task_id)
        .order_by(
            col(Period.code).desc(),
            case((col(SubmissionRow.role) == Responsibility.LEAD, 0), else_=1),
            col(Unit.id),
        )
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(REPORT_COLUMNS))


def task_numbers(session: Session, year: int) -> dict[int, str]:
    return dict(session.exec(select(Task.no, Task.text).where(Task.year == year).order_by(col(Task.no))).all())
