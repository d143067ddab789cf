"""节点计划: each lead unit's yearly plan (年度节点计划). A lead unit downloads, uploads or edits
its plan and sees its state and versions; co-responsible units and leaders see the plans
read-only; the office sees every unit's state, confirms or returns, and chases. ``?year=``."""

import streamlit as st

from core.vocab import UserRole
from ui import data
from ui import plans as view
from ui.acting import acting_unit
from ui.auth import own_leader_name, require
from ui.filters import choose_year

actor = require(UserRole.ADMIN, UserRole.UNIT, UserRole.LEADER)
st.header("节点计划")
year = choose_year(default=data.collecting_year())
if year is None:
    st.info("还没有载入任务清单。")
    st.stop()
view.show_flash()

if actor.role == UserRole.UNIT:
    unit_id, unit_name = acting_unit(actor, year)
    st.subheader(f"{year} 年度本单位牵头任务的节点计划")
    view.unit_plan(actor, unit_id, unit_name, year)
    st.subheader("本单位参与的任务的节点计划")
    st.caption("由各任务的牵头单位报送，供配合单位对照推进（只读）。")
    view.plans_table(
        [p for p in view.task_plans(year, unit_id) if p.lead_unit_id != unit_id], name="参与任务的节点计划", key="co"
    )
elif actor.role == UserRole.LEADER:
    leader = own_leader_name(actor)
    own = data.own_tasks(leader, year)
    plans = view.task_plans(year)
    mine = st.toggle("只看本人分管的任务", value=bool(own), key="plan_own") if own else False
    view.plans_table([p for p in plans if not mine or p.no in own], name=f"{year}年度节点计划", key="leader")
else:
    overview, review, intake, tasks = st.tabs(["报送情况", "确认 / 退回", "代为报送", "全部任务"])
    with overview:
        view.office_overview(actor, year)
    with review:
        view.office_review(actor, year)
    with intake:
        unit_id, unit_name = acting_unit(actor, year)
        view.unit_plan(actor, unit_id, unit_name, year)
    with tasks:
        view.plans_table(view.task_plans(year), name=f"{year}年度节点计划", key="all")
