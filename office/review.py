"""复核: the office reviews each accepted report, 通过 or 退回 (for the whole report or for named
task rows), may record 报送内容失实 for rows (a deduction, ``office.deductions``), and works
through the month's queue. Where a report stands in review is read by ``status.review``, the one
rule every page, document and command asks.

Only the office reviews; the service refuses any other actor itself. A unit reads its own
returns, a leader every unit's (``returns_for``). Every review is in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy
from sqlmodel import Session, col, select

from accounts.access import AccessDenied, Actor, ensure_office
from accounts.audit import audit
from core import clock
from core.period import Month
from core.text import unknown_unit
from core.vocab import ReviewState, UserRole
from cycle.periods import all_periods, get_period
from db import queries
from db.ids import id_of
from db.models import Period, Review, ReviewRow, Submission, SubmissionRow, Task, Unit
from intake.validation import Problem, previous_rows, same_text, stored_warnings
from status.engine import current_submission
from status.review import ReviewStatus, review_states

MAX_REASON_CHARS = 500


class ReviewError(ValueError):
    """A review that cannot be made as asked; the message says what to fix."""


# --- one review -----------------------------------------------------------------


@dataclass(frozen=True)
class Reviewed:
    unit: str
    period: str
    version: int
    decision: ReviewState
    reason: str
    rows: tuple[int, ...]
    misreported: tuple[int, ...]

    @property
    def message(self) -> str:
        text = f"{self.unit} {self.period} 第 {self.version} 版：{self.decision.label}"
        if self.rows:
            text += f"（退回第 {'、'.join(map(str, self.rows))} 项）"
        if self.misreported:
            text += f"；记录报送内容失实：第 {'、'.join(map(str, self.misreported))} 项"
        return text


def _numbers(values: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(values)))


def _report_rows(session: Session, submission_id: int) -> dict[int, int]:
    """task no → task id, for the rows of one version."""
    rows = session.exec(
        select(Task.no, Task.id)
        .join(SubmissionRow, col(SubmissionRow.task_id) == Task.id)
        .where(col(SubmissionRow.submission_id) == submission_id)
    ).all()
    return {no: task_id for no, task_id in rows if task_id is not None}


def _already_misreported(session: Session, submission_id: int) -> set[int]:
    return set(
        session.exec(
            select(Task.no)
            .join(ReviewRow, col(ReviewRow.task_id) == Task.id)
            .join(Review, col(Review.id) == ReviewRow.review_id)
            .where(Review.submission_id == submission_id, col(ReviewRow.misreported) == True)  # noqa: E712
        ).all()
    )


def review(
    session: Session,
    *,
    actor: Actor,
    unit: str,
    period: str | Month,
    decision: ReviewState,
    reason: str = "",
    rows: Sequence[int] = (),
    misreported: Sequence[int] = (),
) -> Reviewed:
    """Review ``unit``'s current report for ``period``: 通过, or 退回 with a reason, for the whole
    report or for the task rows ``rows`` (序号). ``misreported`` rows are recorded as 报送内容失实
    (each one deduction); that needs a reason too. The office only."""
    ensure_office(actor)
    if decision not in ReviewState.decisions():
        raise ReviewError(f"复核结果只能是“{ReviewState.PASSED.label}”或“{ReviewState.RETURNED.label}”")
    target = queries.resolve_unit(session, unit)
    if target is None or target.id is None:
        raise ReviewError(unknown_unit(unit))
    month = get_period(session, period)
    assert month.id is not None
    current = current_submission(session, unit_id=target.id, period_id=month.id, as_of=None)
    if current is None or current.id is None:
        raise ReviewError(f"{target.name} 尚未报送 {month.code} 月报，没有可复核的内容")
    reason = str(reason or "").strip()
    returned, wrong = _numbers(rows), _numbers(misreported)
    if decision == ReviewState.RETURNED and not reason:
        raise ReviewError("退回须写明理由（哪里不符合要求、应如何修改）")
    if wrong and not reason:
        raise ReviewError("记录报送内容失实须写明理由（哪些内容与实际不符）")
    if len(reason) > MAX_REASON_CHARS:
        raise ReviewError(f"理由不能超过 {MAX_REASON_CHARS} 字（现有 {len(reason)} 字），请精简")
    if decision == ReviewState.PASSED and returned:
        raise ReviewError("通过时不能指定退回的任务；要退回这些任务，请选择退回")
    tasks = _report_rows(session, current.id)
    unknown = [no for no in (*returned, *wrong) if no not in tasks]
    if unknown:
        raise ReviewError(
            f"第 {'、'.join(map(str, sorted(set(unknown))))} 项不在 "
            f"{target.name} {month.code} 第 {current.version} 版月报中；"
            f"这份月报的任务序号为：{'、'.join(map(str, sorted(tasks)))}"
        )
    repeated = sorted(set(wrong) & _already_misreported(session, current.id))
    if repeated:
        raise ReviewError(
            f"第 {'、'.join(map(str, repeated))} 项已在第 {current.version} 版上记录过报送内容失实，同一版本不重复记录"
        )
    state = review_states(session, month, unit_id=target.id).get(target.id)
    if decision == ReviewState.PASSED and not wrong and state is not None and state.state == ReviewState.PASSED:
        raise ReviewError(
            f"{target.name} {month.code} 第 {current.version} 版已于 {clock.fmt(state.reviewed_at)} "
            f"由 {state.reviewed_by} 复核通过"
        )
    row = Review(
        submission_id=current.id,
        decision=decision.value,
        reason=reason,
        reviewed_by=actor.username,
        reviewed_at=clock.now(),
    )
    session.add(row)
    session.flush()
    for no in sorted(set(returned) | set(wrong)):
        named = ReviewRow(review_id=id_of(row), task_id=tasks[no], returned=no in returned, misreported=no in wrong)
        session.add(named)
    done = Reviewed(target.name, month.code, current.version, decision, reason, returned, wrong)
    audit(
        session,
        actor.username,
        "report_reviewed",
        {
            "单位": target.name,
            "月份": month.code,
            "版本": current.version,
            "结果": decision.label,
            "理由": reason,
            "退回任务": list(returned),
            "报送失实": list(wrong),
        },
    )
    return done


# --- the queue --------------------------------------------------------------------


@dataclass(frozen=True)
class RowChange:
    """One task row of a report against the unit's report on it the month before."""

    no: int
    status: str
    progress: float
    before_status: str | None  # None: the task was not in an earlier report
    before_progress: float | None
    text_changed: bool

    @property
    def status_changed(self) -> bool:
        return self.before_status is not None and self.status != self.before_status

    @property
    def progress_changed(self) -> bool:
        return self.before_progress is not None and self.progress != self.before_progress

    @property
    def summary(self) -> str:
        if self.before_status is None:
            return "首次报送"
        parts = []
        if self.status_changed:
            parts.append(f"状态 {self.before_status}→{self.status}")
        if self.progress_changed:
            parts.append(f"进度 {self.before_progress:g}→{self.progress:g}")
        parts.append("进展已更新" if self.text_changed else "进展与上月相同")
        return "；".join(parts)


@dataclass(frozen=True)
class QueueEntry:
    status: ReviewStatus
    warnings: list[Problem]
    changes: list[RowChange]

    @property
    def changed_rows(self) -> int:
        return sum(c.status_changed or c.progress_changed or c.text_changed for c in self.changes)


def _changes(session: Session, unit_id: int, period: Period, submission_id: int) -> list[RowChange]:
    rows = session.execute(
        sqlalchemy.select(
            col(Task.no),
            col(Task.id),
            col(SubmissionRow.status),
            col(SubmissionRow.progress),
            col(SubmissionRow.progress_text),
        )
        .join(Task, col(Task.id) == SubmissionRow.task_id)
        .where(col(SubmissionRow.submission_id) == submission_id)
        .order_by(col(Task.no))
    ).all()
    earlier = previous_rows(session, unit_id, period, {task_id for _, task_id, *_ in rows if task_id is not None})
    changes = []
    for no, task_id, status, progress, text in rows:
        before = earlier.get(task_id or 0)
        if before is None:
            changes.append(RowChange(no, status, progress, None, None, True))
        else:
            row = before[1]
            changes.append(
                RowChange(no, status, progress, row.status, row.progress, not same_text(text, row.progress_text))
            )
    return changes


def review_queue(session: Session, *, period: str | Month, as_of: datetime | None = None) -> list[QueueEntry]:
    """Each obliged unit's current report for the month, in registration order: its review
    state, the warnings its file gets from the upload checks (``intake.validation``), and what
    changed in each task row since the unit's report the month before."""
    month = get_period(session, period)
    entries = []
    for unit_id, status in review_states(session, month, as_of=as_of).items():
        unit = session.get(Unit, unit_id)
        content = session.exec(select(Submission.content).where(Submission.id == status.submission_id)).one()
        assert unit is not None
        entries.append(
            QueueEntry(
                status,
                stored_warnings(session, unit, month.code, content),
                _changes(session, unit_id, month, status.submission_id),
            )
        )
    return entries


def pass_without_warnings(session: Session, *, actor: Actor, period: str | Month) -> list[Reviewed]:
    """通过 every 待复核 report of the month whose file has no warnings (bulk review)."""
    ensure_office(actor)
    passed = []
    for entry in review_queue(session, period=period):
        if entry.status.state == ReviewState.PENDING and not entry.warnings:
            passed.append(
                review(session, actor=actor, unit=entry.status.unit, period=period, decision=ReviewState.PASSED)
            )
    return passed


# --- a unit's returns ---------------------------------------------------------------


def returns_for(
    session: Session, *, actor: Actor, unit_id: int, year: int, as_of: datetime | None = None
) -> list[tuple[str, ReviewStatus]]:
    """(period code, state) of each of the unit's reports in ``year`` now returned (退回 or
    退回未改), oldest month first. A unit account reads only its own; the office and leaders any."""
    if actor.role == UserRole.UNIT and actor.unit_id != unit_id:
        raise AccessDenied("当前账号只能查看本单位的复核意见")
    found = []
    for period in all_periods(session, year):
        status = review_states(session, period, as_of=as_of, unit_id=unit_id).get(unit_id)
        if status is not None and status.returned:
            found.append((period.code, status))
    return found
