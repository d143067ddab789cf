"""The status engine: the one definition of a unit's current report and of a task's status.

**Current report.** Of the accepted versions of unit U for period P received by moment T, the
one received last counts (a tie goes to the higher version). The office's back-dated entry of a
file the 公文平台 received earlier counts at its received time, so it never displaces a report
the unit uploaded later. Without T, every version received so far counts (no version is
stamped later than the moment it is stored).

**Task status.** A task's status for a period is what the units that speak for it
(``registry.obligations``: its lead units, or the empty-group fallback) said in their current
reports; of several, the least advanced (``TaskStatus.severity``, then the lower progress, then
the one listed first). Without such a report the task is 未报送. A task the office has closed
(``registry.obligations.closed_for``) is 已办结 from the month after its 办结 date on, whatever
was reported, with progress 100. 序时进度 is the share of the
year elapsed at the end of the month; a reported task is 欠进度 when its progress falls short
of it by more than the ``lag_margin`` setting, unless it is 已完成.

Everything is one SQL query (``status_query``); the dashboards aggregate over it and the
bulletin, the ledger, deductions and the command line read its rows through ``task_states``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Float,
    Integer,
    Label,
    Subquery,
    Text,
    and_,
    case,
    false,
    literal,
    or_,
    true,
    union_all,
)
from sqlalchemy.orm import Mapped, aliased
from sqlmodel import Session, col, func, select

from core.vocab import SEVERITY, ExpectedSource, Light, Responsibility, TaskStatus
from cycle.settings import get_setting
from db.models import Period, Submission, SubmissionRow, Task, TaskUnit, Unit, UnitObligation
from registry.obligations import closed_for
from status.expected import AnySelect as AnySelect
from status.expected import Ids as Ids
from status.expected import expected_of, joins, plan_expectation
from status.lights import light_of

RANK = case({status.value: status.severity for status in SEVERITY}, value=SubmissionRow.status)
CLOSED_RANK = len(SEVERITY)  # the rank of 已办结, after every reported status


def status_of_rank(rank: int | None) -> TaskStatus:
    if rank is None:
        return TaskStatus.NOT_REPORTED
    return TaskStatus.CLOSED if rank == CLOSED_RANK else SEVERITY[rank]


# --- the current report -------------------------------------------------------------


def _received_by(submission: type[Submission], as_of: datetime | None) -> tuple[ColumnElement[bool], ...]:
    return () if as_of is None else (col(submission.received_at) <= as_of,)


def is_current(
    submission: type[Submission] = Submission, *, as_of: datetime | None, per_period: bool = True
) -> ColumnElement[bool]:
    """The rule itself, as a condition on ``submission`` (the table or an alias of it): received
    by ``as_of``, and no other version of the same unit and period (of any period with
    ``per_period=False``) received by then is later, or as late with a higher version.

    A condition rather than a derived table, so the database can reach a current submission
    from its rows or from its period alike, through the (unit, period, version) index. Made
    once for each set of arguments (an expression is immutable and may go into any query)."""
    return _is_current(submission, as_of, per_period)


@functools.lru_cache(maxsize=256)
def _is_current(submission: type[Submission], as_of: datetime | None, per_period: bool) -> ColumnElement[bool]:
    later = aliased(Submission)
    same = [col(later.unit_id) == submission.unit_id]
    if per_period:
        same.append(col(later.period_id) == submission.period_id)
    newer = or_(
        col(later.received_at) > submission.received_at,
        and_(col(later.received_at) == submission.received_at, col(later.version) > submission.version),
    )
    return and_(
        *_received_by(submission, as_of),
        ~select(later.id).where(*same, *_received_by(later, as_of), newer).exists(),
    )


def current_submissions(*conditions: ColumnElement[bool], as_of: datetime | None, per_period: bool = True) -> Subquery:
    """The current submission of each unit and period matching ``conditions`` (of each unit
    over all periods with ``per_period=False``): columns ``id``, ``unit_id``, ``period_id``,
    ``version``, ``received_at``."""
    return (
        sqlalchemy.select(
            col(Submission.id),
            col(Submission.unit_id),
            col(Submission.period_id),
            col(Submission.version),
            col(Submission.received_at),
        )
        .where(*conditions, is_current(as_of=as_of, per_period=per_period))
        .subquery("current")
    )


def current_submission(session: Session, *, unit_id: int, period_id: int, as_of: datetime | None) -> Submission | None:
    """The current submission of one unit for one period, or None."""
    return session.exec(
        select(Submission).where(
            Submission.unit_id == unit_id, Submission.period_id == period_id, is_current(as_of=as_of)
        )
    ).first()


@dataclass(frozen=True)
class CurrentReport:
    submission_id: int
    version: int
    received_at: datetime
    uploaded_by: str
    on_behalf: bool
    filler: str
    phone: str
    head: str


def current_reports(
    session: Session, *, as_of: datetime | None, period_id: int | None, unit_id: int | None = None
) -> dict[int, CurrentReport]:
    """unit id → its current report for ``period_id``; with None, its current report of the
    period it reported for last (the last one received of any month). Only ``unit_id``'s if given."""
    conditions = [] if period_id is None else [col(Submission.period_id) == period_id]
    if unit_id is not None:
        conditions.append(col(Submission.unit_id) == unit_id)
    current = current_submissions(*conditions, as_of=as_of, per_period=period_id is not None)
    rows = session.execute(
        sqlalchemy.select(
            col(Submission.unit_id),
            col(Submission.id),
            col(Submission.version),
            col(Submission.received_at),
            col(Submission.uploaded_by),
            col(Submission.on_behalf),
            col(Submission.filler),
            col(Submission.phone),
            col(Submission.head),
        ).join(current, current.c.id == Submission.id)
    ).all()
    return {unit_id: CurrentReport(*rest) for unit_id, *rest in rows}


# --- who speaks for each task ---------------------------------------------------------


def lead_reports(*, as_of: datetime | None, periods: Ids, tasks: Ids | None = None) -> Subquery:
    """``lead_select`` as a subquery."""
    return lead_select(as_of=as_of, periods=periods, tasks=tasks).subquery("lead_reports")


def off_index(column: int, tasks: Ids | None) -> ColumnElement[int] | Mapped[int]:
    """``column`` as a query restricted to ``tasks`` should compare it: with a restriction,
    ``column + 0``, which no index serves, so that the database takes the path the caller means
    (each caller says which index it keeps the database off, and why); without one, as it is."""
    return col(column) + 0 if tasks is not None else col(column)


def lead_select(*, as_of: datetime | None, periods: Ids, tasks: Ids | None = None) -> AnySelect:
    """Every row of a current report that speaks for its task, for ``periods`` (and only
    ``tasks`` if given), with ``pick`` = 1 on the row that gives the task's status."""
    query = (
        sqlalchemy.select(
            col(SubmissionRow.task_id),
            col(Submission.period_id),
            col(Submission.unit_id),
            col(Submission.id).label("submission_id"),
            col(Submission.version),
            col(Submission.received_at),
            RANK.label("rank"),
            col(SubmissionRow.progress),
            col(SubmissionRow.progress_text),
            col(SubmissionRow.problems),
            col(SubmissionRow.next_steps),
            col(SubmissionRow.remarks),
            func.row_number()
            .over(
                partition_by=(col(SubmissionRow.task_id), col(Submission.period_id)),
                order_by=(RANK, col(SubmissionRow.progress), col(UnitObligation.position)),
            )
            .label("pick"),
        )
        .join(Submission, col(Submission.id) == SubmissionRow.submission_id)
        .join(
            UnitObligation,
            and_(
                # With chosen tasks, the database starts from their obligations (primary key), takes
                # each obliged unit's submissions and each row by its (submission, task) key: on the
                # obligation's side, ``+ 0`` keeps the chosen tasks off the rows' task index (every
                # row of those tasks in every month) without blocking the (submission, task) key.
                off_index(UnitObligation.task_id, tasks) == SubmissionRow.task_id,
                col(UnitObligation.unit_id) == Submission.unit_id,
                col(UnitObligation.speaks) == true(),
            ),
        )
    )
    # ... and not from every submission of the period (period index).
    query = query.where(off_index(Submission.period_id, tasks).in_(periods), is_current(as_of=as_of))
    if tasks is not None:
        query = query.where(col(UnitObligation.task_id).in_(tasks))
    return query


def status_query(
    *, periods: Ids, as_of: datetime | None, margin: float, tasks: Ids | None = None, year: int | None = None
) -> Subquery:
    """One row per task and period of ``periods`` (tasks of the period's year; only ``tasks`` if
    given): ``task_id``, ``no``, ``period_id``, ``rank`` (None when 未报送, ``CLOSED_RANK`` when
    已办结), ``progress``, ``expected`` (the plan's or 序时进度, ``status.expected``),
    ``expected_source`` (an ``ExpectedSource`` value), ``behind`` (欠进度), ``light`` (a
    ``Light`` value, ``status.lights``), and the giving report's ``unit_id``, ``version``,
    ``received_at`` and texts.

    Built as the reported tasks plus, UNION ALL, the tasks without a speaking report (NOT
    EXISTS), plus the closed ones (neither of the first two parts has them): an outer join of
    the tasks to the reports makes SQLite scan every report once per task, where NOT EXISTS
    lets it index them."""
    lead = lead_select(as_of=as_of, periods=periods, tasks=tasks).cte("lead_reports")
    picked = lead.c.pick == 1
    closed = closed_for(col(Task.id), col(Period.year), col(Period.month))
    plan = plan_expectation(periods=periods, tasks=tasks).cte("plan_expectation")
    on_plan = joins(plan, col(Task.id), col(Period.id))
    expected_value, source = expected_of(plan)
    expected = expected_value.label("expected")
    behind = case(
        (and_(lead.c.rank != TaskStatus.DONE.severity, lead.c.progress < expected_value - margin), true()),
        else_=false(),
    )
    light = light_of(
        rank=lead.c.rank, progress=lead.c.progress, behind=behind, plan=plan, margin=margin, closed_rank=CLOSED_RANK
    )

    def _light_for(rank: int | None, progress: float | None) -> ColumnElement[str]:
        """The light of a row with no report (rank None) or closed: the same rules, not a copy."""
        return light_of(
            rank=literal(rank, Integer()),
            progress=literal(progress, Float()),
            behind=false(),
            plan=plan,
            margin=margin,
            closed_rank=CLOSED_RANK,
        )

    task_columns: tuple[Label[int], ...] = (
        col(Task.id).label("task_id"),
        col(Task.no).label("no"),
        col(Period.id).label("period_id"),
    )
    reported = (
        sqlalchemy.select(
            *task_columns,
            lead.c.rank,
            lead.c.progress,
            expected,
            source.label("expected_source"),
            behind.label("behind"),
            light.label("light"),
            lead.c.unit_id,
            lead.c.version,
            lead.c.received_at,
            lead.c.progress_text,
            lead.c.problems,
            lead.c.next_steps,
            lead.c.remarks,
        )
        .select_from(lead)
        .join(Task, col(Task.id) == lead.c.task_id)
        .join(Period, col(Period.id) == lead.c.period_id)
        .outerjoin(plan, on_plan)
        .where(picked, ~closed)
    )
    unreported = (
        sqlalchemy.select(
            *task_columns,
            literal(None, Integer()).label("rank"),
            literal(None, Float()).label("progress"),
            expected,
            source.label("expected_source"),
            false().label("behind"),
            _light_for(None, None).label("light"),
            literal(None, Integer()).label("unit_id"),
            literal(None, Integer()).label("version"),
            literal(None, DateTime()).label("received_at"),
            literal(None, Text()).label("progress_text"),
            literal(None, Text()).label("problems"),
            literal(None, Text()).label("next_steps"),
            literal(None, Text()).label("remarks"),
        )
        .select_from(Task)
        .join(Period, and_(col(Period.year) == Task.year, col(Period.id).in_(periods)))
        .outerjoin(plan, on_plan)
        .where(
            ~select(lead.c.task_id).where(picked, lead.c.task_id == Task.id, lead.c.period_id == Period.id).exists(),
            ~closed,
        )
    )
    finished = (
        sqlalchemy.select(
            *task_columns,
            literal(CLOSED_RANK, Integer()).label("rank"),
            literal(100.0, Float()).label("progress"),
            expected,
            source.label("expected_source"),
            false().label("behind"),
            _light_for(CLOSED_RANK, 100.0).label("light"),
            literal(None, Integer()).label("unit_id"),
            literal(None, Integer()).label("version"),
            literal(None, DateTime()).label("received_at"),
            literal(None, Text()).label("progress_text"),
            literal(None, Text()).label("problems"),
            literal(None, Text()).label("next_steps"),
            literal(None, Text()).label("remarks"),
        )
        .select_from(Task)
        .join(Period, and_(col(Period.year) == Task.year, col(Period.id).in_(periods)))
        .outerjoin(plan, on_plan)
        .where(closed)
    )
    parts = []
    for part in (reported, unreported, finished):
        if tasks is not None:
            part = part.where(col(Task.id).in_(tasks))
        if year is not None:
            part = part.where(col(Task.year) == year)
        parts.append(part)
    return union_all(*parts).subquery("task_status")


def period_status_query(
    session: Session, period: Period, *, as_of: datetime | None, tasks: Ids | None = None
) -> Subquery:
    """``status_query`` for one period, with the office's margin."""
    return status_query(
        periods=[period.id] if period.id is not None else [],
        as_of=as_of,
        margin=get_setting(session, "lag_margin"),
        tasks=tasks,
        year=period.year,
    )


# --- rows for Python readers ------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """The report a task's status comes from."""

    unit: str
    version: int
    received_at: datetime

    def as_json(self) -> dict[str, object]:
        return {"unit": self.unit, "version": self.version, "received_at": self.received_at.isoformat()}


@dataclass(frozen=True)
class TaskState:
    task_id: int
    no: int
    status: TaskStatus
    progress: float | None
    expected: float
    behind: bool
    lead_unit: str  # as listed in the registry (for a group lead, the group)
    source: Source | None
    progress_text: str = ""
    problems: str = ""
    next_steps: str = ""
    remarks: str = ""
    expected_source: ExpectedSource = ExpectedSource.CALENDAR
    light: Light = Light.GREEN

    def as_json(self) -> dict[str, object]:
        return {
            "no": self.no,
            "status": self.status.code,
            "progress": self.progress,
            "expected": round(self.expected, 2),
            "expected_source": self.expected_source.code,
            "behind": self.behind,
            "light": self.light.code,
            "lead_unit": self.lead_unit,
            "source": self.source.as_json() if self.source else None,
        }


def listed_lead_units(year: int, tasks: Ids | None = None) -> AnySelect:
    """(task id, name of its first listed lead unit) for ``year`` (only ``tasks`` if given)."""
    first = (
        select(TaskUnit.task_id, func.min(TaskUnit.position).label("position"))
        .join(Task, col(Task.id) == TaskUnit.task_id)
        .where(Task.year == year, TaskUnit.role == Responsibility.LEAD, *_among(col(TaskUnit.task_id), tasks))
        .group_by(col(TaskUnit.task_id))
        .subquery()
    )
    listed = aliased(TaskUnit)
    return (
        select(listed.task_id, Unit.name)
        .join(first, and_(first.c.task_id == listed.task_id, first.c.position == listed.position))
        .join(Unit, col(Unit.id) == listed.unit_id)
    )


def _among(task_id: Mapped[int], tasks: Ids | None) -> tuple[ColumnElement[bool], ...]:
    return () if tasks is None else (task_id.in_(tasks),)


def task_states(
    session: Session, period: Period, *, as_of: datetime | None, tasks: Ids | None = None
) -> dict[int, TaskState]:
    """task id → its state in ``period`` as of ``as_of``, in task order."""
    query = period_status_query(session, period, as_of=as_of, tasks=tasks)
    names = dict(session.exec(select(Unit.id, Unit.name)).all())
    leads = dict(session.execute(listed_lead_units(period.year, tasks)).all())
    states = {}
    for row in session.execute(sqlalchemy.select(query).order_by(query.c.no)).mappings():
        source = None
        if row["unit_id"] is not None:
            source = Source(names[row["unit_id"]], row["version"], row["received_at"])
        states[row["task_id"]] = TaskState(
            row["task_id"],
            row["no"],
            status_of_rank(row["rank"]),
            row["progress"],
            float(row["expected"]),
            bool(row["behind"]),
            leads.get(row["task_id"], ""),
            source,
            row["progress_text"] or "",
            row["problems"] or "",
            row["next_steps"] or "",
            row["remarks"] or "",
            ExpectedSource.of(row["expected_source"]),
            Light.of(row["light"]),
        )
    return states


@dataclass(frozen=True)
class LeadReport:
    """One speaking unit's row in its current report (a group lead has one per member)."""

    task_id: int
    unit_id: int
    status: TaskStatus
    received_at: datetime


def lead_report_rows(session: Session, period: Period, *, as_of: datetime | None) -> list[LeadReport]:
    """Every speaking row of ``period``'s current reports, in task order."""
    lead = lead_reports(as_of=as_of, periods=[period.id] if period.id is not None else [])
    rows = session.exec(
        select(lead.c.task_id, lead.c.unit_id, lead.c.rank, lead.c.received_at)
        .join(Task, col(Task.id) == lead.c.task_id)
        .order_by(col(Task.no), lead.c.pick)
    ).all()
    return [LeadReport(task_id, unit_id, status_of_rank(rank), at) for task_id, unit_id, rank, at in rows]


def status_counts(states: Iterable[TaskState]) -> dict[TaskStatus, int]:
    """Tasks per status, every status present, in display order."""
    counts = dict.fromkeys(TaskStatus, 0)
    for state in states:
        counts[state.status] += 1
    return counts
