"""督查通报: the month's key numbers, a preview of the bulletin with the office's own additions,
issuing it (签发并下载) and the Excel 台账 of all tasks."""

import streamlit as st

from core import clock
from core.vocab import Lateness, TaskStatus, UserRole
from office.bulletin import ADDITION_LABELS, DOCX_MIME, DRAFT_MARK, ISSUER, MAX_ADDITION_CHARS, Additions, BulletinError
from office.exports import XLSX_MIME
from ui import bulletin_view as bv
from ui.auth import require
from ui.filters import links
from ui.workbench import choose_period

actor = require(UserRole.ADMIN)
st.header("督查通报")
code = choose_period("通报月份")

HINTS = {
    "remarks": "写在“下步要求”之首，例如：总的看，各单位能够按序时推进……下一步，请各单位……",
    "praise": "单列“表扬与批评”一节，例如：区交通运输局、岩寺镇报送及时、内容翔实，予以通报表扬。",
    "criticism": "例如：个别单位连续漏报，报送内容与上月雷同，予以通报批评。",
}
# The additions as last submitted in the form below (its widgets keep them in the session).
problem = None
try:
    additions = Additions(**{key: st.session_state.get(f"{key}_{code}", "") for key in ADDITION_LABELS}).cleaned()
except BulletinError as exc:
    additions, problem = Additions(), str(exc)
report = bv.bulletin(code, additions)
data = report.data

st.markdown(f"**{data.title}**")
if report.issued is not None:
    done = report.issued
    st.success(
        f"本月通报已签发：{data.year}年第{done.number}期，{clock.fmt(done.issued_at)} 由 {done.issued_by} 签发。"
        "下载得到的是签发时的文件。"
    )
else:
    st.caption(f"{ISSUER}　统计时点：{clock.fmt(data.as_of)}　尚未签发：签发后为{data.year}年第{report.number}期")
links(code, ("pages/reporting_status.py", "← 本月报送情况", {}))

st.subheader("任务进展")
for column, status in zip(st.columns(len(TaskStatus)), TaskStatus, strict=True):
    column.metric(status.label, data.counts[status])
st.subheader("报送情况")
c1, c2, c3, c4 = st.columns(4)
c1.metric("应报单位", data.rate.expected)
c2.metric("已报送", data.rate.received)
c3.metric(f"{Lateness.LATE.label}单位", len(data.late))
c4.metric(f"{Lateness.MISSING.label}单位", len(data.missing))
st.caption(f"复核：{data.review_text}")

if report.issued is None:
    st.subheader("督查室意见")
    with st.form(f"additions_{code}"):
        st.caption("写入通报的相应位置；留空则不写。修改后点“更新预览”，签发的就是下方预览的内容。")
        for key, label in ADDITION_LABELS.items():
            st.text_area(label, key=f"{key}_{code}", max_chars=MAX_ADDITION_CHARS, placeholder=HINTS[key])
        st.form_submit_button("更新预览")
    if problem:
        st.error(problem)

st.subheader("通报预览" if report.issued is None else f"第{report.number}期（签发稿）")
bv.preview(report.blocks)

left, middle, right = st.columns(3)
if report.issued is None:
    left.download_button(
        f"签发并下载（第{report.number}期）",
        bv.issue_on_download(code, data.as_of, additions, actor),
        file_name=f"督查通报-{data.year}年第{report.number}期.docx",
        mime=DOCX_MIME,
        type="primary",
        key="bulletin_issue",
        on_click=bv.issue_now,
        args=(code, data.as_of, additions, actor),
        help="按上方预览的内容签发：编入本年第几期并存档，之后再下载得到的都是这份文件。修改督查室意见后请先点“更新预览”。",
    )
    middle.download_button(
        f"下载{DRAFT_MARK}（Word）",
        report.docx,
        file_name=f"督查通报-{code}-{DRAFT_MARK}.docx",
        mime=DOCX_MIME,
        on_click="ignore",
        key="bulletin_docx",
    )
else:
    left.download_button(
        f"下载督查通报（第{report.number}期）",
        report.docx,
        file_name=f"督查通报-{data.year}年第{report.number}期.docx",
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
