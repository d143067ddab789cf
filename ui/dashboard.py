"""Parts shared by the dashboard pages: choices kept in the URL (so a view can be shared as a
link) and task tables whose rows open the task's detail page for the same month."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from accounts.access import Actor
from core import clock
from core.period import Month
from core.vocab import ExpectedSource, TaskStatus
from cycle.periods import collecting, judged
from status.dashboards import UNREVIEWED
from ui import charts, cycle, data
from ui.auth import own_leader_name
from ui.filters import choose_month, choose_year, period_params
from ui.tables import table

OVERVIEW = "pages/overview.py"
BY_CATEGORY = "pages/by_category.py"
BY_LEADER = "pages/by_leader.py"
BY_UNIT = "pages/by_unit.py"
TASK_DETAIL = "pages/task_detail.py"
REVIEW = "pages/review.py"
OWN_TASKS_NOTE = "浅黄底色的是您负责（牵头或协助）的任务。"


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
    """The dashboards' year and month and whether the month has data; None when there are no
    periods at all (the page has said so). The default is the month now being judged, the
    latest whose deadline has passed (``cycle.periods.judged``), else the year's first: one
    early upload for next month must not turn the leaders' view into a month of 未报送."""
    year = choose_year()
    infos = cycle.periods(year) if year else []
    if year is None or not infos:
        st.info("还没有填报月份。请督查室先运行 python cli.py init 载入任务清单。")
        return None
    _, with_data = data.period_codes(year)
    default = judged(infos, clock.now()) or infos[0]
    period = choose_month("月份", [p.code for p in infos], default=default.code)
    return period, period in with_data


def say_no_data(period: str) -> None:
    st.info(f"{period} 还没有任何单位报送，暂无数据。请选择其他月份。")


def say_if_collecting(period: str) -> bool:
    """While the month's deadline has not passed, say so with how many units have reported:
    its figures are not yet a judgement. True while collecting."""
    info = next(p for p in cycle.periods(Month.parse(period).year) if p.code == period)
    if not collecting(info.due_at, clock.now()):
        return False
    summary = data.collection(period)
    if summary.collecting:
        st.info(
            f"{period} 报送进行中（截止 {clock.fmt(summary.due_at)}）：已报 {summary.reported} / "
            f"应报 {summary.obliged} 家。以下为目前已报送的情况，截止后才是本月的结果。"
        )
    return summary.collecting


def say_unreviewed(period: str, *, office: bool) -> None:
    """本月 n 份待复核: the month's figures include reports the office has not reviewed yet."""
    n = data.unreviewed(period)
    if not n:
        return
    text = f"本月 {n} 份{UNREVIEWED}：标“{UNREVIEWED}”的任务，其状态来自督查室尚未复核的月报，复核退回的以更正后为准。"
    if office:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.caption(text)
        with right:
            st.page_link(REVIEW, label="去复核 →", query_params=period_params(period))
    else:
        st.caption(text)


def say_nothing_behind(not_reported: int, *, collecting: bool) -> None:
    """No task is behind: said plainly only when every task has a report and the month is
    judged; an empty or unfinished month is never celebrated."""
    if collecting:
        st.info("已报送的任务中暂无滞后或欠进度的；本月报送尚未截止。")
    elif not_reported:
        st.info(f"已报送的任务中没有滞后或欠进度的；另有 {not_reported} 项任务的牵头单位未报送。")
    else:
        st.success("本月没有滞后或欠进度的任务。")


TASK_TABLE_CONFIG = {
    "序号": st.column_config.NumberColumn(width="small"),
    "分类": st.column_config.TextColumn(width="medium"),
    "主要任务": st.column_config.TextColumn(width="large"),
    "完成状态": charts.status_column(),
    "任务完成状态": charts.status_column("任务完成状态"),
    "本单位报送状态": charts.status_column("本单位报送状态"),
    "进度": charts.progress_column(),
    "本单位进度": charts.progress_column("本单位进度"),
    "应达进度": charts.expected_column(),
    "进度依据": st.column_config.TextColumn(width="small"),
    "红黄绿灯": charts.light_column(),
    "欠进度": st.column_config.CheckboxColumn(width="small"),
    "本月工作进展": st.column_config.TextColumn(width="large"),
    "存在问题": st.column_config.TextColumn(width="medium"),
    "下步打算": st.column_config.TextColumn(width="medium"),
    UNREVIEWED: st.column_config.CheckboxColumn(width="small", help="状态所据的月报督查室尚未复核"),
}


def own_tasks(actor: Actor, period: str) -> frozenset[int]:
    """The tasks a leader account's leader leads or assists in the period's year: every task
    table highlights them. Empty for other accounts."""
    return data.own_tasks(own_leader_name(actor), Month.parse(period).year)


def highlighted(frame: pd.DataFrame, own: frozenset[int]) -> Styler | None:
    """``frame`` with the rows of ``own`` tasks (by 序号) on the highlight colour, or None when
    none of them is in it."""
    if not own or not frame["序号"].isin(own).any():
        return None
    mark = f"background-color: {charts.OWN_TASK_BACKGROUND}"
    return frame.style.apply(lambda row: [mark if row["序号"] in own else ""] * len(row), axis=1)


def task_table(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    period: str,
    name: str,
    key: str,
    own: frozenset[int] = frozenset(),
) -> None:
    """A table of tasks; choosing a row opens that task's detail page for the same period.
    ``name`` titles its download; the rows of ``own`` tasks are highlighted."""
    if frame.empty:
        st.caption("无。")
        return
    shown = frame[list(columns)]
    styled = highlighted(shown, own)
    if styled is not None:
        st.caption(OWN_TASKS_NOTE)
    event = table(
        shown,
        styled=styled,
        name=name,
        column_config=TASK_TABLE_CONFIG,
        on_select="rerun",
        selection_mode="single-row",
        key=key,
    )
    rows = event.selection.rows
    if rows:
        st.switch_page(TASK_DETAIL, query_params={**period_params(period), "task": str(shown.iloc[rows[0]]["序号"])})


def expectation_note(planned: int, total: int) -> str:
    """Which expectation the page's tasks were judged by: their plans, the calendar, or both."""
    plan, calendar = ExpectedSource.PLAN.label, ExpectedSource.CALENDAR.label
    if planned == 0:
        return f"应达进度{calendar}（第 M 月为 M/12），尚无任务有确认的节点计划。"
    if planned == total:
        return f"应达进度按{plan}：各任务已确认的节点计划中到期节点的计划进度。"
    return (
        f"应达进度：{planned} 项按{plan}（已确认节点计划中到期节点的计划进度），"
        f"其余 {total - planned} 项{calendar}（第 M 月为 M/12）。"
    )


def say_expectation(tasks: pd.DataFrame) -> None:
    """``expectation_note`` for a table of tasks with a 进度依据 column."""
    if not tasks.empty:
        st.caption(expectation_note(int((tasks["进度依据"] == ExpectedSource.PLAN.label).sum()), len(tasks)))


def status_summary(tasks: pd.DataFrame) -> str:
    """E.g. "共 17 项：已完成 3 项，序时推进 12 项，未报送 2 项"."""
    counts = tasks["完成状态"].value_counts()
    parts = [f"{s.label} {counts[s.value]} 项" for s in TaskStatus if s.value in counts]
    return f"共 {len(tasks)} 项" + ("：" + "，".join(parts) if parts else "")
