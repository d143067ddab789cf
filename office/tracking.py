"""One rule for every item a unit must answer and the office closes (a finding, a 督办单):
待整改 → 已反馈 → 已销号, or back to 待整改 with a reason; overdue while 待整改 past its due date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from accounts.access import Actor, ensure_may_answer, ensure_office
from core import clock
from core.vocab import FindingState
from intake.limits import MAX_TEXT_CHARS

MAX_REASON_CHARS = 200


class TrackingError(ValueError):
    """A step the item's state does not allow; the message is for the user."""


class Tracked(Protocol):
    unit_id: int
    due_on: date
    state: str
    reply: str
    replied_by: str | None
    replied_at: datetime | None
    returned_reason: str
    closed_by: str | None
    closed_at: datetime | None


def is_overdue(state: str, due_on: date, today: date) -> bool:
    """Past its due date with nothing (or nothing accepted) from the unit: 待整改 after the due day.
    A reply the office has not yet verified does not count as overdue."""
    return state == FindingState.OPEN and today > due_on


def clean_text(text: object, what: str, limit: int = MAX_TEXT_CHARS) -> str:
    value = str(text or "").strip()
    if not value:
        raise TrackingError(f"请填写{what}")
    if len(value) > limit:
        raise TrackingError(f"{what}不能超过 {limit} 字（现有 {len(value)} 字）")
    return value


def answer(item: Tracked, actor: Actor, text: object, *, unit_name: str, what: str) -> str:
    """The unit's reply (整改情况 / 落实情况); a new reply replaces the one sent back."""
    ensure_may_answer(actor, item.unit_id, unit_name)
    if item.state == FindingState.CLOSED:
        raise TrackingError(f"此事项已于 {clock.fmt(item.closed_at)} 销号，无需再反馈")
    value = clean_text(text, what)
    item.reply, item.state = value, FindingState.REPLIED.value
    item.replied_by, item.replied_at = actor.username, clock.now()
    item.returned_reason = ""
    return value


def close(item: Tracked, actor: Actor) -> None:
    """销号: the office has verified the reply."""
    ensure_office(actor)
    if item.state == FindingState.CLOSED:
        raise TrackingError(f"此事项已于 {clock.fmt(item.closed_at)} 销号")
    if item.state != FindingState.REPLIED:
        raise TrackingError("单位尚未反馈整改情况，不能销号：请等单位反馈并核实后再销号")
    item.state, item.closed_by, item.closed_at = FindingState.CLOSED.value, actor.username, clock.now()


def send_back(item: Tracked, actor: Actor, reason: object) -> str:
    """Not good enough: back to 待整改, with the reason the unit will see."""
    ensure_office(actor)
    if item.state != FindingState.REPLIED:
        raise TrackingError("只有已反馈、尚未销号的事项可以退回")
    value = clean_text(reason, "退回理由", MAX_REASON_CHARS)
    item.state, item.returned_reason = FindingState.OPEN.value, value
    return value
