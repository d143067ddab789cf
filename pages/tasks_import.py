"""任务导入: the office uploads a year's task breakdown (Word, Excel or text), sees what was read
and every problem, and imports it; or downloads the blank breakdown workbook."""

import streamlit as st

from core.vocab import UserRole
from ui import tasks_import as screens
from ui.auth import require

actor = require(UserRole.ADMIN)
st.header("任务导入")
st.caption(
    "上传当年的任务分解表：表头须为“序号 | 主要任务 | 责任领导 | 责任单位”。导入前先显示读取结果和全部问题；"
    "已有月报的年份不能替换为内容不同的清单。"
)
screens.show_flash()
screens.blank_download()
year = screens.choose_year()
create_units = st.checkbox(
    "把单位名录中没有的名称新建为单位",
    key="import_create_units",
    help="不勾选时，未知名称须先在“单位管理”中添加为已有单位的别名",
)
uploaded = screens.upload()
if uploaded:
    file_name, data = uploaded
    seen = screens.preview(file_name, data, year, create_units)
    if seen is not None:
        screens.show_preview(seen)
        screens.import_button(actor, seen, data, create_units)
