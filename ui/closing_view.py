"""任务详情's 办结销号 section: the history of closures, and for the office 确认办结 (when the lead
unit reports 已完成) or 撤销办结 (when closed)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from accounts.access import Actor
from core import clock
from core.period import Month
from core.vocab import TaskStatus
from db.engine import database_url, read_session, write_session
from office.closing import MAX_NOTE_CHARS, ClosingState, close_task, closing_state, reopen_task
from ui import data
from ui.tables import table

_FLASH_KEY = "closing_flash"


@data.cached()
def _state(url: str, revision: int, no: int, year: int) -> ClosingState:
    with read_session() as session:
        return closing_state(session, year=year, no=no)


def state(no: int, year: int) -> ClosingState:
    return _state(database_url(), data.revision(), no, year)


def history_frame(found: ClosingState) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "办结日期": c.closed_on.isoformat(),
                "办结说明": c.note,
                "确认人": c.closed_by,
                "确认时间": clock.fmt(c.closed_at),
                "状态": "有效" if c.open else "已撤销",
                "撤销人": c.reopened_by or "",
                "撤销时间": clock.fmt(c.reopened_at),
                "撤销理由": c.reopen_reason,
            }
            for c in found.history
        ],
        columns=["办结日期", "办结说明", "确认人", "确认时间", "状态", "撤销人", "撤销时间", "撤销理由"],
    )


def _done(message: str) -> None:
    st.session_state[_FLASH_KEY] = message
    st.rerun()


def _default_day(found: ClosingState, year: int) -> date:
    """The last day of the month the lead unit reported 已完成 for (today at the latest)."""
    month = Month.parse(found.reported_month) if found.reported_month else Month(year, 12)
    return min(month.next().first_day - timedelta(days=1), clock.now().date())


def show(actor: Actor, *, no: int, year: int) -> None:
    """The section: who closed the task and when, and the office's controls where allowed."""
    st.markdown("#### 办结销号")
    message = st.session_state.pop(_FLASH_KEY, None)
    if message:
        st.success(message)
    found = state(no, year)
    current = found.open
    if current is not None:
        st.info(
            f"本任务已于 {current.closed_on.isoformat()} 办结（{current.closed_by} 确认）："
            f"{current.last_month.next().code} 起不再报送，各页面显示为“{TaskStatus.CLOSED.label}”。"
        )
    elif found.reported is TaskStatus.DONE:
        st.caption(f"牵头单位 {found.reported_month} 月报所填为“{TaskStatus.DONE.label}”，督查室可确认办结。")
    else:
        st.caption(f"牵头单位报“{TaskStatus.DONE.label}”后，督查室可确认办结；办结后次月起不再报送。")
    if actor.is_office:
        if current is not None:
            _reopen_form(actor, no=no, year=year)
        elif found.closable:
            _close_form(actor, found, no=no, year=year)
    if found.history:
        table(history_frame(found), name=f"第{no}项任务办结记录", key="closing_history")


def _close_form(actor: Actor, found: ClosingState, *, no: int, year: int) -> None:
    with st.form("close_task", clear_on_submit=True):
        st.markdown("**确认办结**")
        on = st.date_input(
            "办结日期",
            value=_default_day(found, year),
            min_value=date(year, 1, 1),
            max_value=date(year, 12, 31),
            format="YYYY-MM-DD",
            key="close_date",
        )
        note = st.text_area("办结说明", max_chars=MAX_NOTE_CHARS, placeholder="例如：项目已竣工验收", key="close_note")
        submitted = st.form_submit_button("确认办结", type="primary")
    if submitted:
        try:
            with write_session() as session:
                made = close_task(session, year=year, no=no, on=on, note=note, actor=actor)
        except ValueError as exc:
            st.error(str(exc))
        else:
            _done(f"第 {no} 项任务已办结，{made.last_month.next().code} 起不再报送。")


def _reopen_form(actor: Actor, *, no: int, year: int) -> None:
    with st.form("reopen_task", clear_on_submit=True):
        st.markdown("**撤销办结**")
        reason = st.text_input("撤销理由", max_chars=MAX_NOTE_CHARS, key="reopen_reason")
        submitted = st.form_submit_button("撤销办结")
    if submitted:
        try:
            with write_session() as session:
                reopen_task(session, year=year, no=no, reason=reason, actor=actor)
        except ValueError as exc:
            st.error(str(exc))
        else:
            _done(f"第 {no} 项任务已撤销办结，恢复逐月报送。")
