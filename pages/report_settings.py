"""报送设置: the deadline rule, and each period's due date and whether it accepts uploads."""

import streamlit as st

from core.vocab import UserRole
from ui import cycle
from ui.auth import require
from ui.filters import choose_year
from ui.report_settings import deadline_form, period_switch, period_table, show_flash

actor = require(UserRole.ADMIN)
st.header("报送设置")
show_flash()
deadline_form(actor)
st.subheader("各月份报送截止时间")
with st.columns([1, 3])[0]:
    year = choose_year()
periods = cycle.periods(year) if year else []
period_table(periods)
period_switch(actor, periods)
