"""Widgets whose value lives in the URL, so any view can be shared as a link.

Only whitelisted plain values are read back: a value that is not one of the options is ignored.

The month a page shows is always ``?period=YYYY-MM`` (``core.period.Month.code``), chosen with
the one month picker ``choose_month``; links between pages carry it (``links``), so the month
goes with the user from page to page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

ALL = "全部"
PERIOD = "period"  # the URL parameter of the month, and the key of its picker, on every page


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


def links(period: str, *targets: tuple[str, str, dict[str, str]]) -> None:
    """A row of links to other pages (path, label, their own URL parameters), each carrying
    the month."""
    columns = st.columns(len(targets))
    for column, (page, label, params) in zip(columns, targets, strict=True):
        with column:
            st.page_link(page, label=label, query_params={PERIOD: period, **params})
