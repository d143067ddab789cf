"""The reference page of the benchmark: the same kinds of elements as the dashboards (five
metrics, two plotly bar charts, a 125-row table with a progress column), all from constants and
drawn the same way (figures as plain dicts)."""

import pandas as pd
import streamlit as st

STATUSES = ("已完成", "序时推进", "滞后", "未启动", "未报送")
COLORS = ("#2E7D32", "#1565C0", "#C62828", "#9E9E9E", "#F9A825")
GROUPS = [f"第{i}组" for i in range(1, 11)]

st.header("参照页")
for cell, (status, n) in zip(st.columns(5), zip(STATUSES, (20, 70, 15, 5, 15), strict=True), strict=True):
    cell.metric(status, f"{n} 项", f"占 {n / 125:.1%}", delta_color="off", delta_arrow="off", border=True)

for column, title in zip(st.columns(2), ("按分类", "按牵头领导"), strict=True):
    traces = [
        {
            "type": "bar",
            "x": [(i + j) % 7 + 1 for j in range(len(GROUPS))],
            "y": GROUPS,
            "orientation": "h",
            "name": status,
            "marker": {"color": color},
            "hovertemplate": f"%{{y}}<br>{status}：%{{x}} 项<extra></extra>",
        }
        for i, (status, color) in enumerate(zip(STATUSES, COLORS, strict=True))
    ]
    with column:
        st.plotly_chart({"data": traces, "layout": {"title": {"text": title}, "barmode": "stack", "height": 450}})

table = pd.DataFrame(
    {
        "序号": range(1, 126),
        "主要任务": [f"第{i}项重点任务的内容说明，" * 3 for i in range(1, 126)],
        "完成状态": [STATUSES[i % 5] for i in range(125)],
        "进度": [(i * 7) % 101 for i in range(125)],
        "牵头单位": [f"单位{i % 40}" for i in range(125)],
    }
)
st.dataframe(
    table,
    hide_index=True,
    column_config={"进度": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f%%")},
)
