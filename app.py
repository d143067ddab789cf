"""Duban: the entry point builds the page list."""

import streamlit as st

from db.engine import database_url
from seed.loader import ensure_loaded

st.set_page_config(page_title="督办 · 重点任务督查", page_icon="📋", layout="wide")


@st.cache_resource(show_spinner="正在初始化数据库…")
def _prepare_database(url: str) -> bool:
    ensure_loaded()
    return True


_prepare_database(database_url())

pages = [st.Page("pages/tasks.py", title="任务清单", icon="📋", default=True)]
st.navigation(pages).run()
