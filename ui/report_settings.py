"""Pieces of the 报送设置 page; every change goes through ``cycle.admin``, in one transaction,
and is followed by a rerun, which reads at the new data revision."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from accounts.access import Actor
from cycle.admin import change_deadline_rule, set_period_open
from cycle.settings import SPECS, get_setting, setting_problems
from db.engine import read_session, write_session
from ui.cycle import PeriodInfo
from ui.filters import choose_month
from ui.tables import table

_FLASH_KEY = "report_settings_flash"


def setting_warnings() -> None:
    """Stored settings that are not valid and are read as their defaults, one warning each."""
    with read_session() as session:
        problems = setting_problems(session)
    for problem in problems:
        st.warning(problem)


def deadline_form(actor: Actor) -> None:
    setting_warnings()
    with read_session() as session:
        day = get_setting(session, "deadline_day")
        roll = get_setting(session, "roll_to_workday")
    spec = SPECS["deadline_day"]
    with st.form("deadline_rule"):
        new_day = st.number_input(
            spec.label,
            min_value=int(spec.low or 1),
            max_value=int(spec.high or 28),
            value=day,
            step=1,
            key="deadline_day",
        )
        new_roll = st.toggle(
            SPECS["roll_to_workday"].label,
            value=roll,
            key="roll_to_workday",
            help="按国家法定节假日和调休安排；节假日数据尚未收录的年份按周一至周五推算，并在截止时间旁注明。",
        )
        st.caption("保存后将按新规则重算全部月份（包括已过去的月份）的截止时间，迟报、漏报随之重新判断。")
        saved = st.form_submit_button("保存并重算截止时间", type="primary")
    if not saved or (new_day, new_roll) == (day, roll):
        return
    try:
        with write_session() as session:
            change_deadline_rule(session, day=new_day, roll_to_workday=new_roll, actor=actor)
    except ValueError as exc:
        st.error(str(exc))
        return
    st.session_state[_FLASH_KEY] = "已保存，各月份截止时间已重算。"
    st.rerun()


def show_flash() -> None:
    """The message of a change saved in the previous run."""
    message = st.session_state.pop(_FLASH_KEY, None)
    if message:
        st.success(message)


def period_table(periods: list[PeriodInfo]) -> None:
    table(
        pd.DataFrame(
            {"月份": p.code, "报送截止": p.due_text, "状态": p.state + ("" if p.closed else "（接收上传）")}
            for p in periods
        ),
        name="报送月份",
    )


def period_switch(actor: Actor, periods: list[PeriodInfo]) -> None:
    """Close a period (uploads refused) or open it again (late reports accepted, counted late)."""
    if not periods:
        return
    by_code = {p.code: p for p in periods}
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    with left:
        code = choose_month(
            "开放或关闭某月份",
            list(by_code),
            default=periods[0].code,
            format_func=lambda c: f"{c}（{by_code[c].state}）",
        )
    closed = by_code[code].closed
    if right.button("重新开放" if closed else "关闭填报", key="switch_submit"):
        try:
            with write_session() as session:
                set_period_open(session, period=code, is_open=closed, actor=actor)
        except ValueError as exc:
            st.error(str(exc))
            return
        st.rerun()
