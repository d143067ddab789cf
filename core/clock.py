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
# The moments a user may give (``--as-of``, ``DUBAN_NOW``, a received time). Wide enough for any
# real use, and far enough from datetime's own limits that a day or a year can be added.
EARLIEST = datetime(1900, 1, 1)
LATEST = datetime(9000, 12, 31, 23, 59, 59)


def _real_now() -> datetime:
    return datetime.now(TZ).replace(tzinfo=None)


class ClockError(ValueError):
    """``DUBAN_NOW`` is set to something that is not a moment; the message says how to fix it."""


def _offset() -> timedelta | ClockError:
    """How far the system's clock is from the real one; a bad ``DUBAN_NOW`` is kept as the
    error, raised by ``now``, so importing this module never fails."""
    start = os.environ.get("DUBAN_NOW")
    if not start:
        return timedelta(0)
    try:
        return parse_moment(start) - _real_now()
    except (ValueError, OverflowError):
        return ClockError(
            f"环境变量 DUBAN_NOW 的值 {start!r} 不是有效的时刻：请写成 ISO 8601，"
            "例如 DUBAN_NOW=2023-04-03T10:00:00+08:00；正式使用时不要设置"
        )


def check() -> None:
    """Raise ``ClockError`` when ``DUBAN_NOW`` is not a valid moment."""
    if isinstance(_OFFSET, ClockError):
        raise _OFFSET


def now() -> datetime:
    if isinstance(_OFFSET, ClockError):
        raise _OFFSET
    try:
        return _real_now() + _OFFSET
    except OverflowError:
        raise ClockError("环境变量 DUBAN_NOW 太接近公元 1 年或 9999 年，系统时钟越过了可表示的范围") from None


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
    try:
        local = to_local(moment)
    except OverflowError:  # 9999-12-31T23:59-12:00 is past datetime's last moment in Beijing
        local = LATEST + timedelta(days=1)
    if not EARLIEST <= local <= LATEST:
        raise ValueError(
            f"时间超出范围：{text!r}，请写 {EARLIEST.year} 年至 {LATEST.year} 年之间的时刻，"
            "例如 2023-02-05T18:00:00+08:00"
        )
    return local


def fmt(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


_OFFSET = _offset()
