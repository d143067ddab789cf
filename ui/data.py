"""Cached reads for the pages, and the one way any page caches what it reads.

Every cached function takes the database URL and the **data revision** as its first two
arguments (``@cached()`` checks this when the module loads). The revision goes up with every
committed write, wherever it was made (a page, ``cli.py``, another server process; see
``db.engine``), so an entry is used only while nothing has been written since it was made.
Nothing clears the cache: entries of older revisions are simply not asked for again, and
``max_entries`` drops them as new ones come. Figures that depend on the clock also expire
(``ttl``).

The revision is read once per page run, with the account check (``ui.auth.require`` →
``begin_run``), so one run reads at one revision; a page that writes reruns, and its next run
sees the change. Data that differs by unit takes the unit as an argument, and data that differs
by year the year (a month names its year).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Connection
from sqlmodel import Session

from core import clock
from cycle.periods import get_period
from db import queries
from db.engine import database_url, read_revision, read_session
from office.workbench import current_period
from registry.obligations import EmptyGroup, empty_groups
from status import by_unit, dashboards
from status import task_detail as detail_view
from status.review import pending_units

F = TypeVar("F", bound=Callable[..., Any])
REVISION_KEY = "data_revision"


def cached(*, ttl: float | None = None, max_entries: int = 64, spinner: bool | str = False) -> Callable[[F], F]:
    """``st.cache_data`` for a read ``fn(url, revision, ...)``, bounded to ``max_entries``."""

    def decorate(fn: F) -> F:
        if list(inspect.signature(fn).parameters)[:2] != ["url", "revision"]:
            raise TypeError(f"{fn.__qualname__}：缓存的读取须以 (url, revision, ...) 为前两个参数")
        return st.cache_data(fn, ttl=ttl, max_entries=max_entries, show_spinner=spinner)  # type: ignore[return-value]

    return decorate


def begin_run(conn: Connection | Session) -> None:
    """Note the revision this page run reads at (``ui.auth`` calls it at the start of each run)."""
    st.session_state[REVISION_KEY] = read_revision(conn)


def revision() -> int:
    """The data revision of this page run."""
    value = st.session_state.get(REVISION_KEY)
    if value is None:
        value = read_revision()
        st.session_state[REVISION_KEY] = value
    return value


@cached()
def _years(url: str, revision: int) -> list[int]:
    with read_session() as session:
        return queries.registry_years(session)


def years() -> list[int]:
    """The years that have tasks, in order."""
    return _years(database_url(), revision())


@cached(ttl=60)
def _collecting_year(url: str, revision: int) -> int | None:
    with read_session() as session:
        period = current_period(session, clock.now())
        return period.year if period else None


def collecting_year() -> int | None:
    """The year of the month being collected now (in January, last year's December): the
    reporting pages' default year."""
    return _collecting_year(database_url(), revision())


@cached()
def _task_frame(url: str, revision: int, year: int) -> pd.DataFrame:
    with read_session() as session:
        views = queries.tasks(session, year)
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


def task_frame(year: int) -> pd.DataFrame:
    return _task_frame(database_url(), revision(), year)


@cached()
def _leader_names(url: str, revision: int, year: int) -> list[str]:
    with read_session() as session:
        return queries.leader_names(session, year)


def leader_names(year: int) -> list[str]:
    return _leader_names(database_url(), revision(), year)


# --- leader dashboards (status.dashboards) ------------------------------------------------


@cached()
def _period_codes(url: str, revision: int, year: int) -> tuple[list[str], list[str]]:
    with read_session() as session:
        return dashboards.period_codes(session, year), dashboards.periods_with_data(session, year)


def period_codes(year: int) -> tuple[list[str], list[str]]:
    """Every period of ``year``, and those with any report."""
    return _period_codes(database_url(), revision(), year)


@cached(ttl=300)
def _pending(url: str, revision: int, code: str) -> frozenset[int]:
    with read_session() as session:
        return frozenset(pending_units(session, get_period(session, code)))


@cached(ttl=300)
def _collection(url: str, revision: int, code: str) -> dashboards.Collection:
    units = _pending(url, revision, code)
    with read_session() as session:
        return dashboards.collection(session, code, clock.now(), pending=units)


def unreviewed(code: str) -> int:
    """How many of the month's current reports are still 待复核 (without the month's lateness)."""
    return len(_pending(database_url(), revision(), code))


def collection(code: str) -> dashboards.Collection:
    """Where the month's reporting stands now: every dashboard page's banner."""
    return _collection(database_url(), revision(), code)


@cached(ttl=300)
def _overview(url: str, revision: int, code: str) -> dashboards.Overview:
    reporting = _collection(url, revision, code)
    with read_session() as session:
        return dashboards.overview(session, code, clock.now(), reporting=reporting)


def overview(code: str) -> dashboards.Overview:
    return _overview(database_url(), revision(), code)


@cached()
def _task_table(url: str, revision: int, code: str, category: str | None) -> pd.DataFrame:
    pending = _pending(url, revision, code)
    with read_session() as session:
        return dashboards.task_table(session, code, category=category, co_units=category is not None, pending=pending)


def task_table(code: str, *, category: str | None = None) -> pd.DataFrame:
    return _task_table(database_url(), revision(), code, category)


@cached()
def _leader_tasks(url: str, revision: int, code: str, leader: str) -> dashboards.LeaderTasks:
    pending = _pending(url, revision, code)
    with read_session() as session:
        return dashboards.leader_tasks(session, code, leader, pending=pending)


def leader_tasks(code: str, leader: str) -> dashboards.LeaderTasks:
    return _leader_tasks(database_url(), revision(), code, leader)


@cached()
def _empty_groups(url: str, revision: int, year: int) -> list[EmptyGroup]:
    with read_session() as session:
        return empty_groups(session, year)


def groups_without_members(year: int) -> list[EmptyGroup]:
    """The groups listed on ``year``'s tasks that have no members in it (they oblige nobody)."""
    return _empty_groups(database_url(), revision(), year)


@cached()
def _own_tasks(url: str, revision: int, leader: str, year: int) -> frozenset[int]:
    with read_session() as session:
        return frozenset(t.no for t in queries.tasks(session, year) if leader in t.leaders)


def own_tasks(leader: str | None, year: int) -> frozenset[int]:
    """The numbers of the tasks ``leader`` leads or assists in ``year`` (none for no leader)."""
    return _own_tasks(database_url(), revision(), leader, year) if leader else frozenset()


@cached()
def _status_trend(url: str, revision: int, code: str, category: str | None) -> pd.DataFrame:
    with read_session() as session:
        return dashboards.status_trend(session, code, category=category)


def status_trend(code: str, *, category: str | None = None) -> pd.DataFrame:
    return _status_trend(database_url(), revision(), code, category)


@cached()
def _category_names(url: str, revision: int, year: int) -> list[str]:
    with read_session() as session:
        return [c.name for c in queries.categories(session, year)]


def category_names(year: int) -> list[str]:
    return _category_names(database_url(), revision(), year)


@cached()
def _reporting_units(url: str, revision: int, year: int) -> list[tuple[int, str]]:
    with read_session() as session:
        return by_unit.reporting_units(session, year)


def reporting_units(year: int) -> list[tuple[int, str]]:
    return _reporting_units(database_url(), revision(), year)


@cached()
def _unit_tasks(url: str, revision: int, unit_id: int, code: str) -> pd.DataFrame:
    with read_session() as session:
        return by_unit.unit_tasks(session, unit_id, code)


def unit_tasks(unit_id: int, code: str) -> pd.DataFrame:
    return _unit_tasks(database_url(), revision(), unit_id, code)


@cached(ttl=300)
def _unit_record(url: str, revision: int, unit_id: int, year: int) -> pd.DataFrame:
    with read_session() as session:
        return by_unit.unit_record(session, unit_id, year, clock.now())


def unit_record(unit_id: int, year: int) -> pd.DataFrame:
    return _unit_record(database_url(), revision(), unit_id, year)


@cached()
def _task_numbers(url: str, revision: int, year: int) -> dict[int, str]:
    with read_session() as session:
        return detail_view.task_numbers(session, year)


def task_numbers(year: int) -> dict[int, str]:
    """Task number → its text, for choosing a task."""
    return _task_numbers(database_url(), revision(), year)


TaskDetailData = tuple[detail_view.TaskDetail, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]


@cached()
def _task_detail(url: str, revision: int, no: int, year: int) -> TaskDetailData | None:
    with read_session() as session:
        detail = detail_view.task_detail(session, no, year)
        if detail is None:
            return None
        return (
            detail,
            detail_view.task_timeline(session, detail.id, year),
            detail_view.task_reports(session, detail.id, year),
            detail_view.task_milestones(session, detail.id, year),
            detail_view.task_plan_versions(session, detail.id, year),
        )


def task_detail(no: int, year: int) -> TaskDetailData | None:
    """The task, its month-by-month timeline, every unit's reports on it, the milestones of its
    plan that counts and the versions of that plan; None if unknown."""
    return _task_detail(database_url(), revision(), no, year)
