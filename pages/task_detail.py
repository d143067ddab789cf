"""任务详情: one task's text, leaders and units, its month-by-month timeline and every report on it."""

import pandas as pd
import streamlit as st

from core.period import Month
from core.vocab import ExpectedSource, Light, TaskStatus, UserRole
from status.dashboards import LEAD_LEADER_MARK
from ui import charts, closing_view, data
from ui.auth import require
from ui.dashboard import BY_CATEGORY, BY_LEADER, BY_UNIT, OVERVIEW, choose_period, choose_task, say_if_collecting
from ui.filters import links
from ui.inspections import task_section
from ui.tables import table

actor = require(*UserRole.accounts())
st.header("任务详情")
left, right = st.columns([1, 3])
with left:
    chosen = choose_period()
if chosen is None:
    st.stop()
period, has_data = chosen
collecting = say_if_collecting(period)
year = Month.parse(period).year
numbers = data.task_numbers(year)
if not numbers:
    st.info(f"{year} 年没有任务。")
    st.stop()
with right:
    choice = choose_task(numbers, key="task_detail_task")
found = data.task_detail(choice, year)
if found is None:
    st.error(f"{year} 年没有第 {choice} 项任务。")
    st.stop()
detail, timeline, reports, milestones, versions = found

st.subheader(f"第 {detail.no} 项 · {detail.category}")
st.markdown(detail.text)
leaders_cell, units_cell = st.columns(2)
leaders_cell.markdown(
    f"**责任领导**：{LEAD_LEADER_MARK}{detail.lead_leader}" + "".join(f"、{name}" for name in detail.assisting_leaders)
)
units_cell.markdown(f"**牵头单位**：{'、'.join(detail.lead_units)}　**配合单位**：{'、'.join(detail.co_units) or '无'}")

now = timeline[timeline["月份"] == period].iloc[0]
if has_data:
    cells = st.columns(4)
    charts.state_card(cells[0], f"{period} 完成状态", TaskStatus.of(now["完成状态"]))
    charts.state_card(cells[1], "红黄绿灯", Light.of(now["红黄绿灯"]))
    cells[2].metric("报送进度", "—" if pd.isna(now["进度"]) else f"{now['进度']:.0f}%", border=True)
    cells[3].metric(
        f"应达进度（{now['进度依据']}）",
        f"{now['应达进度']:.1f}%",
        "欠进度" if now["欠进度"] else None,
        delta_color="inverse",
        border=True,
    )
else:
    st.info(f"{period} 还没有任何单位报送，暂无本月数据。下面是全年逐月情况。")

st.markdown("#### 节点计划与逐月进度")
if milestones.empty:
    st.caption(f"这项任务没有已确认的节点计划，应达进度{ExpectedSource.CALENDAR.label}（第 M 月为 M/12）。")
else:
    st.caption(
        f"应达进度按{ExpectedSource.PLAN.label}：牵头单位已确认的节点计划中，到期节点的计划进度（节点之间保持不变）。"
    )
    table(
        milestones[["完成时限", "计划进度", "节点目标"]],
        name=f"第{detail.no}项任务节点计划",
        column_config={"计划进度": charts.progress_column("计划进度")},
        key="task_detail_milestones",
    )
if not versions.empty:
    with st.expander(f"节点计划的各个版本（{len(versions)} 版）"):
        table(
            versions,
            name=f"第{detail.no}项任务节点计划版本",
            column_config={
                "报送时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                "处理时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                "本任务的节点变化": st.column_config.TextColumn(width="large"),
            },
            key="task_detail_plan_versions",
        )
if reports.empty and milestones.empty:
    st.info(f"这项任务在 {year} 年还没有任何单位报送。")
else:
    st.plotly_chart(charts.progress_line(timeline, milestones), key="task_detail_timeline")
table(
    timeline,
    name=f"第{detail.no}项任务逐月进度",
    column_config={
        "完成状态": charts.status_column(),
        "红黄绿灯": charts.light_column(),
        "进度": charts.progress_column(),
        "应达进度": charts.expected_column(),
        "欠进度": st.column_config.CheckboxColumn(width="small"),
    },
)

closing_view.show(actor, no=detail.no, year=year)

st.markdown("#### 各单位逐月报送内容")
if not reports.empty:
    table(
        reports,
        name=f"第{detail.no}项任务各单位报送内容",
        column_config={
            "完成状态": charts.status_column(),
            "进度": charts.progress_column(),
            "本月工作进展": st.column_config.TextColumn(width="large"),
            "存在问题": st.column_config.TextColumn(width="medium"),
            "下步打算": st.column_config.TextColumn(width="medium"),
            "报送时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        },
    )
task_section(actor, detail.no, year)

targets = [
    (OVERVIEW, "← 总览", {}),
    (BY_CATEGORY, "同分类的任务 →", {"category": detail.category}),
    (BY_LEADER, f"{detail.lead_leader} 负责的任务 →", {"leader": detail.lead_leader}),
]
if detail.lead_units and not detail.lead_is_group:
    targets.append((BY_UNIT, f"{detail.lead_units[0]} 的报送 →", {"unit": detail.lead_units[0]}))
links(period, *targets)
