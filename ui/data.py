"""Cached reads for the pages. Every cached function takes the database URL, so two databases
never share an entry; ``clear()`` runs after every write."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import clock
from db import queries
from db.engine import database_url, read_session
from status import dashboards


def clear() -> None:
    st.cache_data.clear()


@st.cache_data(show_spinner=False)
def _task_frame(url: str) -> pd.DataFrame:
    with read_session() as session:
        views = queries.tasks(session)
    return pd.DataFrame(
        {
            "序号": v.no,
            "分类": v.category,
            "分类简称": v.category_short,
            "主要任务": v.text,
            "牵头领导": v.lead_leader,
            "协助领导": "、".join(v.assisting_leaders),
            "牵头单位": v.lead_unit,
            "配合单位": "、".join(v.co_units),
            "leaders": v.leaders,
            "units": v.units,
        }
        for v in views
    )


def task_frame() -> pd.DataFrame:
    return _task_frame(database_url())


@st.cache_data(show_spinner=False)
def _leader_names(url: str) -> list[str]:
    with read_session() as session:
        return queries.leader_names(session)


def leader_names() -> list[str]:
    return _leader_names(database_url())


# --- leader dashboards (status.dashboards) -----------------------------------------------
# Keyed also by a stamp of the submissions and settings, read at most every two seconds, so
# reports loaded from the command line (e.g. the demo) show at once; figures that depend on the
# clock expire after five minutes.


@st.cache_data(show_spinner=False, ttl=2)
def _stamp_of(url: str) -> tuple:
    with read_session() as session:
        return dashboards.data_stamp(session)


def _stamp() -> tuple:
    return _stamp_of(database_url())


@st.cache_data(show_spinner=False)
def _period_codes(url: str, stamp: tuple) -> tuple[list[str], list[str]]:
    with read_session() as session:
        return dashboards.period_codes(session), dashboards.periods_with_data(session)


def period_codes() -> tuple[list[str], list[str]]:
    """Every period, and those with any report."""
    return _period_codes(database_url(), _stamp())


@st.cache_data(show_spinner=False, ttl=300)
def _overview(url: str, stamp: tuple, code: str) -> dashboards.Overview:
    with read_session() as session:
        return dashboards.overview(session, code, clock.now())


def overview(code: str) -> dashboards.Overview:
    return _overview(database_url(), _stamp(), code)


@st.cache_data(show_spinner=False)
def _task_table(url: str, stamp: tuple, code: str, category: str | None, behind_only: bool) -> pd.DataFrame:
    with read_session() as session:
        return dashboards.task_table(session, code, category=category, behind_only=behind_only)


def task_table(code: str, *, category: str | None = None, behind_only: bool = False) -> pd.DataFrame:
    return _task_table(database_url(), _stamp(), code, category, behind_only)


@st.cache_data(show_spinner=False)
def _leader_tasks(url: str, stamp: tuple, code: str, leader: str) -> dashboards.LeaderTasks:
    with read_session() as session:
        return dashboards.leader_tasks(session, code, leader)


def leader_tasks(code: str, leader: str) -> dashboards.LeaderTasks:
    return _leader_tasks(database_url(), _stamp(), code, leader)


@st.cache_data(show_spinner=False)
def _status_trend(url: str, stamp: tuple, code: str, category: str | None) -> pd.DataFrame:
    with read_session() as session:
        return dashboards.status_trend(session, code, category=category)


def status_trend(code: str, *, category: str | None = None) -> pd.DataFrame:
    return _status_trend(database_url(), _stamp(), code, category)


@st.cache_data(show_spinner=False)
def _category_names(url: str, year: int) -> list[str]:
    with read_session() as session:
        return [c.name for c in queries.categories(session, year)]


def category_names(year: int) -> list[str]:
    return _category_names(database_url(), year)


@st.cache_data(show_spinner=False)
def _reporting_units(url: str, year: int) -> list[tuple[int, str]]:
    with read_session() as session:
        return dashboards.reporting_units(session, year)


def reporting_units(year: int) -> list[tuple[int, str]]:
    return _reporting_units(database_url(), year)


@st.cache_data(show_spinner=False)
def _unit_tasks(url: str, stamp: tuple, unit_id: int, code: str) -> pd.DataFrame:
    with read_session() as session:
        return dashboards.unit_tasks(session, unit_id, code)


def unit_tasks(unit_id: int, code: str) -> pd.DataFrame:
    return _unit_tasks(database_url(), _stamp(), unit_id, code)


@st.cache_data(show_spinner=False, ttl=300)
def _unit_record(url: str, stamp: tuple, unit_id: int, year: int) -> pd.DataFrame:
    with read_session() as session:
        return dashboards.unit_record(session, unit_id, year, clock.now())


def unit_record(unit_id: int, year: int) -> pd.DataFrame:
    return _unit_record(database_url(), _stamp(), unit_id, year)


@st.cache_data(show_spinner=False)
def _task_numbers(url: str, year: int) -> dict[int, str]:
    with read_session() as session:
        return dashboards.task_numbers(session, year)


def task_numbers(year: int) -> dict[int, str]:
    """Task number → its text, for choosing a task."""
    return _task_numbers(database_url(), year)


@st.cache_data(show_spinner=False)
def _task_detail(
    url: str, stamp: tuple, no: int, year: int
) -> tuple[dashboards.TaskDetail, pd.DataFrame, pd.DataFrame] | None:
    with read_session() as session:
        detail = dashboards.task_detail(session, no, year)
        if detail is None:
            return None
        return (
            detail,
            dashboards.task_timeline(session, detail.id, year),
            dashboards.task_reports(session, detail.id, year),
        )


def task_detail(no: int, year: int) -> tuple[dashboards.TaskDetail, pd.DataFrame, pd.DataFrame] | None:
    """The task, its month-by-month timeline and every unit's reports on it; None if unknown."""
    return _task_detail(database_url(), _stamp(), no, year)
