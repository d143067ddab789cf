"""上传月报: upload a filled template, see every problem or the accepted version, and the history;
the month is kept in ``?period=``."""

import streamlit as st

from core import clock
from core.vocab import UserRole
from intake.guard import UPLOAD_EXTENSIONS
from intake.limits import MAX_UPLOAD_MB
from ui import cycle, upload_view
from ui.acting import acting_unit, office_intake
from ui.auth import require
from ui.filters import links
from ui.review import show_returns

actor = require(UserRole.ADMIN, UserRole.UNIT)
st.header("上传月报")
period = cycle.period_select()
unit_id, unit_name = acting_unit(actor, period.year)
show_returns(actor, unit_id, period.year)
st.caption(period.caption(clock.now()))
if period.closed:
    st.warning(f"{period.code} 已停止接收报送；如需补报，请联系督查室重新开放。")
on_behalf, received_at = office_intake(actor)
upload_view.show_timeliness(unit_id, period.code, received_at)

by_file, by_form = st.tabs(["上传 Excel 文件", "在线填报"])
with by_file:
    uploaded = st.file_uploader(
        f"选择填好的月报（Excel 工作簿 .xlsx，不超过 {MAX_UPLOAD_MB} MB）",
        type=list(UPLOAD_EXTENSIONS),
        key="upload_file",
        help="WPS 表格（.et）、LibreOffice 表格（.ods）、旧版 Excel（.xls）文件请先“另存为”Excel 工作簿（.xlsx）。",
    )
    if st.button("上传并检查", type="primary", disabled=uploaded is None, key="upload_submit") and uploaded:
        upload_view.upload(
            actor, unit_id, unit_name, period.code, uploaded.name, uploaded.getvalue(), on_behalf, received_at
        )
with by_form:
    st.caption("不用 Excel 也可以直接在下表中填写，与上传模板经过同样的检查，同样计入版本和是否按时。")
    upload_view.online_form(actor, unit_id, unit_name, period.code, on_behalf, received_at)
upload_view.show_outcome(unit_id, period.code)

st.subheader(f"{period.code} 上传记录")
upload_view.show_history(actor, unit_id, period.code)
links(period.code, ("pages/template.py", f"← 下载 {period.code} 月报模板", {}))
