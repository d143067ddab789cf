"""Duban: the entry point builds the page list."""

import streamlit as st

from db.engine import database_url
from registry.loader import ensure_loaded
from ui import auth
from ui.pages_registry import navigation

st.set_page_config(page_title="督办 · 重点任务督查", page_icon=":material/fact_check:", layout="wide")


@st.cache_resource(show_spinner="正在初始化数据库…")
def _prepare_database(url: str) -> bool:
    ensure_loaded()
    return True


_prepare_database(database_url())

# Pages are registered, with the roles that may open them, in ui/pages_registry.py.
navigation(auth.current_actor()).run()
