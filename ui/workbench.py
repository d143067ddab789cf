"""Pieces of the office's 报送情况 page. Figures that depend on the clock are computed as of
now and cached for a minute, and like every cached read only until the next write (``ui.data``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from accounts.access import Actor
from core import clock
from core.period import Month
from core.vocab import Lateness
from cycle.periods import all_periods, get_period
from db import queries
from db.engine import database_url, read_session, write_session
from office import exports
from office.exemptions import ExemptionView, exemptions, grant_exemption, revoke_exemption
from office.paper import clear_paper_copy, record_paper_copy
from office.workbench import (
    ChaseRow,
    Filters,
    Grid,
    PeriodInfo,
    RateLine,
    RateSummary,
    StatusRow,
    apply_filters,
    chase_list,
    chase_text,
    current_period,
    lateness_grid,
    rate_summary,
    status_rows,
)
from ui import data
from ui.filters import choose_month, choose_year
from ui.tables import table

_FLASH_KEY = "workbench_flash"
WORST_FIRST = "按记录从差到好"
REGISTRY_ORDER = "按单位顺序"


# --- cached reads -------------------------------------------------------------


@dataclass(frozen=True)
class PeriodView:
    period: PeriodInfo
    as_of: datetime
    rows: list[StatusRow]
    rates: RateSummary
    chase: list[ChaseRow]
    exemptions: list[ExemptionView]


@data.cached(ttl=60)
def _period_choices(url: str, revision: int, year: int) -> tuple[list[str], str | None]:
    with read_session() as session:
        current = current_period(session, clock.now(), year)
        return [p.code for p in all_periods(session, year)], current.code if current else None


def period_choices(year: int) -> tuple[list[str], str | None]:
    """Every period of ``year``, and the one being collected now (for a past year, its last
    month that has ended)."""
    return _period_choices(database_url(), data.revision(), year)


def choose_period(label: str) -> str:
    """The office pages' year and month (default: the month being collected now). Stops the page
    when no period exists yet."""
    with st.columns([1, 3])[0]:
        year = choose_year(default=data.collecting_year())
        codes, current = period_choices(year) if year else ([], None)
        if not codes:
            st.info("还没有填报月份。请运行 python cli.py init 载入任务清单。")
            st.stop()
        return choose_month(label, codes, default=current or codes[-1])


@data.cached(ttl=60, spinner="正在统计…")
def _period_view(url: str, revision: int, code: str) -> PeriodView:
    as_of = clock.now()
    with read_session() as session:
        period = get_period(session, code)
        return PeriodView(
            PeriodInfo.of(period),
            as_of,
            status_rows(session, period, as_of),
            rate_summary(session, period, as_of),
            chase_list(session, period, as_of),
            exemptions(session, code),
        )


def period_view(code: str) -> PeriodView:
    return _period_view(database_url(), data.revision(), code)


@data.cached(ttl=60)
def _grid(url: str, revision: int, year: int) -> Grid:
    with read_session() as session:
        return lateness_grid(session, year, clock.now())


@data.cached()
def _filter_choices(url: str, revision: int, year: int) -> tuple[list[str], list[str]]:
    with read_session() as session:
        return [c.name for c in queries.categories(session, year)], queries.leader_names(session, year)


def filter_choices(year: int) -> tuple[list[str], list[str]]:
    """Category names and leader names of ``year``, for the filters."""
    return _filter_choices(database_url(), data.revision(), year)


def filtered(view: PeriodView, filters: Filters) -> list[StatusRow]:
    with read_session() as session:
        return apply_filters(session, view.rows, view.period.year, filters)


def url_multiselect(label: str, param: str, labels: dict[str, str]) -> list[str]:
    """A multiselect of the keys of ``labels`` mirrored in ``?param=a&param=b``; unknown values
    in the URL are ignored."""
    wanted = [v for v in st.query_params.get_all(param) if v in labels]
    chosen = st.multiselect(
        label, list(labels), default=wanted, format_func=labels.get, placeholder="全部", key=f"url_{param}"
    )
    if chosen:
        st.query_params[param] = chosen
    else:
        st.query_params.pop(param, None)
    return chosen


# --- messages after a write ---------------------------------------------------


def done(message: str) -> None:
    """Show ``message`` after a rerun; the rerun reads at the new data revision, so every table
    includes the change."""
    st.session_state[_FLASH_KEY] = message
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop(_FLASH_KEY, None)
    if message:
        st.success(message)


# --- tables -------------------------------------------------------------------


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def rate_frame(lines: list[RateLine]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "范围": line.scope,
            "应报": line.rate.expected,
            "已报": line.rate.received,
            "按时报": line.rate.on_time,
            "报送率": _percent(line.rate.rate),
            "按时率": _percent(line.rate.on_time_rate),
        }
        for line in lines
    )


def rate_tables(rates: RateSummary, month: int) -> None:
    config = {
        "报送率": st.column_config.NumberColumn(format="%.1f%%"),
        "按时率": st.column_config.NumberColumn(format="%.1f%%"),
    }
    left, right = st.columns(2)
    with left:
        st.markdown(f"**本月**（{month}月）")
        table(rate_frame(rates.period), name=f"{month}月报送率", column_config=config, key="rates_period")
    with right:
        st.markdown(f"**本年累计**（1–{month}月）")
        table(rate_frame(rates.year_to_date), name=f"1至{month}月累计报送率", column_config=config, key="rates_ytd")
    st.caption("应报：截止时间已过、未免报的单位数；已报：截止统计时点已报送（含迟报）；按时报：截止时间前报送。")


STATUS_COLUMNS = (
    "单位",
    "类别",
    "报送状态",
    "截止时间",
    "首次报送",
    "迟报天数",
    "版本数",
    "最后上传人",
    "未通过次数",
    "纸质件",
    "本月扣分",
    "免报理由",
)


def status_frame(rows: list[StatusRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (
                r.unit,
                r.kind,
                r.label,
                clock.fmt(r.due),
                clock.fmt(r.first_received),
                r.days_late if r.status == Lateness.LATE else None,
                r.versions,
                r.last_uploader,
                r.rejected,
                r.paper_received_on.isoformat() if r.paper_received_on else "",
                r.deduction or None,
                r.exemption_reason,
            )
            for r in rows
        ],
        columns=list(STATUS_COLUMNS),
    )


def status_table(rows: list[StatusRow]) -> None:
    frame = status_frame(rows)
    colors = Lateness.colors()
    styled = frame.style.map(lambda v: f"color: {colors[v]}; font-weight: bold" if v in colors else "", ["报送状态"])
    styled = styled.format({"迟报天数": "{:.0f}", "本月扣分": "{:.2f}"}, na_rep="")
    table(
        frame,
        styled=styled,
        name="报送情况",
        placeholder="",
        key="status_table",
        column_config={"未通过次数": st.column_config.NumberColumn(help="上传后未通过校验、未入库的次数")},
    )


# --- heatmap --------------------------------------------------------------------


NOT_OWED = "无需报送（任务已办结）"


def heatmap(grid: Grid, order: str) -> go.Figure:
    rows = grid.worst_first() if order == WORST_FIRST else grid.rows
    terms = list(Lateness)
    months = [Month.parse(code).short_label for code in grid.periods]
    n = len(terms)
    scale = []
    for i, term in enumerate(terms):
        scale += [(i / n, term.color), ((i + 1) / n, term.color)]
    figure = go.Figure(
        go.Heatmap(
            z=[[None if s is None else Lateness(s).rank for s in row.statuses] for row in rows],
            x=months,
            y=[row.unit for row in rows],
            text=[[NOT_OWED if s is None else Lateness(s).label for s in row.statuses] for row in rows],
            hovertemplate="%{y} %{x}：%{text}<extra></extra>",
            colorscale=scale,
            zmin=-0.5,
            zmax=n - 0.5,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    for term in terms:
        figure.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"size": 12, "symbol": "square", "color": term.color},
                name=term.label,
            )
        )
    figure.update_layout(
        height=max(300, 22 * len(rows) + 120),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        yaxis={"autorange": "reversed", "type": "category"},
        xaxis={"side": "top", "type": "category"},
        legend={"orientation": "h", "y": -0.02, "yanchor": "top"},
        plot_bgcolor="white",
    )
    return figure


def heatmap_section(year: int, order: str) -> None:
    grid = _grid(database_url(), data.revision(), year)
    st.plotly_chart(heatmap(grid, order), key="lateness_heatmap")


# --- 催报名单 -----------------------------------------------------------------


def chase_section(view: PeriodView) -> None:
    period = view.period
    st.markdown(f"{Month(period.year, period.month).label}月报尚未报送、也未免报的单位（共 {len(view.chase)} 个）。")
    st.code(chase_text(period, view.chase), language=None, wrap_lines=True)
    st.download_button(
        "下载催报名单（Excel）",
        exports.chase_workbook(period, view.chase, view.as_of),
        file_name=f"催报名单-{period.code}.xlsx",
        mime=exports.XLSX_MIME,
        on_click="ignore",
        key="chase_download",
    )


# --- 免报 ---------------------------------------------------------------------


def exemption_section(actor: Actor, view: PeriodView) -> None:
    if view.exemptions:
        table(
            pd.DataFrame(
                {
                    "单位": e.unit,
                    "理由": e.reason,
                    "批准人": e.granted_by,
                    "批准时间": clock.fmt(e.granted_at),
                    "状态": "有效" if e.active else "已撤销",
                    "撤销人": e.revoked_by or "",
                    "撤销时间": clock.fmt(e.revoked_at),
                }
                for e in view.exemptions
            ),
            name="免报单位",
            key="exemption_table",
        )
    else:
        st.caption("本月没有免报记录。")
    units = {r.unit_id: r.unit for r in view.rows}
    with st.form("grant_exemption", clear_on_submit=True):
        st.markdown("**批准免报**")
        unit_id = st.selectbox("单位", list(units), format_func=units.get, key="exempt_unit")
        reason = st.text_input("免报理由", placeholder="例如：机构调整，本月无工作进展", key="exempt_reason")
        granted = st.form_submit_button("批准免报", type="primary")
    if granted:
        try:
            with write_session() as session:
                made = grant_exemption(session, actor, unit_id, view.period.code, reason)
        except ValueError as exc:
            st.error(str(exc))
        else:
            done(f"已批准{made.unit}{made.period}免报。")
    active = {e.id: e for e in view.exemptions if e.active}
    if active:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        chosen = left.selectbox(
            "撤销免报",
            list(active),
            format_func=lambda i: f"{active[i].unit}（{active[i].reason}）",
            key="revoke_choice",
        )
        if right.button("撤销", key="revoke_submit"):
            try:
                with write_session() as session:
                    made = revoke_exemption(session, actor, chosen)
            except ValueError as exc:
                st.error(str(exc))
            else:
                done(f"已撤销{made.unit}{made.period}的免报。")


# --- 纸质件 -------------------------------------------------------------------


def paper_section(actor: Actor, view: PeriodView) -> None:
    rows = {r.unit_id: r for r in view.rows}
    received = sum(r.paper_received_on is not None for r in view.rows)
    st.caption(f"已收到纸质件 {received} 份（应报单位 {len(rows)} 个）。纸质件须经单位主要负责人签字。")
    today = clock.now().date()
    with st.form("paper_copy"):
        unit_id = st.selectbox(
            "单位",
            list(rows),
            format_func=lambda i: (
                rows[i].unit + (f"（已登记 {rows[i].paper_received_on}）" if rows[i].paper_received_on else "")
            ),
            key="paper_unit",
        )
        received_on: date = st.date_input("收到日期", value=today, max_value=today, key="paper_date")
        left, right = st.columns(2)
        record = left.form_submit_button("登记收到纸质件", type="primary")
        undo = right.form_submit_button("撤销登记")
    if not (record or undo):
        return
    try:
        with write_session() as session:
            if record:
                record_paper_copy(session, actor, unit_id, view.period.code, received_on)
            else:
                clear_paper_copy(session, actor, unit_id, view.period.code)
    except ValueError as exc:
        st.error(str(exc))
        return
    name = rows[unit_id].unit
    done(f"已登记{name}纸质件（{received_on:%Y-%m-%d}收到）。" if record else f"已撤销{name}的纸质件登记。")
