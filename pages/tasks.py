"""任务清单: every task with filters by category, leader, unit and text."""

import streamlit as st

from core.vocab import LEAD_LEADER_MARK, UserRole
from ui import data
from ui.auth import own_leader_name, require
from ui.dashboard import OWN_TASKS_NOTE, highlighted
from ui.filters import ALL, choose_year, url_select, url_text
from ui.tables import table

actor = require(*UserRole.accounts())
st.header("任务清单")
with st.columns([1, 3])[0]:
    year = choose_year()
if year is None:
    st.info("任务清单为空。请运行 python cli.py init 载入任务。")
    st.stop()
frame = data.task_frame(year)

units = sorted({u for row in frame["units"] for u in row})
c1, c2, c3, c4 = st.columns([3, 2, 3, 3])
with c1:
    category = url_select("分类", "category", [ALL, *frame["分类"].unique()])
with c2:
    leader = url_select("责任领导（牵头或协助）", "leader", [ALL, *data.leader_names(year)])
with c3:
    unit = url_select("责任单位（牵头或配合）", "unit", [ALL, *units])
with c4:
    search = url_text("搜索任务内容", "q", placeholder="输入关键词，例如 招商")

shown = frame
if category != ALL:
    shown = shown[shown["分类"] == category]
if leader != ALL:
    shown = shown[shown["leaders"].map(lambda names: leader in names)]
if unit != ALL:
    shown = shown[shown["units"].map(lambda names: unit in names)]
if search:
    shown = shown[shown["主要任务"].str.contains(search, regex=False)]

st.caption(
    f"共 {len(shown)} 项（{year} 年全部 {len(frame)} 项）。"
    f"{LEAD_LEADER_MARK} 为牵头责任领导；牵头单位为排在首位的责任单位。"
)
listed = shown[["序号", "分类简称", "主要任务", "牵头领导", "协助领导", "牵头单位", "配合单位"]].rename(
    columns={"分类简称": "分类", "牵头领导": f"{LEAD_LEADER_MARK}牵头领导"}
)
mine = highlighted(listed, data.own_tasks(own_leader_name(actor), year))
if mine is not None:
    st.caption(OWN_TASKS_NOTE)
table(
    listed,
    styled=mine,
    name=f"{year}年任务清单",
    column_config={
        "序号": st.column_config.NumberColumn(width="small"),
        "主要任务": st.column_config.TextColumn(width="large"),
    },
)
