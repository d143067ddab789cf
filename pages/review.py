"""复核: the office reviews the month's reports: each unit's current version with its warnings
and what changed since last month, 通过 in one click or 退回 with a reason; bulk 通过 for the
reports without warnings. The month is kept in ``?period=``, the unit in ``?unit=``."""

import streamlit as st

from core.vocab import ReviewState, UserRole
from ui import charts, cycle
from ui import review as rv
from ui.auth import require
from ui.dashboard import url_choice
from ui.tables import table
from ui.workbench import show_flash

actor = require(UserRole.ADMIN)
st.header("复核")
period = cycle.period_select("复核月份")
show_flash()
entries = rv.queue(period.code)
if not entries:
    st.info(f"{period.code} 还没有单位报送，没有需要复核的月报。")
    st.stop()

rv.counts_line(entries)
st.caption(
    "每份通过校验的月报在督查室复核前为“待复核”；退回后在设置的工作日内没有上传新版本的，列为“退回未改”。"
    "复核不改变看板的口径：退回的月报在更正前仍按其内容统计，是否按时仍以第一次通过的时间为准。"
)
rv.bulk_pass(actor, period.code, entries)
table(
    rv.queue_frame(entries),
    name=f"{period.code}月报复核",
    key="review_queue",
    column_config={"复核状态": charts.review_column()},
)

st.subheader("逐份复核")
by_unit = {entry.status.unit: entry for entry in entries}
pending = [unit for unit, entry in by_unit.items() if entry.status.state == ReviewState.PENDING]
unit = url_choice("单位", "unit", list(by_unit), pending[0] if pending else next(iter(by_unit)), key="review_unit")
rv.one_report(actor, period.code, by_unit[unit])
