"""报送情况: who reported for a month, who was late or missing, reporting rates, the units ×
months heatmap, the chase list, exemptions and paper copies."""

import streamlit as st

from core import clock
from core.vocab import Lateness, UserRole
from office.workbench import KIND_ORDER, Filters
from ui import workbench as wb
from ui.auth import require
from ui.filters import ALL, links, url_select, url_text

actor = require(UserRole.ADMIN)
st.header("报送情况")
wb.show_flash()
code = wb.choose_period("填报月份")
view = wb.period_view(code)
period = view.period
st.caption(f"报送截止：{clock.fmt(period.due_at)}　统计时点：{clock.fmt(view.as_of)}")
links(code, ("pages/bulletin.py", "本月督查通报 →", {}))

st.subheader("报送率")
wb.rate_tables(view.rates, period.month)

st.subheader("各单位报送情况")
categories, leaders = wb.filter_choices(period.year)
c1, c2, c3, c4, c5 = st.columns([3, 1.3, 2.5, 1.5, 2])
with c1:
    statuses = wb.url_multiselect("报送状态", "status", {t.value: t.label for t in Lateness})
with c2:
    kind = url_select("单位类别", "kind", [ALL, *KIND_ORDER[:3]])
with c3:
    category = url_select("任务分类", "category", [ALL, *categories])
with c4:
    leader = url_select("责任领导", "leader", [ALL, *leaders])
with c5:
    search = url_text("搜索单位", "q", placeholder="单位名称或简称")
rows = wb.filtered(
    view,
    Filters(
        frozenset(statuses),
        None if kind == ALL else kind,
        None if category == ALL else category,
        None if leader == ALL else leader,
        search,
    ),
)
st.caption(
    f"共 {len(rows)} 个单位（应报单位 {len(view.rows)} 个）。按任务分类、责任领导筛选时，列出承担相应任务的单位。"
)
wb.status_table(rows)

heat, chase, exempt, paper = st.tabs(["各月报送热力图", "催报名单", "免报", "纸质件"])
with heat:
    with st.columns([1, 3])[0]:
        order = url_select("排序", "sort", [wb.REGISTRY_ORDER, wb.WORST_FIRST], default=wb.REGISTRY_ORDER)
    wb.heatmap_section(period.year, order)
with chase:
    wb.chase_section(view)
with exempt:
    wb.exemption_section(actor, view)
with paper:
    wb.paper_section(actor, view)
