"""Pieces of 本单位情况: a unit's reporting record for the year, its deductions with each item in
words, and its own appeals (filed here, decided by the office on 考核扣分)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from accounts.access import Actor
from core import clock
from core.vocab import Lateness
from office.deductions import PENDING, key_text
from ui import charts, data
from ui import deductions as ded
from ui.tables import table


def record(unit_id: int, unit: str, year: int) -> None:
    """Each month of the year: 按时 / 迟报 / 漏报 / 免报 / 未到期, first received, versions."""
    frame = data.unit_record(unit_id, year)
    counts = frame["报送情况"].value_counts()
    shown = (Lateness.ON_TIME, Lateness.LATE, Lateness.MISSING, Lateness.EXEMPT)
    st.caption(
        "，".join(f"{term.label} {int(counts.get(term.label, 0))} 个月" for term in shown)
        + "。是否按时以每月第一次通过校验的报送时间为准；“报送次数”为通过校验的版本数。"
    )
    table(frame, name=f"{unit}{year}年逐月报送情况", column_config={"报送情况": charts.lateness_column()})


def deductions(actor: Actor, unit_id: int, year: int) -> None:
    """The unit's deductions for the year, its appeals and a form to appeal an item."""
    view = ded.unit_view(year, unit_id)
    one = view.unit(unit_id)
    st.caption(f"统计时点：{clock.fmt(view.as_of)}。扣分计入年度目标管理考核“推进工作落实”项；申诉核减的扣分不计。")
    if one is None:
        st.info(f"本单位在 {year} 年没有扣分。")
        return
    ded.unit_ledger(one)
    if not one.items:
        return
    st.markdown("**申诉**")
    st.caption("对某项扣分有异议的，可在下面说明理由提出申诉，由督查室决定“核减”或“维持”。每项扣分只能申诉一次。")
    if view.appeals:
        table(
            pd.DataFrame(
                {
                    "扣分项": key_text(a.key),
                    "申诉理由": a.reason,
                    "提出人": a.filed_by,
                    "提出时间": clock.fmt(a.filed_at),
                    "决定": a.state,
                    "决定时间": clock.fmt(a.decided_at),
                    "说明": a.decision_note,
                }
                for a in view.appeals
            ),
            name="本单位申诉",
            download=False,
            key="my_appeals",
        )
        pending = sum(a.state == PENDING for a in view.appeals)
        if pending:
            st.caption(f"{pending} 项申诉待督查室决定。")
    ded.appeal_form(actor, view, one)
