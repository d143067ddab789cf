"""Changes the office makes to the reporting cycle: settings and open/closed periods, audited."""

from __future__ import annotations

from typing import Any

from accounts.access import Actor, ensure_office
from accounts.audit import audit
from cycle.periods import recompute_deadlines, set_closed
from cycle.settings import SPECS, get_setting, put_setting
from db.engine import write_session

DEADLINE_KEYS = ("deadline_day", "roll_to_workday")


def change_setting(actor: Actor, key: str, raw: Any) -> Any:
    """Store a setting; a change to the deadline rule recomputes every period's due date."""
    ensure_office(actor)
    with write_session() as session:
        before = get_setting(session, key) if key in SPECS else None
        value = put_setting(session, key, raw)
        session.flush()
        if key in DEADLINE_KEYS:
            recompute_deadlines(session)
        audit(session, actor.username, "setting_changed", {"设置": SPECS[key].label, "原值": before, "新值": value})
    return value


def set_period_open(actor: Actor, code: str, is_open: bool) -> str:
    """Open or close a period for uploads; returns its code."""
    ensure_office(actor)
    with write_session() as session:
        period = set_closed(session, code, not is_open)
        audit(session, actor.username, "period_changed", {"月份": period.code, "状态": "开放" if is_open else "关闭"})
        return period.code
