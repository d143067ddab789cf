"""Widgets whose value lives in the URL, so any view can be shared as a link.

Only whitelisted plain values are read back: a value that is not one of the options is ignored.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

ALL = "全部"


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
