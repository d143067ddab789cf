"""Widgets whose value lives in the URL, so any view can be shared as a link.

Only whitelisted plain values are read back: a value that is not one of the options is ignored.

The year a page shows is ``?year=YYYY``, chosen with ``choose_year`` (shown only when the
database holds more than one year). The month is always ``?period=YYYY-MM``
(``core.period.Month.code``), chosen with the one month picker ``choose_month`` among the chosen
year's months; links between pages carry both (``links``), so the year and the month go with the
user from page to page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from core.period import Month, PeriodError
from ui import data

ALL = "全部"
PERIOD = "period"  # the URL parameter of the month, and the key of its picker, on every page
YEAR = "year"  # the URL parameter of the year, and the key of its picker, on every page


def url_select(label: str, param: str, options: Sequence[str], *, default: str = ALL, key: str | None = None) -> str:
    """A selectbox whose choice is mirrored in ``?param=``; returns the chosen option."""
    options = list(options)
    wanted = st.query_params.get(param, default)
    index = options.index(wanted) if wanted in options else (options.index(default) if default in options else 0)
    choice = st.selectbox(label, options, index=index, key=key or f"url_{param}")
    if choice == default:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = choice
    return choice


def url_text(label: str, param: str, *, placeholder: str = "", key: str | None = None) -> str:
    value = st.text_input(
        label, value=st.query_params.get(param, "")[:100], placeholder=placeholder, key=key or f"url_{param}"
    )
    value = value.strip()
    if value:
        st.query_params[param] = value
    else:
        st.query_params.pop(param, None)
    return value


def _year_to_url() -> None:
    st.query_params[YEAR] = str(st.session_state[YEAR])


def wanted_year(years: Sequence[int]) -> int | None:
    """The year the URL asks for: a valid ``?year``, else the year of a valid ``?period``;
    None when neither names one of ``years``."""
    asked = st.query_params.get(YEAR, "")
    if asked.isdigit() and int(asked) in years:
        return int(asked)
    try:
        year = Month.parse(st.query_params.get(PERIOD, "")).year
    except PeriodError:
        return None
    return year if year in years else None


def choose_year(label: str = "年度", *, default: int | None = None) -> int | None:
    """The year picker: the years that have tasks, latest first, the choice always written to
    ``?year=``. The URL decides (a valid ``?year``, else the year of a valid ``?period``); without
    either the page's ``default`` applies if it has tasks, else the latest year that has tasks.
    With a single year there is nothing to choose and no picker is shown. None when no year has
    tasks (the page says so)."""
    years = data.years()
    if not years:
        return None
    chosen = wanted_year(years) or (default if default in years else years[-1])
    if len(years) > 1:
        st.session_state[YEAR] = chosen
        st.selectbox(label, list(reversed(years)), key=YEAR, format_func=lambda y: f"{y}年", on_change=_year_to_url)
    st.query_params[YEAR] = str(chosen)
    return chosen


def _month_to_url() -> None:
    st.query_params[PERIOD] = st.session_state[PERIOD]


def choose_month(label: str, codes: Sequence[str], *, default: str, format_func: Callable[[str], str] = str) -> str:
    """The month picker: a selectbox of ``codes`` (``YYYY-MM``) whose choice is always written
    to ``?period=``. The URL decides what is shown (a shared link, a page link, the browser's
    back button); without a month there, or with one not among ``codes``, the page's own
    ``default`` applies. Returns the chosen code."""
    codes = list(codes)
    wanted = st.query_params.get(PERIOD)
    chosen = wanted if wanted in codes else default
    st.session_state[PERIOD] = chosen
    st.selectbox(label, codes, key=PERIOD, format_func=format_func, on_change=_month_to_url)
    st.query_params[PERIOD] = chosen
    return chosen


def period_params(period: str) -> dict[str, str]:
    """The URL parameters that name a month: its year and the month itself."""
    return {YEAR: str(Month.parse(period).year), PERIOD: period}


def links(period: str, *targets: tuple[str, str, dict[str, str]]) -> None:
    """A row of links to other pages (path, label, their own URL parameters), each carrying
    the year and the month."""
    columns = st.columns(len(targets))
    for column, (page, label, params) in zip(columns, targets, strict=True):
        with column:
            st.page_link(page, label=label, query_params={**period_params(period), **params})
