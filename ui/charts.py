"""Figures and table columns for the dashboards, in the fixed status colours of ``core.vocab``."""

from __future__ import annotations

import html
from typing import Literal

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.vocab import ExpectedSource, Lateness, Light, PlanState, ReviewState, TaskStatus, Term

OWN_TASK_BACKGROUND = "#FFF6D5"  # a leader's own tasks in every task table; no status uses it
_FONT = {"family": "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"}
# The title at the very top, then the legend across the whole width of the figure, then the
# plot: the legend sits in the top margin kept for it, never over an axis title or tick labels,
# whatever the width (on a phone or in a narrow column it wraps to a second row, which the
# margin also holds).
_TITLE_ROOM = 34  # the title's own height in the top margin
_LEGEND_ROOM = 56  # two rows of legend entries


def _top(title: str, height: int) -> dict:
    """Title, legend and top margin of a figure ``height`` pixels high."""
    layout: dict = {
        "height": height,
        "legend": {
            "orientation": "h",
            "xref": "container",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 1 - (_TITLE_ROOM if title else 6) / height,
            "yanchor": "top",
            "title": {"text": ""},
            "traceorder": "normal",
        },
        "margin": {"l": 10, "r": 10, "t": (_TITLE_ROOM if title else 6) + _LEGEND_ROOM, "b": 10},
    }
    if title:
        layout["title"] = {
            "text": title,
            "xref": "container",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 8, "l": 10},
        }
    return layout


def status_bars(frame: pd.DataFrame, group: str, *, title: str, horizontal: bool = True) -> dict:
    """Stacked bars of task counts per status for each group, groups in the frame's order.

    Figures are plain dicts: plotly validates a whole dict at once far faster than a figure
    built up trace by trace."""
    counts: dict[tuple[str, str], int] = {}
    for name, status, n in zip(
        frame[group].tolist(), frame["完成状态"].tolist(), frame["任务数"].tolist(), strict=True
    ):
        counts[name, status] = int(n)
    groups = list(dict.fromkeys(name for name, _ in counts))
    traces = []
    for status in TaskStatus:
        values = [counts.get((name, status.value), 0) for name in groups]
        label = status.label
        trace = {"type": "bar", "name": label, "marker": {"color": status.color}}
        if horizontal:
            trace.update(
                x=values, y=groups, orientation="h", hovertemplate=f"%{{y}}<br>{label}：%{{x}} 项<extra></extra>"
            )
        else:
            trace.update(x=groups, y=values, hovertemplate=f"%{{x}}<br>{label}：%{{y}} 项<extra></extra>")
        traces.append(trace)
    counts_axis = {"title": {"text": "任务数（项）"}, "automargin": True}
    # The margin grows to the longest group name (（一）抓转型、促升级), so no name is cut.
    groups_axis = {"title": {"text": ""}, "type": "category", "automargin": True}
    height = 34 * len(groups) + 80 if horizontal else 320
    layout = {
        "barmode": "stack",
        "font": _FONT,
        **_top(title, max(300, height + _TITLE_ROOM + _LEGEND_ROOM)),
    }
    if horizontal:
        layout.update(xaxis=counts_axis, yaxis={**groups_axis, "autorange": "reversed"})
    else:
        layout.update(xaxis=groups_axis, yaxis=counts_axis)
    return {"data": traces, "layout": layout}


def expectation_name(timeline: pd.DataFrame) -> str:
    """应达进度（计划） or 应达进度（按序时）, as the timeline's expectation came from."""
    sources = set(timeline["进度依据"])
    used = ExpectedSource.PLAN.label if ExpectedSource.PLAN.label in sources else ExpectedSource.CALENDAR.label
    return f"应达进度（{used}）"


def progress_line(timeline: pd.DataFrame, milestones: pd.DataFrame | None = None) -> dict:
    """Reported progress month by month, markers in the status colour, against the expected
    progress (the plan's steps, or 序时进度) and the plan's milestones (planned progress by due date)."""
    reported = timeline[timeline["进度"].notna()]
    name = expectation_name(timeline)
    expected = {
        "type": "scatter",
        "x": list(timeline["月份"]),
        "y": [round(v, 1) for v in timeline["应达进度"]],
        "name": name,
        "mode": "lines",
        "line": {"color": "#607D8B", "dash": "dash", "shape": "hv" if "计划" in name else "linear"},
        "hovertemplate": f"%{{x}}<br>{name}：%{{y:.1f}}%<extra></extra>",
    }
    traces: list[dict] = [expected]
    if milestones is not None and not milestones.empty:
        traces.append(
            {
                "type": "scatter",
                "x": list(milestones["月份"]),
                "y": [float(v) for v in milestones["计划进度"]],
                "name": "计划节点",
                "mode": "markers",
                "marker": {"size": 13, "symbol": "diamond", "color": "#6A1B9A"},
                "customdata": [f"{d} {t}" for d, t in zip(milestones["完成时限"], milestones["节点目标"], strict=True)],
                "hovertemplate": "%{customdata}<br>计划进度 %{y:.0f}%<extra></extra>",
            }
        )
    progress = {
        "type": "scatter",
        "x": list(reported["月份"]),
        "y": [float(v) for v in reported["进度"]],
        "name": "报送进度",
        "mode": "lines+markers",
        "line": {"color": "#455A64"},
        "marker": {"size": 12, "color": [TaskStatus(s).color for s in reported["完成状态"]]},
        "customdata": list(reported["完成状态"]),
        "hovertemplate": "%{x}<br>%{customdata}，进度 %{y:.0f}%<extra></extra>",
    }
    layout = {
        "font": _FONT,
        **_top("", 320 + _LEGEND_ROOM),
        "yaxis": {"title": {"text": "进度（%）"}, "range": [0, 105]},
        "xaxis": {"title": {"text": ""}, "type": "category"},
    }
    layout["xaxis"] = {**layout["xaxis"], "categoryorder": "array", "categoryarray": list(timeline["月份"])}
    return {"data": [*traces, progress], "layout": layout}


def _fit(label: str) -> Literal["small", "medium"]:
    """A narrow column unless its header would be cut (more than four characters)."""
    return "small" if len(label) <= 4 else "medium"


def status_column(label: str = "完成状态") -> st.column_config.Column:
    """A status cell as a pill in its fixed colour."""
    return st.column_config.MultiselectColumn(
        label, options=list(TaskStatus.labels()), color=[s.color for s in TaskStatus], width=_fit(label)
    )


def light_column(label: str = "红黄绿灯") -> st.column_config.Column:
    """A light (绿灯 / 黄灯 / 红灯) as a pill in its colour."""
    return st.column_config.MultiselectColumn(
        label, options=list(Light.labels()), color=[light.color for light in Light], width=_fit(label)
    )


def lateness_column(label: str = "报送情况") -> st.column_config.Column:
    return st.column_config.MultiselectColumn(
        label, options=list(Lateness.labels()), color=[t.color for t in Lateness], width=_fit(label)
    )


def review_column(label: str = "复核状态") -> st.column_config.Column:
    """A review state (待复核 / 通过 / 退回 / 退回未改) as a pill in its colour."""
    return st.column_config.MultiselectColumn(
        label, options=list(ReviewState.labels()), color=[s.color for s in ReviewState], width=_fit(label)
    )


def plan_state_column(label: str = "计划状态") -> st.column_config.Column:
    """A plan state (未报送 / 待确认 / 已确认 / 已退回) as a pill in its colour."""
    return st.column_config.MultiselectColumn(
        label, options=list(PlanState.labels()), color=[s.color for s in PlanState], width=_fit(label)
    )


STATE_CARD = (  # as high as a metric's card beside it: a label line, then a 2.25rem-high value
    '<div style="font-size:0.875rem;line-height:1.6;margin-bottom:0.25rem">{label}</div>'
    '<div style="height:4rem;display:flex;align-items:center"><span style="background:{color}26;'
    "color:{color};border-radius:1rem;padding:0.1rem 0.75rem;font-size:1.6rem;font-weight:600;"
    'white-space:nowrap">{value}</span></div>'
)


def state_card(container: DeltaGenerator, label: str, term: Term) -> None:
    """A figure that is a state (完成状态, 红黄绿灯): the label above it, as ``st.metric`` has it,
    and the state as a pill in its fixed colour, as in every table."""
    text = STATE_CARD.format(label=html.escape(label), color=term.color, value=html.escape(term.label))
    container.container(border=True).markdown(text, unsafe_allow_html=True)


def progress_column(label: str = "进度") -> st.column_config.Column:
    return st.column_config.ProgressColumn(label, min_value=0, max_value=100, format="%.0f%%", width=_fit(label))


def expected_column(label: str = "应达进度") -> st.column_config.Column:
    return st.column_config.NumberColumn(label, format="%.1f%%", width=_fit(label))
