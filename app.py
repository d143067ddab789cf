"""Duban: the entry point builds the page list."""

from pathlib import Path

import streamlit as st

from core import clock
from db.engine import database_url
from registry.loader import ensure_loaded
from ui import auth
from ui.pages_registry import navigation

# A local file: a Material icon as page icon makes every browser fetch it from fonts.gstatic.com.
ICON = Path(__file__).parent / "ui" / "assets" / "icon.png"
st.set_page_config(page_title="督办 · 重点任务督查", page_icon=str(ICON), layout="wide")

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
navigation(auth.current_actor(), login_page=auth.login_page).run()
