"""The current report of each unit (its latest accepted version by a given moment) and each
task's status for a period as its lead unit reported it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from core.vocab import NOT_REPORTED, ROLE_LEAD_UNIT, STATUS_ORDER
from db.models import GroupMember, Period, Submission, SubmissionRow, Task, TaskUnit, Unit
from registry.obligations import obligations


@dataclass(frozen=True)
class LastSubmission:
    version: int
    received_at: datetime
    uploaded_by: str
    on_behalf: bool
    filler: str
    phone: str


def last_submissions(session: Session, period_id: int | None, as_of: datetime) -> dict[int, LastSubmission]:
    """unit id → its latest accepted version received by ``as_of`` (for one period, or any)."""
    query = select(
        Submission.unit_id,
        Submission.version,
        Submission.received_at,
        Submission.uploaded_by,
        Submission.on_behalf,
        Submission.filler,
        Submission.phone,
    ).where(Submission.received_at <= as_of)
    if period_id is not None:
        query = query.where(Submission.period_id == period_id)
    latest: dict[int, LastSubmission] = {}
    for unit_id, version, received_at, by, on_behalf, filler, phone in session.exec(
        query.order_by(Submission.received_at, Submission.id)  # type: ignore[arg-type]
    ):
        latest[unit_id] = LastSubmission(version, received_at, by, on_behalf, filler, phone)
    return latest


@dataclass(frozen=True)
class TaskStatus:
    task_id: int
    status: str  # one of TASK_STATUSES, or NOT_REPORTED
    unit: str = ""  # the lead unit whose report gives the status
    progress: float | None = None
    progress_text: str = ""
    problems: str = ""
    next_steps: str = ""
    remarks: str = ""
    received_at: datetime | None = None


def lead_units(session: Session, year: int) -> dict[int, list[int]]:
    """task id → the units that report as its lead. A group lead stands for its members; a task
    whose lead obliges nobody (a group without members) is led by its first obliged unit."""
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, member_id in session.exec(select(GroupMember.group_id, GroupMember.member_id)):
        members[group_id].append(member_id)
    order: dict[tuple[int, int], tuple[int, int]] = {}
    listed = session.exec(
        select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.position)
        .join(Task, Task.id == TaskUnit.task_id)
        .where(Task.year == year)
    ).all()
    for task_id, unit_id, position in listed:
        for rank, target in enumerate(members[unit_id] or [unit_id]):
            order.setdefault((task_id, target), (position, rank))
    by_task: dict[int, list[tuple[tuple[int, int], int, str]]] = defaultdict(list)
    for unit_id, items in obligations(session, year).items():
        for ob in items:
            by_task[ob.task_id].append((order.get((ob.task_id, unit_id), (0, 0)), unit_id, ob.role))
    leads = {}
    for task_id, candidates in by_task.items():
        candidates.sort()
        leads[task_id] = [u for _, u, role in candidates if role == ROLE_LEAD_UNIT] or [candidates[0][1]]
    return leads


# Which of several lead units' statuses speaks for the task: the least advanced.
_SEVERITY = {"滞后": 0, "未启动": 1, "序时推进": 2, "已完成": 3}


def current_rows(session: Session, period: Period, as_of: datetime) -> dict[tuple[int, int], TaskStatus]:
    """(task id, unit id) → that unit's row in its current report for ``period``."""
    current = last_submissions(session, period.id, as_of)
    names = dict(session.exec(select(Unit.id, Unit.name)).all())
    ids = {
        submission_id: unit_id
        for submission_id, unit_id, version in session.exec(
            select(Submission.id, Submission.unit_id, Submission.version).where(Submission.period_id == period.id)
        )
        if unit_id in current and current[unit_id].version == version
    }
    if not ids:
        return {}
    rows = session.exec(select(SubmissionRow).where(SubmissionRow.submission_id.in_(list(ids))))  # type: ignore[attr-defined]
    return {
        (row.task_id, ids[row.submission_id]): TaskStatus(
            row.task_id,
            row.status,
            names[ids[row.submission_id]],
            row.progress,
            row.progress_text,
            row.problems,
            row.next_steps,
            row.remarks,
            current[ids[row.submission_id]].received_at,
        )
        for row in rows
    }


def task_statuses(session: Session, period: Period, as_of: datetime) -> dict[int, TaskStatus]:
    """task id → its status in ``period``: the lead unit's current report (its latest version
    received by ``as_of``), or 未报送 when the lead has not reported."""
    leads = lead_units(session, period.year)
    reported = current_rows(session, period, as_of)
    names = dict(session.exec(select(Unit.id, Unit.name)).all())
    statuses = {}
    for task_id in session.exec(select(Task.id).where(Task.year == period.year).order_by(Task.no)):
        found = [reported[(task_id, u)] for u in leads.get(task_id, []) if (task_id, u) in reported]
        if found:
            statuses[task_id] = min(found, key=lambda s: _SEVERITY[s.status])
        else:
            statuses[task_id] = TaskStatus(task_id, NOT_REPORTED, "、".join(names[u] for u in leads.get(task_id, [])))
    return statuses


def status_counts(statuses: Iterable[TaskStatus]) -> dict[str, int]:
    """Tasks per status, every status present, in the fixed order."""
    counts = Counter(s.status for s in statuses)
    return {status: counts.get(status, 0) for status in STATUS_ORDER}
