"""Beijing time: every stored datetime is naive Asia/Shanghai wall time.

``DUBAN_NOW`` (ISO 8601) sets the system's clock to that moment when the process starts and
lets it run on from there: for rehearsals and training on a past year's data, and for tests
of a whole reporting cycle in a real browser.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def _real_now() -> datetime:
    return datetime.now(TZ).replace(tzinfo=None)


def _offset() -> timedelta:
    start = os.environ.get("DUBAN_NOW")
    return parse_moment(start) - _real_now() if start else timedelta(0)


def now() -> datetime:
    return _real_now() + _OFFSET


def to_local(moment: datetime) -> datetime:
    """An aware datetime in Beijing wall time; a naive one is taken as Beijing time already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(TZ).replace(tzinfo=None)


def parse_moment(text: str) -> datetime:
    """Parse ISO 8601 (``2023-02-05``, ``2023-02-05T18:00``, ``...+08:00``, ``...Z``)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"时间格式不正确：{text!r}，请写成 ISO 8601，例如 2023-02-05T18:00:00+08:00") from None
    return to_local(moment)


def fmt(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


_OFFSET = _offset()
