"""按分类: one category's tasks in a month, and its status mix month by month."""

import streamlit as st

from core.period import Month
from core.vocab import UserRole
from status.dashboards import UNREVIEWED
from ui import charts, data
from ui.auth import require
from ui.dashboard import (
    OVERVIEW,
    choose_period,
    own_tasks,
    say_expectation,
    say_if_collecting,
    say_no_data,
    say_unreviewed,
    status_summary,
    task_table,
    url_choice,
)
from ui.filters import links

actor = require(*UserRole.accounts())
st.header("按分类")
left, right = st.columns([1, 3])
with left:
    chosen = choose_period()
if chosen is None:
    st.stop()
period, has_data = chosen
collecting = say_if_collecting(period)
year = Month.parse(period).year
names = data.category_names(year)
if not names:
    st.info(f"{year} 年没有任务分类。")
    st.stop()
with right:
    category = url_choice("分类", "category", names, names[0], key="by_category_category")
if not has_data:
    say_no_data(period)
    st.stop()

tasks = data.task_table(period, category=category)
st.caption(f"{status_summary(tasks)}。完成状态以牵头单位本月最新一次报送为准。点击一行查看任务详情。")
say_expectation(tasks)
say_unreviewed(period, office=actor.role == UserRole.ADMIN)
task_table(
    tasks,
    [
        "序号",
        "主要任务",
        "完成状态",
        "红黄绿灯",
        "进度",
        "应达进度",
        "进度依据",
        "欠进度",
        "牵头单位",
        "配合单位报送",
        "本月工作进展",
        UNREVIEWED,
    ],
    period=period,
    name=f"{category}{period}任务",
    key="by_category_tasks",
    own=own_tasks(actor, period),
)
st.plotly_chart(
    charts.status_bars(data.status_trend(period, category=category), "月份", title="逐月完成状态", horizontal=False),
    key="by_category_trend",
)
links(period, (OVERVIEW, "← 返回总览", {}))
