"""督查通报: the month's key numbers, the Word bulletin and the Excel 台账 of all tasks."""

import streamlit as st

from core import clock
from core.vocab import Lateness, TaskStatus, UserRole
from office.bulletin import DOCX_MIME, ISSUER
from office.exports import XLSX_MIME
from ui import bulletin_view as bv
from ui.auth import require
from ui.filters import links
from ui.workbench import choose_period

actor = require(UserRole.ADMIN)
st.header("督查通报")
code = choose_period("通报月份")
report = bv.bulletin(code)
data = report.data
st.markdown(f"**{data.title}**")
st.caption(f"{ISSUER}　统计时点：{clock.fmt(data.as_of)}")
links(code, ("pages/reporting_status.py", "← 本月报送情况", {}))

st.subheader("任务进展")
for column, status in zip(st.columns(len(TaskStatus)), TaskStatus, strict=True):
    column.metric(status.label, data.counts[status.value])
st.subheader("报送情况")
c1, c2, c3, c4 = st.columns(4)
c1.metric("应报单位", data.rate.expected)
c2.metric("已报送", data.rate.received)
c3.metric(f"{Lateness.LATE.label}单位", len(data.late))
c4.metric(f"{Lateness.MISSING.label}单位", len(data.missing))
st.caption(f"复核：{data.review_text}")
bv.key_lists(data)

left, right = st.columns(2)
left.download_button(
    "下载督查通报（Word）",
    report.docx,
    file_name=f"督查通报-{code}.docx",
    mime=DOCX_MIME,
    type="primary",
    on_click="ignore",
    key="bulletin_docx",
)
right.download_button(
    "下载重点任务台账（Excel）",
    report.xlsx,
    file_name=f"重点任务台账-{code}.xlsx",
    mime=XLSX_MIME,
    on_click="ignore",
    key="bulletin_xlsx",
)
