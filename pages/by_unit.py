"""按单位: a unit's tasks with what it reported, and its reporting record month by month."""

import streamlit as st

from core.period import Month
from core.vocab import Responsibility, UserRole
from ui import charts, data
from ui.auth import require
from ui.dashboard import (
    OVERVIEW,
    choose_period,
    own_tasks,
    say_expectation,
    say_if_collecting,
    say_no_data,
    task_table,
    url_choice,
)
from ui.filters import links
from ui.review import show_returns
from ui.tables import table

actor = require(*UserRole.accounts())
st.header("按单位")
left, right = st.columns([1, 3])
with left:
    chosen = choose_period()
if chosen is None:
    st.stop()
period, has_data = chosen
collecting = say_if_collecting(period)
year = Month.parse(period).year
units = dict(data.reporting_units(year))
if actor.role == UserRole.UNIT:
    units = {uid: name for uid, name in units.items() if uid == actor.unit_id}
if not units:
    st.info(
        f"{year} 年没有需要报送的单位。" if actor.role != UserRole.UNIT else f"本单位在 {year} 年没有需要报送的任务。"
    )
    st.stop()
ids = {name: uid for uid, name in units.items()}
default = units[actor.unit_id] if actor.unit_id in units else next(iter(ids))
with right:
    unit = url_choice("责任单位", "unit", list(ids), default, key="by_unit_unit")
unit_id = ids[unit]
show_returns(actor, unit_id, year)

st.subheader(f"{year} 年逐月报送情况")
table(
    data.unit_record(unit_id, year),
    name=f"{unit}{year}年逐月报送情况",
    column_config={"报送情况": charts.lateness_column()},
)

st.subheader(f"{period} 本单位负责的任务")
if not has_data:
    say_no_data(period)
    st.stop()
tasks = data.unit_tasks(unit_id, period)
lead, co = Responsibility.LEAD, Responsibility.CO
lead_count = int((tasks["责任类型"] == lead.value).sum())
st.caption(
    f"{lead.label} {lead_count} 项，{co.label} {len(tasks) - lead_count} 项。"
    "“本单位报送状态”是本单位本月最新一次报送所填；"
    "“任务完成状态”以牵头单位的报送为准。点击一行查看任务详情。"
)
say_expectation(tasks)
task_table(
    tasks,
    [
        "序号",
        "责任类型",
        "主要任务",
        "本单位报送状态",
        "本单位进度",
        "任务完成状态",
        "红黄绿灯",
        "应达进度",
        "进度依据",
        "本月工作进展",
        "存在问题",
        "下步打算",
    ],
    period=period,
    name=f"{unit}{period}负责的任务",
    key="by_unit_tasks",
    own=own_tasks(actor, period),
)
links(period, (OVERVIEW, "← 返回总览", {}))
