"""Timeliness of each obliged unit's report for a period, judged as of a given moment.

Timeliness is decided by the first accepted submission, so a later correction never turns an
on-time report late. An active exemption (免报) takes precedence over everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from core.vocab import Lateness as Judgement
from cycle.periods import month_of
from db.models import Exemption, Period, Submission, Unit
from registry.obligations import obliged_units


@dataclass(frozen=True)
class Lateness:
    unit_id: int
    unit: str
    kind: str
    status: Judgement
    due: datetime
    submitted_at: datetime | None
    days_late: int | None
    exemption_reason: str = ""

    @property
    def label(self) -> str:
        return self.status.label

    def as_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "status": self.status.code,
            "due": self.due.isoformat(timespec="seconds"),
            "submitted_at": self.submitted_at.isoformat(timespec="seconds") if self.submitted_at else None,
            "days_late": self.days_late,
        }


def judge(
    due: datetime, first_submitted: datetime | None, as_of: datetime, exempt: bool
) -> tuple[Judgement, int | None]:
    """The judgement and days late for one unit and period."""
    if exempt:
        return Judgement.EXEMPT, None
    if first_submitted is not None and first_submitted <= as_of:
        if first_submitted <= due:
            return Judgement.ON_TIME, 0
        return Judgement.LATE, (first_submitted.date() - due.date()).days
    return (Judgement.MISSING, None) if as_of > due else (Judgement.NOT_DUE, None)


def days_to_due(due: datetime, as_of: datetime) -> int | None:
    """Calendar days from ``as_of`` to the deadline (0 on its day); None once it has passed.

    Counted by dates, as ``judge`` counts the days a report is late."""
    if as_of > due:
        return None
    return (due.date() - as_of.date()).days


def deadline_phrase(due: datetime, as_of: datetime) -> str:
    """已过截止, 今天截止 or 距截止 n 天, as of ``as_of``."""
    days = days_to_due(due, as_of)
    if days is None:
        return "已过截止"
    return "今天截止" if days == 0 else f"距截止 {days} 天"


def first_submissions(session: Session, period_id: int) -> dict[int, datetime]:
    rows = session.exec(
        select(Submission.unit_id, func.min(Submission.received_at))
        .where(Submission.period_id == period_id)
        .group_by(col(Submission.unit_id))
    ).all()
    return dict(rows)


def active_exemptions(session: Session, period_id: int) -> dict[int, Exemption]:
    rows = session.exec(select(Exemption).where(Exemption.period_id == period_id, col(Exemption.revoked_at).is_(None)))
    return {e.unit_id: e for e in rows}


UnitRow = tuple[int, str, str]  # id, name, kind


def obliged_unit_rows(session: Session, period: Period, unit_id: int | None = None) -> list[UnitRow]:
    """The units that owe a report for ``period`` (a task of its year not closed by then,
    ``registry.obligations``), in the order they were registered (only ``unit_id`` if given)."""
    owing = obliged_units(period.year, month_of(period))
    if unit_id is not None:
        owing = owing.where(col(Unit.id) == unit_id)
    rows = session.exec(select(Unit.id, Unit.name, Unit.kind).where(col(Unit.id).in_(owing)).order_by(col(Unit.id)))
    return [(unit_id, name, kind) for unit_id, name, kind in rows if unit_id is not None]


def lateness(session: Session, period: Period, as_of: datetime, units: list[UnitRow] | None = None) -> list[Lateness]:
    """One row per unit owing a report for the period (of those in ``units`` if given), in the
    order units were registered."""
    assert period.id is not None
    owing = obliged_unit_rows(session, period)
    if units is not None:
        wanted = {unit_id for unit_id, _, _ in units}
        owing = [unit for unit in owing if unit[0] in wanted]
    units = owing
    first = first_submissions(session, period.id)
    exemptions = active_exemptions(session, period.id)
    rows = []
    for unit_id, name, kind in units:
        exemption = exemptions.get(unit_id)
        submitted = first.get(unit_id)
        status, days = judge(period.due_at, submitted, as_of, exemption is not None)
        rows.append(
            Lateness(
                unit_id,
                name,
                kind,
                status,
                period.due_at,
                submitted if submitted is not None and submitted <= as_of else None,
                days,
                exemption.reason if exemption else "",
            )
        )
    return rows
