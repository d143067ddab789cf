"""免报: the office exempts a unit from one month's report, with a reason; revocable. Who
granted or revoked it and when are kept, and every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from accounts.access import Actor, ensure_office
from accounts.audit import audit
from core import clock
from cycle.periods import get_period, month_of
from db.ids import id_of
from db.models import Exemption, Period, Unit
from registry.obligations import obligations

MAX_REASON_CHARS = 200


class ExemptionError(ValueError):
    """An exemption that cannot be granted or revoked; the message is for the user."""


@dataclass(frozen=True)
class ExemptionView:
    id: int
    unit_id: int
    unit: str
    period: str
    reason: str
    granted_by: str
    granted_at: datetime
    revoked_by: str | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def obliged_unit(session: Session, unit_id: int, period: Period) -> Unit:
    """The unit, if it has tasks to report on in the period's year."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise ExemptionError("没有这个单位，请刷新页面后重新选择")
    if unit_id not in obligations(session, period.year, month_of(period)):
        raise ExemptionError(f"{unit.name}在{period.code}没有需要报送的任务")
    return unit


def _view(row: Exemption, unit: str, period: str) -> ExemptionView:
    return ExemptionView(
        id_of(row),
        row.unit_id,
        unit,
        period,
        row.reason,
        row.granted_by,
        row.granted_at,
        row.revoked_by,
        row.revoked_at,
    )


def grant_exemption(session: Session, actor: Actor, unit_id: int, period_code: str, reason: str) -> ExemptionView:
    ensure_office(actor)
    period = get_period(session, period_code)
    unit = obliged_unit(session, unit_id, period)
    reason = str(reason or "").strip()
    if not reason:
        raise ExemptionError("请填写免报理由，例如“机构调整，本月无工作进展”")
    if len(reason) > MAX_REASON_CHARS:
        raise ExemptionError(f"免报理由不能超过 {MAX_REASON_CHARS} 字（现有 {len(reason)} 字）")
    active = session.exec(
        select(Exemption).where(
            Exemption.unit_id == unit_id,
            Exemption.period_id == period.id,
            col(Exemption.revoked_at).is_(None),
        )
    ).first()
    if active is not None:
        raise ExemptionError(f"{unit.name}的{period.code}月报已经免报（{active.reason}），无需重复办理")
    row = Exemption(
        unit_id=unit_id, period_id=id_of(period), reason=reason, granted_by=actor.username, granted_at=clock.now()
    )
    session.add(row)
    session.flush()
    audit(session, actor.username, "exemption_granted", {"单位": unit.name, "月份": period.code, "理由": reason})
    return _view(row, unit.name, period.code)


def revoke_exemption(session: Session, actor: Actor, exemption_id: int) -> ExemptionView:
    ensure_office(actor)
    row = session.get(Exemption, exemption_id)
    if row is None:
        raise ExemptionError("没有这条免报记录，请刷新页面")
    unit = session.get(Unit, row.unit_id)
    period = session.get(Period, row.period_id)
    name, code = (unit.name if unit else ""), (period.code if period else "")
    if row.revoked_at is not None:
        raise ExemptionError(f"{name}的{code}免报已于 {clock.fmt(row.revoked_at)} 撤销")
    row.revoked_by, row.revoked_at = actor.username, clock.now()
    session.add(row)
    audit(session, actor.username, "exemption_revoked", {"单位": name, "月份": code, "原理由": row.reason})
    return _view(row, name, code)


def exemptions(session: Session, period_code: str | None = None) -> list[ExemptionView]:
    """Exemptions, active and revoked, newest first; of one period if given."""
    query = select(Exemption, Unit.name, Period.code).join(Unit, col(Unit.id) == Exemption.unit_id)
    query = query.join(Period, col(Period.id) == Exemption.period_id)
    if period_code is not None:
        query = query.where(Period.id == get_period(session, period_code).id)
    rows = session.exec(query.order_by(col(Exemption.granted_at).desc(), col(Exemption.id).desc()))
    return [_view(row, unit, code) for row, unit, code in rows]
