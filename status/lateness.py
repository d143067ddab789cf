"""Timeliness of each obliged unit's report for a period, judged as of a given moment.

Timeliness is decided by the first accepted submission, so a later correction never turns an
on-time report late. An active exemption (免报) takes precedence over everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from core.vocab import LATENESS_LABELS
from db.models import Exemption, Period, Submission, Unit
from registry.obligations import obligations


@dataclass(frozen=True)
class Lateness:
    unit_id: int
    unit: str
    kind: str
    status: str  # on_time / late / missing / not_due / exempt
    due: datetime
    submitted_at: datetime | None
    days_late: int | None
    exemption_reason: str = ""

    @property
    def label(self) -> str:
        return LATENESS_LABELS[self.status]

    def as_json(self) -> dict:
        return {
            "unit": self.unit,
            "status": self.status,
            "due": self.due.isoformat(timespec="seconds"),
            "submitted_at": self.submitted_at.isoformat(timespec="seconds") if self.submitted_at else None,
            "days_late": self.days_late,
        }


def judge(due: datetime, first_submitted: datetime | None, as_of: datetime, exempt: bool) -> tuple[str, int | None]:
    """The status code and days late for one unit and period."""
    if exempt:
        return "exempt", None
    if first_submitted is not None and first_submitted <= as_of:
        if first_submitted <= due:
            return "on_time", 0
        return "late", (first_submitted.date() - due.date()).days
    return ("missing", None) if as_of > due else ("not_due", None)


def first_submissions(session: Session, period_id: int) -> dict[int, datetime]:
    rows = session.exec(
        select(Submission.unit_id, func.min(Submission.received_at))
        .where(Submission.period_id == period_id)
        .group_by(Submission.unit_id)
    ).all()
    return dict(rows)


def active_exemptions(session: Session, period_id: int) -> dict[int, Exemption]:
    rows = session.exec(
        select(Exemption).where(Exemption.period_id == period_id, Exemption.revoked_at.is_(None))  # type: ignore[union-attr]
    )
    return {e.unit_id: e for e in rows}


def lateness(session: Session, period: Period, as_of: datetime) -> list[Lateness]:
    """One row per obliged unit, in the order units were registered."""
    obliged = obligations(session, period.year)
    units = session.exec(select(Unit).where(Unit.id.in_(list(obliged))).order_by(Unit.id)).all()  # type: ignore[union-attr]
    first = first_submissions(session, period.id)
    exemptions = active_exemptions(session, period.id)
    rows = []
    for unit in units:
        exemption = exemptions.get(unit.id)
        submitted = first.get(unit.id)
        status, days = judge(period.due_at, submitted, as_of, exemption is not None)
        rows.append(
            Lateness(
                unit.id,
                unit.name,
                unit.kind,
                status,
                period.due_at,
                submitted if submitted is not None and submitted <= as_of else None,
                days,
                exemption.reason if exemption else "",
            )
        )
    return rows
