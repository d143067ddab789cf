"""The office's work on the plans (年度节点计划): confirming (确认) or returning (退回) a unit's
latest submitted version, and the units to chase (missing, waiting or returned plans).

A confirmed plan changes only by a new version confirmed again (计划调整); every version is
kept. Each decision is audited in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from accounts.access import Actor, ensure_office
from accounts.audit import audit
from core import clock
from core.vocab import PlanState
from db.models import TaskPlan, Unit
from status.engine import current_reports
from status.plans import CHASED_STATES, plan_due, plan_overdue, plan_states


class PlanDecisionError(ValueError):
    """The plan cannot be confirmed or returned as asked; the message is for the user."""


def _waiting(session: Session, unit_id: int, year: int) -> tuple[Unit, TaskPlan]:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise PlanDecisionError("没有这个单位")
    latest = session.exec(
        select(TaskPlan)
        .where(TaskPlan.unit_id == unit_id, TaskPlan.year == year)
        .order_by(col(TaskPlan.version).desc())
        .limit(1)
        .with_for_update()
    ).first()
    if latest is None:
        raise PlanDecisionError(f"{unit.name} 尚未报送 {year} 年度节点计划")
    if latest.state != PlanState.SUBMITTED:
        raise PlanDecisionError(
            f"{unit.name} {year} 年度节点计划的最新版本（第 {latest.version} 版）{PlanState.of(latest.state).label}，"
            "没有待确认的版本"
        )
    return unit, latest


def confirm_plan(session: Session, *, unit_id: int, year: int, actor: Actor) -> TaskPlan:
    """Confirm the unit's latest version for ``year`` (it must be waiting): from now on it is
    the plan progress is judged against."""
    ensure_office(actor)
    unit, plan = _waiting(session, unit_id, year)
    plan.state = PlanState.CONFIRMED
    plan.decided_by = actor.username
    plan.decided_at = clock.now()
    audit(session, actor.username, "plan_confirmed", {"单位": unit.name, "年度": year, "版本": plan.version})
    return plan


def return_plan(session: Session, *, unit_id: int, year: int, reason: str, actor: Actor) -> TaskPlan:
    """Return the unit's latest version for ``year`` (it must be waiting) with a reason; an
    earlier confirmed version, if any, still counts."""
    ensure_office(actor)
    reason = reason.strip()
    if not reason:
        raise PlanDecisionError("请填写退回原因，告诉单位需要怎样修改")
    unit, plan = _waiting(session, unit_id, year)
    plan.state = PlanState.RETURNED
    plan.decided_by = actor.username
    plan.decided_at = clock.now()
    plan.return_reason = reason
    audit(
        session,
        actor.username,
        "plan_returned",
        {"单位": unit.name, "年度": year, "版本": plan.version, "原因": reason},
    )
    return plan


# --- the units to chase -----------------------------------------------------------------

OPEN_STATES = (PlanState.MISSING, PlanState.RETURNED, PlanState.SUBMITTED)


@dataclass(frozen=True)
class PlanChaseRow:
    unit_id: int
    unit: str
    state: PlanState
    version: int | None
    received_at: datetime | None
    return_reason: str
    overdue: bool  # past the deadline and still missing or returned
    filler: str
    phone: str

    @property
    def contact(self) -> str:
        return "　".join(part for part in (self.filler, self.phone) if part) or "（无报送记录，暂无联系人）"


def plan_chase(session: Session, *, year: int, today: date) -> list[PlanChaseRow]:
    """The lead units whose plan for ``year`` is missing, returned or waiting for the office,
    in that order, then by name; with the contact from their last monthly report."""
    due = plan_due(session, year=year)
    contacts = current_reports(session, as_of=None, period_id=None)
    rows = []
    for state in plan_states(session, year=year).values():
        if state.state not in OPEN_STATES:
            continue
        last = contacts.get(state.unit_id)
        rows.append(
            PlanChaseRow(
                state.unit_id,
                state.unit_name,
                state.state,
                state.version,
                state.received_at,
                state.return_reason,
                plan_overdue(state.state, due=due, today=today),
                last.filler if last else "",
                last.phone if last else "",
            )
        )
    return sorted(rows, key=lambda r: (OPEN_STATES.index(r.state), r.unit))


def plan_chase_text(year: int, due: date, rows: list[PlanChaseRow]) -> str:
    """The units to chase (missing or returned plans) as plain text to paste into a message."""
    chased = [r for r in rows if r.state in CHASED_STATES]
    head = f"{year}年度节点计划报送截止时间为{due:%Y年%-m月%-d日}"
    if not chased:
        return f"{head}，全部牵头单位均已报送。"
    lines = [f"{head}，以下 {len(chased)} 个单位尚未报送或计划被退回，请抓紧报送："]
    lines += [
        f"{i}. {r.unit}（{r.state.label}{'，已逾期' if r.overdue else ''}）　{r.contact}"
        for i, r in enumerate(chased, 1)
    ]
    return "\n".join(lines)
