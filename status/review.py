"""Where a report stands in the office's review (复核): the one rule for a report's review state.

**Review state.** A unit's report for a period is its current version (``status.engine``). That
version is 待复核 until the office reviews it; then the latest review of that version (as of the
moment asked) decides: 通过, or 退回. A return not answered by a newer version within
``review_correction_days`` working days (counted after the day of the return by the deadline
calendar, ``cycle.periods.working_days_later``) is 退回未改. A new version becomes the current
one and is 待复核 again: reviews belong to the version they judged.

The review changes nothing else: a returned report's data still counts on every dashboard until
a new version replaces it (the current-report rule is unchanged), and lateness stays judged by
the first accepted version. The office's actions (reviewing, the queue) are in ``office/review.py``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy
from sqlalchemy import Row
from sqlmodel import Session, col, select

from core import clock
from core.vocab import ReviewState
from cycle.periods import END_OF_DAY, month_of, working_days_later
from cycle.settings import get_setting
from db.models import Period, Review, ReviewRow, Submission, Task
from registry.obligations import obliged_units
from status.engine import current_submissions
from status.lateness import UnitRow, obliged_unit_rows


@dataclass(frozen=True)
class ReviewStatus:
    """One unit's current report for a period and where it stands in review."""

    unit_id: int
    unit: str
    submission_id: int
    version: int
    received_at: datetime
    state: ReviewState
    review_id: int | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    reason: str = ""
    rows: tuple[int, ...] = ()  # task numbers returned for correction
    misreported: tuple[int, ...] = ()  # task numbers recorded as 报送失实
    correct_by: datetime | None = None  # for a return: the end of the last working day to correct it
    correct_note: str = ""  # set when the holiday calendar did not cover a day counted

    @property
    def returned(self) -> bool:
        return self.state in (ReviewState.RETURNED, ReviewState.RETURNED_OVERDUE)

    def as_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "version": self.version,
            "state": self.state.code,
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at.isoformat(timespec="seconds") if self.reviewed_at else None,
        }


def correction_due(session: Session, returned_at: datetime) -> tuple[datetime, str]:
    """When a report returned at ``returned_at`` must be corrected by: the end of the
    ``review_correction_days``-th working day after the day of the return."""
    day, note = working_days_later(returned_at.date(), get_setting(session, "review_correction_days"))
    return datetime.combine(day, END_OF_DAY), note


@dataclass(frozen=True)
class _Named:
    returned: list[int]
    misreported: list[int]


def _named_rows(session: Session, review_ids: list[int]) -> dict[int, _Named]:
    named: dict[int, _Named] = defaultdict(lambda: _Named([], []))
    if not review_ids:
        return named
    rows = session.exec(
        select(ReviewRow.review_id, Task.no, ReviewRow.returned, ReviewRow.misreported)
        .join(Task, col(Task.id) == ReviewRow.task_id)
        .where(col(ReviewRow.review_id).in_(review_ids))
        .order_by(col(Task.no))
    )
    for review_id, no, returned, misreported in rows:
        if returned:
            named[review_id].returned.append(no)
        if misreported:
            named[review_id].misreported.append(no)
    return named


def _current_reports(
    session: Session, period: Period, moment: datetime, unit_id: int | None
) -> tuple[list[UnitRow], dict[int, Row[Any]]]:
    """The period's obliged units (only ``unit_id`` if given) and unit id → its current report
    as of ``moment`` (``id``, ``version``, ``received_at``)."""
    units = obliged_unit_rows(session, period, unit_id)
    conditions = [col(Submission.period_id) == period.id]
    if unit_id is not None:
        conditions.append(col(Submission.unit_id) == unit_id)
    current = current_submissions(*conditions, as_of=moment)
    reports = {
        row.unit_id: row
        for row in session.execute(
            sqlalchemy.select(current.c.unit_id, current.c.id, current.c.version, current.c.received_at)
        )
    }
    return units, reports


def review_states(
    session: Session, period: Period, *, as_of: datetime | None = None, unit_id: int | None = None
) -> dict[int, ReviewStatus]:
    """unit id → the review state of its current report for ``period`` as of ``as_of`` (default
    now), for every obliged unit of the period's year that has reported (only ``unit_id`` if
    given), in the order units were registered."""
    moment = clock.now() if as_of is None else as_of
    units, reports = _current_reports(session, period, moment, unit_id)
    ids = [r.id for r in reports.values()]
    latest: dict[int, Review] = {}
    if ids:
        for one in session.exec(
            select(Review)
            .where(col(Review.submission_id).in_(ids), col(Review.reviewed_at) <= moment)
            .order_by(col(Review.reviewed_at), col(Review.id))
        ):
            latest[one.submission_id] = one
    named = _named_rows(session, [r.id for r in latest.values() if r.id is not None])
    states: dict[int, ReviewStatus] = {}
    for uid, name, _ in units:
        report = reports.get(uid)
        if report is None:
            continue
        review = latest.get(report.id)
        if review is None:
            states[uid] = ReviewStatus(uid, name, report.id, report.version, report.received_at, ReviewState.PENDING)
            continue
        state, due, note = ReviewState.of(review.decision), None, ""
        if state == ReviewState.RETURNED:
            due, note = correction_due(session, review.reviewed_at)
            if moment > due:
                state = ReviewState.RETURNED_OVERDUE
        rows = named.get(review.id or 0, _Named([], []))
        states[uid] = ReviewStatus(
            uid,
            name,
            report.id,
            report.version,
            report.received_at,
            state,
            review.id,
            review.reviewed_by,
            review.reviewed_at,
            review.reason,
            tuple(rows.returned),
            tuple(rows.misreported),
            due,
            note,
        )
    return states


def state_counts(session: Session, period: Period, *, as_of: datetime | None = None) -> dict[ReviewState, int]:
    """How many of the period's current reports are in each review state (every state listed)."""
    counts = dict.fromkeys(ReviewState, 0)
    for status in review_states(session, period, as_of=as_of).values():
        counts[status.state] += 1
    return counts


def pending_units(session: Session, period: Period, *, as_of: datetime | None = None) -> set[int]:
    """The units whose current report for the period is 待复核: the obliged units of
    ``review_states`` whose current version has no review by then, in one query that judges
    none of the reviewed ones (every dashboard asks this)."""
    moment = clock.now() if as_of is None else as_of
    current = current_submissions(col(Submission.period_id) == period.id, as_of=moment)
    reviewed = select(Review.id).where(col(Review.submission_id) == current.c.id, col(Review.reviewed_at) <= moment)
    owing = obliged_units(period.year, month_of(period))
    return set(session.exec(select(current.c.unit_id).where(current.c.unit_id.in_(owing), ~reviewed.exists())))


@dataclass(frozen=True)
class Misreport:
    """One row a review recorded as 报送失实: one occurrence, one deduction."""

    unit_id: int
    task_no: int
    version: int
    received_at: datetime
    reviewed_at: datetime
    reason: str


def misreports(session: Session, period: Period, *, as_of: datetime) -> list[Misreport]:
    """Every 报送失实 recorded by ``as_of`` on any version of the period's reports, in the order
    recorded. A row is recorded at most once per version (``office.review`` refuses a repeat)."""
    rows = session.execute(
        sqlalchemy.select(
            col(Submission.unit_id),
            col(Task.no),
            col(Submission.version),
            col(Submission.received_at),
            col(Review.reviewed_at),
            col(Review.reason),
        )
        .join(Review, col(Review.submission_id) == Submission.id)
        .join(ReviewRow, col(ReviewRow.review_id) == Review.id)
        .join(Task, col(Task.id) == ReviewRow.task_id)
        .where(
            col(Submission.period_id) == period.id,
            col(ReviewRow.misreported) == True,  # noqa: E712
            col(Review.reviewed_at) <= as_of,
        )
        .order_by(col(Review.reviewed_at), col(Review.id), col(Task.no))
    )
    return [Misreport(*row) for row in rows]
