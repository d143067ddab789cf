"""Pieces of the 督查通报 page: the bulletin and the 台账, built as of now and cached briefly."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core import clock
from core.vocab import Lateness, TaskStatus
from cycle.periods import get_period
from db.engine import database_url, read_session
from office.bulletin import BulletinData, bulletin_data, render
from office.exports import task_ledger
from ui import data
from ui.tables import table


@dataclass(frozen=True)
class Report:
    data: BulletinData
    docx: bytes
    xlsx: bytes


@data.cached(ttl=60, spinner="正在生成通报…", max_entries=16)
def _bulletin(url: str, revision: int, code: str) -> Report:
    as_of = clock.now()
    with read_session() as session:
        data = bulletin_data(session, code, as_of)
        ledger = task_ledger(session, get_period(session, code), as_of)
    return Report(data, render(data), ledger)


def bulletin(code: str) -> Report:
    return _bulletin(database_url(), data.revision(), code)


def key_lists(data: BulletinData) -> None:
    """The lagging tasks and the late and missing units the bulletin names."""
    late, missing = Lateness.LATE.label, Lateness.MISSING.label
    with st.expander(f"{TaskStatus.LAGGING.label}任务（{len(data.lagging)} 项）", expanded=bool(data.lagging)):
        if data.lagging:
            table(
                pd.DataFrame(
                    {
                        "序号": t.no,
                        "主要任务": t.text,
                        "牵头领导": t.lead_leader,
                        "牵头单位": t.lead_unit,
                        "存在问题": t.problems,
                    }
                    for t in data.lagging
                ),
                name="滞后任务",
                download=False,  # the bulletin and the ledger are its downloads
                key="lagging_table",
            )
        else:
            st.caption("无")
    with st.expander(f"{late}、{missing}单位（{len(data.late) + len(data.missing)} 个）"):
        st.markdown(f"**{late}**：" + ("、".join(f"{r.unit}（迟{r.days_late}天）" for r in data.late) or "无"))
        st.markdown(f"**{missing}**：" + ("、".join(r.unit for r in data.missing) or "无"))
    with st.expander(f"本月扣分单位（{len(data.deductions)} 个）"):
        if data.deductions:
            table(
                pd.DataFrame(
                    {"单位": d.unit, "扣分事项": "；".join(d.reasons), "本月扣分": d.period_net, "本年累计": d.year_net}
                    for d in data.deductions
                ),
                name="本月扣分单位",
                download=False,
                key="deduction_lines",
            )
        else:
            st.caption("无")
