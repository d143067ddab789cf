"""总览: where all tasks stand in a month, and what is behind."""

import streamlit as st

from core.period import Month
from core.vocab import Lateness, Light, TaskStatus, UserRole
from status.dashboards import UNREVIEWED
from ui import charts, data
from ui.auth import own_leader_name, require
from ui.dashboard import (
    BY_CATEGORY,
    BY_LEADER,
    choose_period,
    expectation_note,
    own_tasks,
    say_if_collecting,
    say_no_data,
    say_nothing_behind,
    say_unreviewed,
    task_table,
)
from ui.filters import links
from ui.units_admin import empty_groups_warning

actor = require(*UserRole.accounts())
st.header("总览")
with st.columns([1, 3])[0]:
    chosen = choose_period()
if chosen is None:
    st.stop()
period, has_data = chosen
collecting = say_if_collecting(period)
if actor.role == UserRole.ADMIN:  # only the office can fill a group
    empty_groups_warning(Month.parse(period).year, brief=True)
if not has_data:
    say_no_data(period)
    st.stop()

summary = data.overview(period)
# Two rows, so that no label or share is cut: the total and each status; then the lights and the rate.
cells = st.columns(len(TaskStatus) + 1)
cells[0].metric("任务总数", summary.total, border=True)
for cell, status in zip(cells[1:], TaskStatus, strict=True):
    cell.metric(
        status.label,
        summary.counts[status.value],
        f"占 {summary.share(status.value):.1%}",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
light_cells = st.columns([1] * len(Light) + [1.8])
for cell, light in zip(light_cells[: len(Light)], Light, strict=True):
    cell.metric(
        light.label,
        summary.lights[light.value],
        f"占 {summary.lights[light.value] / summary.total:.1%}" if summary.total else None,
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
rate = summary.rate.on_time_rate
change = summary.on_time_change
light_cells[-1].metric(
    "按时报送率",
    "—" if rate is None else f"{rate:.1%}",
    None if change is None else f"{change:+.1f} 个百分点（较上月）",  # the sign first: a fall shows red, down
    help=(
        f"{Lateness.ON_TIME.label}报送 {summary.rate.on_time} 家 / 应报 {summary.rate.expected} 家"
        f"（不含{Lateness.EXEMPT.label}和{Lateness.NOT_DUE.label}）"
    ),
    border=True,
)
st.caption(
    f"红黄绿灯：{Light.GREEN.label}按计划推进或已完成、已办结；{Light.YELLOW.label}落后于应达进度超过"
    f" {summary.lag_margin:g} 个百分点、下月到期的节点差距较大（预警）或未报送；"
    f"{Light.RED.label}已到期的节点未完成或牵头单位报滞后。"
    f"{TaskStatus.DONE.label}与{TaskStatus.CLOSED.label}合计 {summary.finished} 项。"
)
st.caption(
    f"完成状态以牵头单位本月最新一次报送为准；牵头单位未报送的任务记为“{TaskStatus.NOT_REPORTED.label}”；"
    f"督查室确认办结的任务自次月起为“{TaskStatus.CLOSED.label}”。"
    + expectation_note(summary.planned, summary.total).replace("第 M 月为 M/12", f"本月 {summary.expected:.1f}%")
    + ("　本月数据含演示数据。" if summary.demo else "")
)
say_unreviewed(period, office=actor.role == UserRole.ADMIN)

# What is behind comes right after the key figures: on a phone the charts would push it far down.
behind = summary.behind
st.subheader(f"滞后与欠进度任务（{len(behind)} 项）")
if behind.empty:
    say_nothing_behind(summary.counts[TaskStatus.NOT_REPORTED.value], collecting=collecting)
else:
    st.caption(
        f"欠进度：报送进度低于应达进度超过 {summary.lag_margin:g} 个百分点（已完成的除外）。点击一行查看任务详情。"
    )
    task_table(
        behind,
        [
            "序号",
            "主要任务",
            "完成状态",
            "红黄绿灯",
            "进度",
            "应达进度",
            "进度依据",
            "欠进度",
            "牵头领导",
            "牵头单位",
            UNREVIEWED,
        ],
        period=period,
        name=f"{period}滞后与欠进度任务",
        key="overview_behind",
        own=own_tasks(actor, period),
    )

left, right = st.columns(2)
with left:
    st.plotly_chart(
        charts.status_bars(summary.by_category, "分组", title="按分类"),
        key="overview_by_category",
    )
with right:
    st.plotly_chart(
        charts.status_bars(summary.by_leader, "分组", title="按牵头领导"),
        key="overview_by_leader",
    )
own = own_leader_name(actor)
mine = [(BY_LEADER, f"我负责的任务（{own}）→", {"leader": own})] if own else []
links(period, (BY_CATEGORY, "按分类查看 →", {}), (BY_LEADER, "按领导查看 →", {}), *mine)
