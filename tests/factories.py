"""Direct inserts of accepted submissions and plans, for tests of the read side (dashboards,
workbench, progress against the plan).

Tests of the upload path itself go through ``intake.ingest``; these factories only save
building a workbook when the test is about what happens after a report is accepted.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from sqlmodel import func, select

from cycle.periods import get_period, month_of
from db.engine import write_session
from db.models import PlanMilestone, Submission, SubmissionRow, Task, TaskPlan
from db.queries import resolve_unit
from registry.obligations import unit_obligations


def add_submission(
    unit: str,
    period: str,
    received_at: datetime,
    statuses: dict[int, tuple[str, float]] | None = None,
    *,
    default: tuple[str, float] = ("序时推进", 50.0),
    text: str = "按计划推进",
    uploaded_by: str = "测试",
    is_demo: bool = False,
) -> int:
    """Accept a report of ``unit`` for ``period``: every obliged task gets ``default`` unless
    ``statuses`` (task no → (status, progress)) says otherwise. Returns the submission id."""
    statuses = statuses or {}
    with write_session() as session:
        unit_row = resolve_unit(session, unit)
        assert unit_row is not None, unit
        period_row = get_period(session, period)
        version = (
            session.exec(
                select(func.max(Submission.version)).where(
                    Submission.unit_id == unit_row.id, Submission.period_id == period_row.id
                )
            ).one()
            or 0
        ) + 1
        content = f"{unit}|{period}|{version}|{received_at}".encode()
        submission = Submission(
            unit_id=unit_row.id,
            period_id=period_row.id,
            version=version,
            received_at=received_at,
            uploaded_by=uploaded_by,
            is_demo=is_demo,
            file_name=f"{unit}-{period}.xlsx",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            filler="张三",
            phone="0559-1234567",
        )
        session.add(submission)
        session.flush()
        for ob in unit_obligations(session, unit_row.id, period_row.year, month_of(period_row)):
            status, progress = statuses.get(ob.task_no, default)
            session.add(
                SubmissionRow(
                    submission_id=submission.id,
                    task_id=ob.task_id,
                    role=ob.role,
                    status=status,
                    progress=progress,
                    progress_text=f"{text}（任务{ob.task_no}）",
                    problems="人手不足" if status == "滞后" else "",
                    next_steps="加快推进" if status == "滞后" else "",
                )
            )
        return submission.id


def add_plan(
    unit: str,
    milestones: dict[int, list[tuple[date, float]]],
    *,
    version: int = 1,
    state: str = "confirmed",
    year: int = 2023,
) -> None:
    """Store version ``version`` of ``unit``'s plan for ``year`` as the plan workflow would leave
    it (``state``: a PlanState value): task no → its milestones (due, planned progress)."""
    with write_session() as session:
        unit_row = resolve_unit(session, unit)
        assert unit_row is not None and unit_row.id is not None, unit
        plan = TaskPlan(
            unit_id=unit_row.id,
            year=year,
            version=version,
            state=state,
            received_at=datetime(year, 2, 1, 9) + timedelta(hours=version),
            submitted_by=unit,
            source="form",
        )
        session.add(plan)
        session.flush()
        assert plan.id is not None
        for no, rows in milestones.items():
            task_id = session.exec(select(Task.id).where(Task.year == year, Task.no == no)).one()
            for seq, (due, target) in enumerate(rows, start=1):
                session.add(
                    PlanMilestone(plan_id=plan.id, task_id=task_id, seq=seq, due=due, target=target, text=f"节点{seq}")
                )
