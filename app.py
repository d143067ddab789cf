"""Duban: the entry point builds the page list."""

import streamlit as st

from core import clock
from db.engine import database_url
from registry.loader import ensure_loaded
from ui import auth
from ui.pages_registry import navigation

st.set_page_config(page_title="督办 · 重点任务督查", page_icon=":material/fact_check:", layout="wide")

try:
    clock.check()
except clock.ClockError as exc:  # a mistyped DUBAN_NOW: say so instead of failing on every page
    st.error(str(exc))
    st.stop()


@st.cache_resource(show_spinner="正在初始化数据库…")
def _prepare_database(url: str) -> bool:
    ensure_loaded()
    return True


_prepare_database(database_url())

# Pages are registered, with the roles that may open them, in ui/pages_registry.py.
navigation(auth.current_actor()).run()
