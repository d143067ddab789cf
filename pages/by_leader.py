"""按领导: the tasks a leader leads (▲) and those they assist, their status mix and what is behind."""

import pandas as pd
import streamlit as st

from core.period import Month
from core.vocab import TaskStatus, UserRole
from status.dashboards import LEADING, UNREVIEWED
from ui import charts, data
from ui.auth import own_leader_name, require
from ui.dashboard import (
    OVERVIEW,
    choose_period,
    own_tasks,
    say_expectation,
    say_if_collecting,
    say_no_data,
    say_nothing_behind,
    say_unreviewed,
    status_summary,
    task_table,
    url_choice,
)
from ui.filters import links
from ui.inspections import leader_section

actor = require(*UserRole.accounts())
st.header("按领导")
left, right = st.columns([1, 3])
with left:
    chosen = choose_period()
if chosen is None:
    st.stop()
period, has_data = chosen
collecting = say_if_collecting(period)
year = Month.parse(period).year
names = data.leader_names(year)
if not names:
    st.info(f"{year} 年的任务清单中没有责任领导。")
    st.stop()
own = own_leader_name(actor)
with right:
    leader = url_choice("责任领导", "leader", names, own if own in names else names[0], key="by_leader_leader")
if not has_data:
    say_no_data(period)
    st.stop()

tasks = data.leader_tasks(period, leader)
others = own_tasks(actor, period) if leader != own else frozenset()  # one's own page: all are own
st.plotly_chart(
    charts.status_bars(tasks.mix, "分组", title=f"{leader} 负责任务的完成状态"),
    key="by_leader_mix",
)

st.subheader(f"滞后与欠进度（{len(tasks.behind)} 项）")
if tasks.behind.empty:
    not_reported = sum(
        (frame["完成状态"] == TaskStatus.NOT_REPORTED.value).sum() for frame in (tasks.leading, tasks.assisting)
    )
    say_nothing_behind(int(not_reported), collecting=collecting)
else:
    task_table(
        tasks.behind,
        ["序号", "职责", "主要任务", "完成状态", "红黄绿灯", "进度", "应达进度", "进度依据", "欠进度", "牵头单位"],
        period=period,
        name=f"{leader}{period}滞后与欠进度任务",
        key="by_leader_behind",
        own=others,
    )

columns = [
    "序号",
    "分类",
    "主要任务",
    "完成状态",
    "红黄绿灯",
    "进度",
    "应达进度",
    "进度依据",
    "欠进度",
    "牵头单位",
    "本月工作进展",
    UNREVIEWED,
]
say_unreviewed(period, office=actor.role == UserRole.ADMIN)
st.subheader(f"{LEADING}的任务（{status_summary(tasks.leading)}）")
task_table(
    tasks.leading, columns, period=period, name=f"{leader}{period}牵头的任务", key="by_leader_leading", own=others
)
st.subheader(f"协助的任务（{status_summary(tasks.assisting)}）")
task_table(
    tasks.assisting, columns, period=period, name=f"{leader}{period}协助的任务", key="by_leader_assisting", own=others
)
st.caption("完成状态以牵头单位本月最新一次报送为准。点击一行查看任务详情。")
say_expectation(pd.concat([tasks.leading, tasks.assisting]))
leader_section(actor, leader, year)
links(period, (OVERVIEW, "← 返回总览", {}))
