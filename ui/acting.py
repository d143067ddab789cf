"""Which unit a reporting page acts for; the one place that choice is made.

A unit account always acts for its own unit. The office picks the unit it acts for, and on the
upload page may record a file that came through the document platform, with its received time.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from accounts.access import Actor
from core import clock
from core.vocab import UserRole
from ui import cycle


def acting_unit(actor: Actor, year: int) -> tuple[int, str]:
    """(unit id, unit name) this page acts for; the office picks among the units that have tasks
    to report on in ``year``."""
    if actor.role == UserRole.UNIT:
        if actor.unit_id is None:
            st.error("当前账号没有关联责任单位，请联系督查室。")
            st.stop()
        name = cycle.unit_name(actor.unit_id)
        st.caption(f"报送单位：**{name}**")
        return actor.unit_id, name
    units = cycle.reporting_units(year)
    if not units:
        st.info(f"{year} 年没有需要报送的单位。请先运行 python cli.py init 载入任务清单。")
        st.stop()
    ids = {name: unit_id for unit_id, name in units}
    name = st.selectbox("报送单位（督查室代单位操作）", list(ids), key="acting_unit")
    return ids[name], name


def office_intake(actor: Actor) -> tuple[bool, datetime | None]:
    """(on behalf, received time): the office's uploads are always recorded as made on the
    unit's behalf; a file from the document platform counts from the time it was received."""
    if not actor.is_office:
        return False, None
    platform = st.checkbox(
        "代为录入（公文平台来件）",
        key="intake_platform",
        help="督查室上传的月报一律记为“代为录入”；公文平台来件请填写收件时间，按收件时间判断是否按时。",
    )
    if not platform:
        return True, None
    now = clock.now()
    left, right = st.columns(2)
    day = left.date_input("收件日期", value=now.date(), max_value=now.date(), key="intake_date")
    moment = right.time_input("收件时间", value=now.time().replace(second=0, microsecond=0), key="intake_time")
    return True, datetime.combine(day, moment)
