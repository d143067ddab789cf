"""Parts shared by the dashboard pages: choices kept in the URL (so a view can be shared as a
link) and task tables whose rows open the task's detail page for the same month."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from core.vocab import TaskStatus
from ui import charts, data
from ui.filters import choose_month, choose_year, period_params
from ui.tables import table

OVERVIEW = "pages/overview.py"
BY_CATEGORY = "pages/by_category.py"
BY_LEADER = "pages/by_leader.py"
BY_UNIT = "pages/by_unit.py"
TASK_DETAIL = "pages/task_detail.py"


def url_choice(
    label: str,
    param: str,
    options: Sequence[str],
    default: str,
    *,
    key: str,
) -> str:
    """A selectbox mirrored in ``?param=``; the choice is always written, so the link names the
    view exactly. A value in the URL that is not an option is ignored."""
    options = list(options)
    wanted = st.query_params.get(param)
    index = options.index(wanted) if wanted in options else options.index(default)
    choice = st.selectbox(label, options, index=index, key=key)
    st.query_params[param] = choice
    return choice


MAX_LISTED_TASKS = 500  # beyond this many tasks a number box replaces the list to pick from


def choose_task(numbers: dict[int, str], *, key: str) -> int:
    """The task chosen, mirrored in ``?task=``: picked from a list of numbers and texts, or
    for a very long registry typed as a number (a list of thousands slows every page run)."""
    nos = list(numbers)
    wanted = st.query_params.get("task", "")
    default = int(wanted) if wanted.isdigit() and int(wanted) in numbers else nos[0]
    if len(nos) <= MAX_LISTED_TASKS:
        choice = st.selectbox(
            "任务", nos, index=nos.index(default), key=key, format_func=lambda no: f"{no}. {numbers[no][:40]}"
        )
    else:
        choice = int(st.number_input("任务序号", min_value=nos[0], max_value=nos[-1], value=default, step=1, key=key))
    st.query_params["task"] = str(choice)
    return choice


def choose_period() -> tuple[str, bool] | None:
    """The dashboards' year and month (default: the latest month of the year with any report)
    and whether it has data; None when there are no periods at all (the page has said so)."""
    year = choose_year()
    codes, with_data = data.period_codes(year) if year else ([], [])
    if not codes:
        st.info("还没有填报月份。请督查室先运行 python cli.py init 载入任务清单。")
        return None
    period = choose_month("月份", codes, default=with_data[-1] if with_data else codes[-1])
    return period, period in with_data


def say_no_data(period: str) -> None:
    st.info(f"{period} 还没有任何单位报送，暂无数据。请选择其他月份。")


TASK_TABLE_CONFIG = {
    "序号": st.column_config.NumberColumn(width="small"),
    "分类": st.column_config.TextColumn(width="medium"),
    "主要任务": st.column_config.TextColumn(width="large"),
    "完成状态": charts.status_column(),
    "任务完成状态": charts.status_column("任务完成状态"),
    "本单位报送状态": charts.status_column("本单位报送状态"),
    "进度": charts.progress_column(),
    "本单位进度": charts.progress_column("本单位进度"),
    "序时进度": charts.expected_column(),
    "欠进度": st.column_config.CheckboxColumn(width="small"),
    "本月工作进展": st.column_config.TextColumn(width="large"),
    "存在问题": st.column_config.TextColumn(width="medium"),
    "下步打算": st.column_config.TextColumn(width="medium"),
}


def task_table(frame: pd.DataFrame, columns: Sequence[str], *, period: str, name: str, key: str) -> None:
    """A table of tasks; choosing a row opens that task's detail page for the same period.
    ``name`` titles its download."""
    if frame.empty:
        st.caption("无。")
        return
    shown = frame[list(columns)]
    event = table(
        shown,
        name=name,
        column_config=TASK_TABLE_CONFIG,
        on_select="rerun",
        selection_mode="single-row",
        key=key,
    )
    rows = event.selection.rows
    if rows:
        st.switch_page(TASK_DETAIL, query_params={**period_params(period), "task": str(shown.iloc[rows[0]]["序号"])})


def status_summary(tasks: pd.DataFrame) -> str:
    """E.g. "共 17 项：已完成 3 项，序时推进 12 项，未报送 2 项"."""
    counts = tasks["完成状态"].value_counts()
    parts = [f"{s.label} {counts[s.value]} 项" for s in TaskStatus if s.value in counts]
    return f"共 {len(tasks)} 项" + ("：" + "，".join(parts) if parts else "")
