"""按单位: the units that report in a year, one unit's tasks with what it reported and the task's
status, and its reporting record month by month."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import sqlalchemy
from sqlalchemy import and_
from sqlmodel import Session, col, func, select

from core import clock
from core.period import Month
from core.vocab import Lateness, Responsibility, TaskStatus
from cycle.periods import get_period
from db.models import Exemption, Period, Submission, SubmissionRow, Unit
from registry.obligations import is_obliged, obliged_units, unit_obligations
from status.engine import current_submission, task_states
from status.lateness import judge


def reporting_units(session: Session, year: int) -> list[tuple[int, str]]:
    """Units that report in ``year`` (directly or through a group), in registration order."""
    rows = session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(obliged_units(year))).order_by(col(Unit.id)))
    return [(unit_id, name) for unit_id, name in rows if unit_id is not None]


UNIT_TASK_COLUMNS = (
    "序号",
    "主要任务",
    "责任类型",
    "本单位报送状态",
    "本单位进度",
    "任务完成状态",
    "红黄绿灯",
    "应达进度",
    "进度依据",
    "本月工作进展",
    "存在问题",
    "下步打算",
)


def unit_tasks(session: Session, unit_id: int, code: str) -> pd.DataFrame:
    """The unit's tasks (lead first, then co-responsible) with what it reported for the period
    and the task's status."""
    period = get_period(session, code)
    assert period.id is not None
    duties = unit_obligations(session, unit_id, period.year)
    mine = current_submission(session, unit_id=unit_id, period_id=period.id, as_of=None)
    own = {}
    if mine is not None:
        own = {
            row[0]: row[1:]
            for row in session.execute(
                sqlalchemy.select(
                    col(SubmissionRow.task_id),
                    col(SubmissionRow.status),
                    col(SubmissionRow.progress),
                    col(SubmissionRow.progress_text),
                    col(SubmissionRow.problems),
                    col(SubmissionRow.next_steps),
                ).where(col(SubmissionRow.submission_id) == mine.id)
            ).all()
        }
    states = task_states(session, period, as_of=None, tasks=[d.task_id for d in duties])
    records = []
    not_reported = TaskStatus.NOT_REPORTED.value
    for duty in sorted(duties, key=lambda d: (d.role != Responsibility.LEAD, d.task_no)):
        status, progress, text, problems, steps = own.get(duty.task_id, (not_reported, None, "", "", ""))
        state = states[duty.task_id]
        records.append(
            (
                duty.task_no,
                duty.task_text,
                duty.role,
                status,
                progress,
                state.status.label,
                state.light.label,
                state.expected,
                state.expected_source.label,
                text,
                problems,
                steps,
            )
        )
    return pd.DataFrame(records, columns=list(UNIT_TASK_COLUMNS))


RECORD_COLUMNS = ("月份", "截止时间", "首次报送", "报送情况", "迟报天数", "报送次数")


def unit_record(session: Session, unit_id: int, year: int, as_of: datetime) -> pd.DataFrame:
    """The unit's reporting record month by month (按时 / 迟报 / 漏报 / 免报 / 未到期), times as
    text ready to show; the months it owes no report (its tasks all closed) are left out."""
    rows = session.execute(
        sqlalchemy.select(
            col(Period.id),
            col(Period.code),
            col(Period.due_at),
            func.min(col(Submission.received_at)),
            func.count(col(Submission.id)),
        )
        .select_from(Period)
        .outerjoin(Submission, and_(col(Submission.period_id) == Period.id, col(Submission.unit_id) == unit_id))
        .where(col(Period.year) == year)
        .group_by(col(Period.id), col(Period.code), col(Period.due_at))
        .order_by(col(Period.code))
    ).all()
    exempt = set(
        session.exec(
            select(Exemption.period_id).where(Exemption.unit_id == unit_id, col(Exemption.revoked_at).is_(None))
        )
    )
    records = []
    for period_id, code, due, first, versions in rows:
        if not is_obliged(session, unit_id=unit_id, year=year, month=Month.parse(code)):
            continue
        status, days = judge(due, first, as_of, period_id in exempt)
        shown = first if first is not None and first <= as_of else None
        late = f"{days} 天" if status == Lateness.LATE else ""
        records.append((code, clock.fmt(due), clock.fmt(shown), status.label, late, versions))
    return pd.DataFrame(records, columns=list(RECORD_COLUMNS))
