"""考核扣分: the rules, each unit's deductions for the year with their evidence, appeals and
the office's decisions, and the Excel export."""

import streamlit as st

from core import clock
from core.vocab import UserRole
from ui import deductions as ded
from ui.auth import require
from ui.filters import choose_year, url_select
from ui.workbench import show_flash

actor = require(UserRole.ADMIN)
st.header("考核扣分")
show_flash()
with st.columns([1, 3])[0]:
    year = choose_year()
if year is None:
    st.info("任务清单为空。请运行 python cli.py init 载入任务。")
    st.stop()
view = ded.ledger_view(year)

st.subheader("扣分标准")
ded.rules_form(actor, view.rules)

st.subheader(f"{year}年各单位扣分")
st.caption(f"统计时点：{clock.fmt(view.as_of)}。扣分计入年度目标管理考核“推进工作落实”项；申诉核减的扣分不计。")
only_deducted = st.toggle("只看有扣分的单位", value=True, key="only_deducted")
ded.summary_table(view, only_deducted)
ded.export_button(view)

st.subheader("单位扣分明细与申诉")
names = {one.unit_id: one.unit for one in view.ledgers}
if names:
    with st.columns([1, 2])[0]:
        unit_name = url_select("单位", "unit", list(names.values()), default=next(iter(names.values())))
    unit = next(one for one in view.ledgers if one.unit == unit_name)
    ded.unit_ledger(unit)
    ded.appeal_form(actor, view, unit)

st.subheader("申诉处理")
ded.appeals_table(view, names)
ded.decide_form(actor, view, names)
