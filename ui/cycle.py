"""Cached reads for the monthly reporting pages (keyed by database and data revision, see
``ui.data``) and their year and month pickers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import streamlit as st

from core import clock
from core.period import Month
from cycle.periods import all_periods, being_reported, get_period
from db import queries
from db.engine import database_url, read_session
from db.models import Unit
from intake.ingest import HistoryEntry, submission_history
from intake.template import FormStart, build_template, form_start, last_month_values
from office.deductions import Timeliness, report_timeliness
from registry.obligations import obligations
from status.lateness import deadline_phrase
from ui import data
from ui.filters import choose_month, choose_year

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class PeriodInfo:
    code: str
    due_at: datetime
    due_note: str
    closed: bool

    @property
    def due_text(self) -> str:
        return clock.fmt(self.due_at) + (f"（{self.due_note}）" if self.due_note else "")

    @property
    def year(self) -> int:
        return Month.parse(self.code).year

    @property
    def state(self) -> str:
        return "已关闭" if self.closed else "开放"

    def caption(self, now: datetime) -> str:
        """报送截止 with whether it has passed (已过截止 / 距截止 n 天), and open or closed."""
        return f"报送截止：{self.due_text}（{deadline_phrase(self.due_at, now)}）　·　{self.state}"


@data.cached()
def _reporting_units(url: str, revision: int, year: int) -> list[tuple[int, str]]:
    with read_session() as session:
        obliged = obligations(session, year)
        return [(u.id, u.name) for u in queries.units(session) if u.id in obliged]


def reporting_units(year: int) -> list[tuple[int, str]]:
    """(id, name) of every unit with tasks to report on in ``year``, in registry order."""
    return _reporting_units(database_url(), data.revision(), year)


@data.cached()
def _unit_name(url: str, revision: int, unit_id: int) -> str:
    with read_session() as session:
        unit = session.get(Unit, unit_id)
        return unit.name if unit else ""


def unit_name(unit_id: int) -> str:
    return _unit_name(database_url(), data.revision(), unit_id)


@data.cached()
def _periods(url: str, revision: int, year: int) -> list[PeriodInfo]:
    with read_session() as session:
        return [PeriodInfo(p.code, p.due_at, p.due_note, p.closed) for p in all_periods(session, year)]


def periods(year: int) -> list[PeriodInfo]:
    """The periods of ``year``, in order."""
    return _periods(database_url(), data.revision(), year)


def period_select(label: str = "填报月份") -> PeriodInfo:
    """The reporting pages' year and month (default: the month being reported now, or the year's
    last month that has ended). Stops the page when no period exists yet."""
    year = choose_year(default=data.collecting_year())
    infos = periods(year) if year else []
    if not infos:
        st.info("还没有填报月份。请先运行 python cli.py init 载入任务清单。")
        st.stop()
    by_code = {p.code: p for p in infos}
    code = choose_month(
        label,
        list(by_code),
        default=(being_reported(infos, clock.now()) or infos[0]).code,
        format_func=lambda c: f"{c}（已关闭）" if by_code[c].closed else c,
    )
    return by_code[code]


@data.cached(spinner="正在生成模板…", max_entries=256)  # a template per unit
def _template(url: str, revision: int, unit_id: int, code: str, prefill: bool) -> bytes:
    with read_session() as session:
        return build_template(session, unit_id, code, prefill=prefill)


def template(unit_id: int, code: str, *, prefill: bool = False) -> bytes:
    """The unit's template; with ``prefill``, its rows filled with last month's report."""
    return _template(database_url(), data.revision(), unit_id, code, prefill)


@data.cached(max_entries=256)
def _last_month_tasks(url: str, revision: int, unit_id: int, code: str) -> int:
    with read_session() as session:
        return len(last_month_values(session, unit_id, code))


def last_month_tasks(unit_id: int, code: str) -> int:
    """How many of the unit's tasks last month's report can fill in (带入上月填报内容)."""
    return _last_month_tasks(database_url(), data.revision(), unit_id, code)


@data.cached(max_entries=256)
def _form_start(url: str, revision: int, unit_id: int, code: str, prefill: bool) -> FormStart:
    with read_session() as session:
        return form_start(session, unit_id, code, prefill=prefill)


def online_form_start(unit_id: int, code: str, *, prefill: bool = False) -> FormStart:
    return _form_start(database_url(), data.revision(), unit_id, code, prefill)


@data.cached(max_entries=256)
def _history(url: str, revision: int, unit_id: int, code: str) -> list[HistoryEntry]:
    with read_session() as session:
        return submission_history(session, unit_id, get_period(session, code).id)


def history(unit_id: int, code: str) -> list[HistoryEntry]:
    return _history(database_url(), data.revision(), unit_id, code)


def timeliness(unit_id: int, code: str, at: datetime | None = None) -> Timeliness | None:
    """The unit's lateness for the period as of now (never cached: it moves with the clock);
    ``at`` is when an upload now would count as received. None when it owes no report."""
    with read_session() as session:
        return report_timeliness(session, unit_id=unit_id, period=get_period(session, code), as_of=clock.now(), at=at)
