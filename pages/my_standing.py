"""本单位情况: the signed-in unit's year in one place: returns to correct, its reporting record,
its 节点计划, its deductions with each item in words and its appeals, and what inspections and
leaders asked of it."""

import streamlit as st

from core.vocab import UserRole
from ui import data, my_standing, plans
from ui.auth import require
from ui.cycle import unit_name
from ui.filters import choose_year
from ui.inspections import unit_items
from ui.review import show_returns
from ui.workbench import show_flash

actor = require(UserRole.UNIT)
st.header("本单位情况")
show_flash()
if actor.unit_id is None:
    st.error("本账号没有对应的单位，请联系督查室。")
    st.stop()
with st.columns([1, 3])[0]:
    year = choose_year()
if year is None:
    st.info("任务清单为空，请联系督查室。")
    st.stop()
unit = unit_name(actor.unit_id)
if actor.unit_id not in dict(data.reporting_units(year)):
    st.info(f"{unit}在 {year} 年没有需要报送的任务，也没有扣分。")
    st.stop()
show_returns(actor, actor.unit_id, year)
st.subheader(f"{unit} {year} 年逐月报送情况")
my_standing.record(actor.unit_id, unit, year)
plan = plans.states(year).get(actor.unit_id)
if plan is not None:
    st.markdown(f"**{year} 年节点计划**：{plans.state_text(plan)}")
    st.page_link("pages/plans.py", label="查看或报送节点计划 →", query_params={"year": str(year)})
st.subheader(f"{year} 年考核扣分")
my_standing.deductions(actor, actor.unit_id, year)
st.subheader("督查督导与领导批示")
unit_items(actor, year)
