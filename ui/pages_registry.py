"""Which pages exist and who may open them: one line per page, in navigation order.

The roles here decide the page list app.py shows; each page file checks the same roles itself
with ``ui.auth.require`` (tests hold the two together). The first page a role sees is its home.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError
from streamlit.navigation.page import StreamlitPage

from accounts.access import Actor
from core.vocab import UserRole

OFFICE = (UserRole.ADMIN,)
UNITS = (UserRole.ADMIN, UserRole.UNIT)
EVERYONE = UserRole.accounts()


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to app.py
    title: str
    icon: str
    roles: tuple[str, ...]
    section: str


PAGES: list[PageSpec] = [
    PageSpec("pages/overview.py", "总览", ":material/dashboard:", EVERYONE, "看板"),
    PageSpec("pages/by_category.py", "按分类", ":material/category:", EVERYONE, "看板"),
    PageSpec("pages/by_leader.py", "按领导", ":material/person:", EVERYONE, "看板"),
    PageSpec("pages/by_unit.py", "按单位", ":material/apartment:", EVERYONE, "看板"),
    PageSpec("pages/task_detail.py", "任务详情", ":material/search:", EVERYONE, "看板"),
    PageSpec("pages/tasks.py", "任务清单", ":material/checklist:", EVERYONE, "任务"),
    PageSpec("pages/plans.py", "节点计划", ":material/flag:", EVERYONE, "任务"),
    PageSpec("pages/template.py", "模板下载", ":material/download:", UNITS, "月报"),
    PageSpec("pages/upload.py", "上传月报", ":material/upload_file:", UNITS, "月报"),
    PageSpec("pages/my_standing.py", "本单位情况", ":material/badge:", (UserRole.UNIT,), "月报"),
    PageSpec("pages/inspections.py", "督查督导", ":material/fact_check:", EVERYONE, "督查"),
    PageSpec("pages/reporting_status.py", "报送情况", ":material/assignment_turned_in:", OFFICE, "督查室"),
    PageSpec("pages/review.py", "复核", ":material/task_alt:", OFFICE, "督查室"),
    PageSpec("pages/deductions.py", "考核扣分", ":material/remove_circle:", OFFICE, "督查室"),
    PageSpec("pages/bulletin.py", "督查通报", ":material/article:", OFFICE, "督查室"),
    PageSpec("pages/report_settings.py", "报送设置", ":material/event:", OFFICE, "督查室"),
    PageSpec("pages/tasks_import.py", "任务导入", ":material/upload:", OFFICE, "督查室"),
    PageSpec("pages/units_admin.py", "单位管理", ":material/account_balance:", OFFICE, "督查室"),
    PageSpec("pages/accounts.py", "账号管理", ":material/group:", OFFICE, "督查室"),
    PageSpec("pages/audit_log.py", "审计日志", ":material/receipt_long:", OFFICE, "督查室"),
    PageSpec("pages/account.py", "修改密码", ":material/key:", EVERYONE, "我的账号"),
]


def pages_for(role: str) -> list[PageSpec]:
    return [spec for spec in PAGES if role in spec.roles]


def _page(spec: PageSpec, *, url_path: str | None = None) -> StreamlitPage:
    return st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=url_path)


# The home page is served at the root ("/"), and Streamlit then knows no page by its own address
# ("/overview"): opened from a bookmark or a link typed in a chat, it would run the home page under
# an English "Page not found". So the home page is registered under this reserved name, and its
# own address by a page that leads to "/" with the same query parameters.
_HOME_RESERVED = "home-page"


def _leads_home(home: StreamlitPage) -> Callable[[], None]:
    def lead_home() -> None:
        params = [(key, value) for key in st.query_params for value in st.query_params.get_all(key)]
        st.switch_page(home, query_params=params)

    return lead_home


def navigation(actor: Actor | None, *, login_page: Callable[[], None]) -> StreamlitPage:
    """Set up the navigation for this actor and return the page to run.

    Before sign-in the sign-in page is the only one shown. The others are registered hidden so
    that a shared link still opens its page after sign-in; until then every page shows nothing
    but the sign-in form (``ui.auth.require``). After sign-in every page is registered, still
    hidden (the list users see is ``page_links``), the role's home first, at "/": the address of
    a page outside the role leads there, and so does the home page's own address (``/overview``,
    with its query parameters), instead of Streamlit's English "Page not found"."""
    if actor is None:
        login = st.Page(login_page, title="登录", icon=":material/login:", url_path="login", default=True)
        return st.navigation([login, *(_page(spec) for spec in PAGES)], position="hidden")
    allowed = pages_for(actor.role)
    home = _page(allowed[0], url_path=_HOME_RESERVED)
    own_address = st.Page(_leads_home(home), title=allowed[0].title, url_path=Path(allowed[0].path).stem)
    others = [_page(spec) for spec in PAGES if spec is not allowed[0]]
    chosen = st.navigation([home, own_address, *others], position="hidden")
    if chosen.title not in {spec.title for spec in allowed}:
        st.switch_page(home)
    return chosen


def page_links(role: str) -> None:
    """The role's pages as links in the sidebar, by section: the only page list anyone sees.

    Streamlit's own list is switched off (``client.showSidebarNavigation``): after a restart it
    would show every file in ``pages/``, in English, to the first visitor, whose page then runs
    before app.py ever has. So the list is drawn by the page guard that every page runs
    (``ui.auth.require``), whether app.py has run yet or not."""
    place = st.sidebar.empty()
    try:
        with place.container():
            section = None
            for spec in pages_for(role):
                if spec.section != section:
                    section = spec.section
                    st.caption(section)
                st.page_link(spec.path, label=spec.title, icon=spec.icon)
    except StreamlitPageNotFoundError:  # a page run as its own entry point (AppTest) has no others
        place.empty()
