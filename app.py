"""Duban: the entry point. ``streamlit run app.py`` imports this file once as the web app (``app``
below: Streamlit's own server plus the sign-in endpoints of ``ui/endpoints.py``) and then runs
it as the script of every page: the sign-in gate and the page list for the user's role."""

from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

if get_script_run_ctx(suppress_warning=True) is None:  # imported by the server, not run as a page's script
    from starlette.middleware import Middleware

    from ui.connections import SessionLimit
    from ui.endpoints import routes

    # At most DUBAN_MAX_SESSIONS_PER_CLIENT open sessions per client address (ui/connections.py).
    app = st.App(Path(__file__), routes=routes(), middleware=[Middleware(SessionLimit)])
else:
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
