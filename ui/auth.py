"""Sign-in for the pages. Every page calls ``require`` first: on a freshly started server a file in
pages/ can be opened by URL before app.py has run in that browser, so nothing here relies on
state that app.py set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import streamlit as st

from accounts import users
from accounts.access import Actor
from accounts.audit import audit
from core import clock
from core.vocab import UserRole
from cycle.settings import get_setting
from db.engine import create_schema, database_url, read_session, write_session
from db.models import Leader, Unit, User
from ui import data
from ui.pages_registry import page_links

USER_KEY = "auth_user_id"
SEEN_KEY = "auth_last_seen"
NOTICE_KEY = "auth_notice"


@dataclass(frozen=True)
class _SignedIn:
    actor: Actor
    label: str  # name, role and unit or leader, for the sidebar
    must_change_password: bool


@st.cache_resource(show_spinner=False)
def _schema_ready(url: str) -> bool:
    create_schema()
    return True


def sign_in_as(user_id: int) -> None:
    st.session_state[USER_KEY] = user_id
    st.session_state[SEEN_KEY] = clock.now()


def _forget() -> None:
    for key in (USER_KEY, SEEN_KEY):
        st.session_state.pop(key, None)


def _sign_out(username: str, reason: str) -> None:
    with write_session() as session:
        audit(session, username, "logout", {"原因": reason})
    _forget()


def _signed_in(*, begin_run: bool = False) -> _SignedIn | None:
    """The signed-in user, checked against the database on every run: an account disabled or
    removed meanwhile is signed out at once, and so is a session idle too long. With
    ``begin_run`` the same read also notes this run's data revision (``ui.data``)."""
    _schema_ready(database_url())
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return None
    with read_session() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            _forget()
            return None
        timeout = get_setting(session, "session_timeout_minutes")
        if begin_run:
            data.begin_run(session)  # one data revision for everything this run reads
        extra = ""
        if user.unit_id is not None:
            extra = f" · {session.get(Unit, user.unit_id).name}"  # type: ignore[union-attr]
        elif user.leader_id is not None:
            extra = f" · {session.get(Leader, user.leader_id).name}"  # type: ignore[union-attr]
    now = clock.now()
    last_seen = st.session_state.get(SEEN_KEY)
    if last_seen is not None and now - last_seen > timedelta(minutes=timeout):
        _sign_out(user.username, "长时间无操作")
        st.session_state[NOTICE_KEY] = f"已超过 {timeout} 分钟无操作，请重新登录。"
        return None
    st.session_state[SEEN_KEY] = now
    label = f"{user.username}（{UserRole(user.role).label}{extra}）"
    return _SignedIn(users.actor_for(user), label, user.must_change_password)


def current_actor() -> Actor | None:
    """Who is signed in, or None; renders nothing (app.py builds the page list from it)."""
    signed = _signed_in()
    return signed.actor if signed else None


def require(*roles: str) -> Actor:
    """The signed-in actor if their role is one of ``roles``; otherwise show the sign-in form
    (or 无权访问) and stop the page. It also notes the data revision the page's cached reads
    use for this run (``ui.data.begin_run``)."""
    signed = _signed_in(begin_run=True)
    if signed is None:
        _sign_in_screen()
        st.stop()
    if signed.must_change_password:
        _forced_change_screen(signed)
        st.stop()
    page_links(signed.actor.role)
    _account_sidebar(signed)
    if roles and signed.actor.role not in roles:
        st.error("无权访问：当前账号不能查看此页面。")
        st.stop()
    return signed.actor


def login_page() -> None:
    """The only page before sign-in."""
    require()
    st.rerun()


def own_leader_name(actor: Actor) -> str | None:
    """The leader a leader account stands for, so dashboards can highlight their own tasks."""
    if actor.role != UserRole.LEADER or actor.leader_id is None:
        return None
    with read_session() as session:
        leader = session.get(Leader, actor.leader_id)
    return leader.name if leader else None


# --- screens ----------------------------------------------------------------------


def _sign_in_screen() -> None:
    st.title("督办 · 重点任务督查")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.warning(notice)
    with read_session() as session:
        first_run = not users.has_users(session)
    if first_run:
        _first_run_form()
    else:
        _login_form()


def _client_address() -> str:
    """The browser's address as the server sees it (behind a reverse proxy: the proxy's)."""
    try:
        address = st.context.ip_address
    except Exception:  # no browser connection (a bare script run): no address
        return ""
    return address if isinstance(address, str) else ""  # None, or a stand-in under AppTest


def _login_form() -> None:
    st.subheader("登录")
    with st.form("login", clear_on_submit=True):
        username = st.text_input("用户名", key="login_username")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary", key="login_submit")
    if not submitted:
        return
    client = _client_address()
    with read_session() as session:  # the password is checked here, outside the write lock
        check = users.check_sign_in(session, username=username, password=password, client=client)
    with write_session() as session:
        result = users.record_sign_in(session, check=check)
    if not result.ok:
        st.error(result.message)
        return
    sign_in_as(result.user_id)  # type: ignore[arg-type]
    st.rerun()


def _first_run_form() -> None:
    st.subheader("初始化管理员")
    st.info(
        "系统中还没有任何账号。请为督查室设置第一个管理员账号（密码至少 8 位）。"
        "此表单只在首次使用时出现，设置完成后即失效。"
    )
    with st.form("first_admin"):
        username = st.text_input("管理员用户名", key="first_username")
        password = st.text_input("密码", type="password", key="first_password")
        again = st.text_input("再次输入密码", type="password", key="first_password_again")
        submitted = st.form_submit_button("创建管理员并登录", type="primary", key="first_submit")
    if not submitted:
        return
    if password != again:
        st.error("两次输入的密码不一致，请重新输入。")
        return
    try:
        with write_session() as session:
            user = users.create_first_admin(session, username=username, password=password)
            user_id = user.id
    except users.AccountError as exc:
        st.error(str(exc))
        return
    sign_in_as(user_id)  # type: ignore[arg-type]
    st.rerun()


def _forced_change_screen(signed: _SignedIn) -> None:
    st.title("请修改初始密码")
    st.info("这是您第一次登录，或督查室刚为您重置了密码。请先设置自己的新密码，再使用系统。")
    if password_form(signed.actor):
        st.rerun()
    _account_sidebar(signed)


def password_form(actor: Actor) -> bool:
    """Change one's own password; True once changed."""
    with st.form("change_password", clear_on_submit=True):
        old = st.text_input("原密码", type="password", key="pw_old")
        new = st.text_input(f"新密码（至少 {users.MIN_PASSWORD_LENGTH} 位）", type="password", key="pw_new")
        again = st.text_input("再次输入新密码", type="password", key="pw_again")
        submitted = st.form_submit_button("修改密码", type="primary", key="pw_submit")
    if not submitted:
        return False
    if new != again:
        st.error("两次输入的新密码不一致，请重新输入。")
        return False
    try:
        with write_session() as session:
            users.change_password(session, username=actor.username, old_password=old, new_password=new)
    except users.AccountError as exc:
        st.error(str(exc))
        return False
    st.success("密码已修改。")
    return True


def _account_sidebar(signed: _SignedIn) -> None:
    with st.sidebar:
        st.caption(f"当前用户：{signed.label}")
        if st.button("退出登录", key="auth_logout"):
            _sign_out(signed.actor.username, "主动退出")
            st.rerun()
