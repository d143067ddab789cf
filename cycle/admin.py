"""Changes the office makes to the reporting cycle: settings and open/closed periods, audited.

Each function works in the caller's transaction (``with write_session() as session: ...``), so
a change, the deadlines it recomputes and its audit entry land together or not at all.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from accounts.access import Actor, ensure_office
from accounts.audit import audit
from core.period import Month
from cycle.periods import recompute_deadlines, set_closed
from cycle.settings import SPECS, get_setting, parse_value, put_setting

DEADLINE_KEYS = ("deadline_day", "roll_to_workday")


def _store(session: Session, *, key: str, value: Any, actor: Actor) -> None:
    """Store a checked value, auditing it when it differs from the one it replaces."""
    before = get_setting(session, key)
    put_setting(session, key, value)
    if value != before:
        audit(session, actor.username, "setting_changed", {"设置": SPECS[key].label, "原值": before, "新值": value})


def change_setting(session: Session, *, key: str, value: Any, actor: Actor) -> Any:
    """Check and store one setting (ValueError in Chinese if the key or value is wrong); a
    deadline setting recomputes every period's due date. Returns the value as stored."""
    ensure_office(actor)
    checked = parse_value(key, str(value))
    _store(session, key=key, value=checked, actor=actor)
    if key in DEADLINE_KEYS:
        session.flush()
        recompute_deadlines(session)
    return checked


def change_deadline_rule(session: Session, *, day: Any, roll_to_workday: Any, actor: Actor) -> None:
    """Set the whole deadline rule, both the day and the holiday roll (the 报送设置 form): both
    values are checked before either is stored, and every period's due date is recomputed once."""
    ensure_office(actor)
    checked = {"deadline_day": parse_value("deadline_day", str(day))}
    checked["roll_to_workday"] = parse_value("roll_to_workday", str(roll_to_workday))
    for key, value in checked.items():
        _store(session, key=key, value=value, actor=actor)
    session.flush()
    recompute_deadlines(session)


def set_period_open(session: Session, *, period: str | Month, is_open: bool, actor: Actor) -> str:
    """Open or close a period for uploads; returns its code."""
    ensure_office(actor)
    row = set_closed(session, period=period, closed=not is_open)
    audit(session, actor.username, "period_changed", {"月份": row.code, "状态": "开放" if is_open else "关闭"})
    return row.code
