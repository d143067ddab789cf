"""模板下载: a unit's monthly report template for a chosen period (kept in ``?period=``)."""

import streamlit as st

from core import clock
from core.vocab import UserRole
from intake.template import TemplateError
from ui import cycle, upload_view
from ui.acting import acting_unit
from ui.auth import require
from ui.filters import links

actor = require(UserRole.ADMIN, UserRole.UNIT)
st.header("模板下载")
period = cycle.period_select()
unit_id, unit_name = acting_unit(actor, period.year)
st.caption(period.caption(clock.now()))
upload_view.show_timeliness(unit_id, period.code)

prefill = upload_view.prefill_choice("template_prefill")
if prefill:
    carried = cycle.last_month_tasks(unit_id, period.code)
    st.caption(
        f"模板中已带入上月报送的 {carried} 项任务的内容，请逐项修改为本月情况。"
        if carried
        else "上月没有本单位的报送，模板中未带入内容。"
    )
try:
    template = cycle.template(unit_id, period.code, prefill=prefill)
except TemplateError as exc:
    st.error(str(exc))
    st.stop()

st.download_button(
    f"下载 {unit_name} {period.code} 月报模板",
    template,
    file_name=f"{unit_name}_{period.code}_月报.xlsx",
    mime=cycle.XLSX_MIME,
    type="primary",
    on_click="ignore",
    key="download_template",
)
st.markdown(
    "1. 用 Excel 或 WPS 打开模板，按“填报说明”工作表填写白色单元格（灰色列已预填并锁定）。\n"
    "2. 保存为 .xlsx 后，在“上传月报”页面上传；系统会立即逐项检查。\n"
    "3. 单位主要负责人签字的纸质件另行报送区督查室。"
)
links(period.code, ("pages/upload.py", f"上传 {period.code} 月报 →", {}))
