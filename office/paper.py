"""Paper copies (纸质件): each unit also delivers its report signed by its head; the office
ticks it off with the date received."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from accounts.access import Actor, ensure_office
from accounts.audit import audit
from core import clock
from cycle.periods import get_period, month_of
from db.ids import id_of
from db.models import PaperCopy
from office.exemptions import obliged_unit


class PaperCopyError(ValueError):
    """A paper copy that cannot be recorded; the message is for the user."""


def record_paper_copy(
    session: Session, actor: Actor, unit_id: int, period_code: str, received_on: date | datetime | None
) -> PaperCopy:
    """Record (or correct the date of) the paper copy of a unit's report for a period."""
    ensure_office(actor)
    period = get_period(session, period_code)
    unit = obliged_unit(session, unit_id, period)
    if received_on is None:
        raise PaperCopyError("请选择收到纸质件的日期")
    if isinstance(received_on, datetime):
        received_on = received_on.date()
    today = clock.now().date()
    if received_on > today:
        raise PaperCopyError(f"收到日期 {received_on:%Y-%m-%d} 晚于今天，请改正")
    month = month_of(period)
    if received_on < month.first_day:
        raise PaperCopyError(f"收到日期 {received_on:%Y-%m-%d} 早于{month.label}，请改正")
    row = session.get(PaperCopy, (unit_id, period.id))
    if row is None:
        row = PaperCopy(
            unit_id=unit_id,
            period_id=id_of(period),
            received_on=received_on,
            recorded_by=actor.username,
            recorded_at=clock.now(),
        )
    else:
        row.received_on, row.recorded_by, row.recorded_at = received_on, actor.username, clock.now()
    session.add(row)
    audit(session, actor.username, "paper_copy", {"单位": unit.name, "月份": period.code, "收到日期": received_on})
    return row


def clear_paper_copy(session: Session, actor: Actor, unit_id: int, period_code: str) -> None:
    """Undo a tick made by mistake."""
    ensure_office(actor)
    period = get_period(session, period_code)
    unit = obliged_unit(session, unit_id, period)
    row = session.get(PaperCopy, (unit_id, period.id))
    if row is None:
        raise PaperCopyError(f"{unit.name}的{period.code}纸质件尚未登记，无需撤销")
    session.delete(row)
    audit(session, actor.username, "paper_copy", {"单位": unit.name, "月份": period.code, "撤销登记": True})
