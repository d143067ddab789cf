"""Sign-in for the pages. Every page calls ``require`` first: on a freshly started server a file in
pages/ can be opened by URL before app.py has run in that browser, so nothing here relies on
state that app.py set.

Who is signed in comes from the session cookie the sign-in endpoint set (``ui/endpoints.py``),
read on every run and checked against the server-side session in the database
(``accounts.sessions``): a reload, a new tab or another server process sees the same session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import streamlit as st

from accounts import sessions, users
from accounts.access import Actor
from accounts.audit import audit
from core import clock
from core.vocab import UserRole
from cycle.settings import get_setting
from db.engine import create_schema, database_url, read_session, write_session
from db.models import Leader, Unit
from ui import chrome, data, endpoints
from ui.pages_registry import page_links

NOTICE_KEY = "auth_notice"
ENDED = {
    sessions.Refusal.IDLE: ("长时间无操作", "已超过 {idle} 分钟无操作，请重新登录。"),
    sessions.Refusal.EXPIRED: ("登录超过最长有效时间", "登录已超过 {hours} 小时，请重新登录。"),
    sessions.Refusal.INACTIVE: ("账号已停用", "该账号已停用，请联系督查室。"),
}
STALE = "登录已失效，请重新登录。"


@dataclass(frozen=True)
class _SignedIn:
    actor: Actor
    label: str  # name, role and unit or leader, for the sidebar
    must_change_password: bool
    session_id: int


@st.cache_resource(show_spinner=False)
def _schema_ready(url: str) -> bool:
    create_schema()
    return True


def session_token() -> str | None:
    """This browser's session cookie (HttpOnly: only the server reads it)."""
    return st.context.cookies.get(endpoints.COOKIE)


def _end(token: str, username: str, reason: str) -> None:
    with write_session() as session:
        sessions.end(session, token=token)
        audit(session, username, "logout", {"原因": reason})


def _signed_in(*, begin_run: bool = False) -> _SignedIn | None:
    """The signed-in user, checked against the database on every run: a session ended elsewhere
    (logout, password change, the office), an account disabled meanwhile, a session idle too
    long or past its lifetime all sign out at once. With ``begin_run`` the same read also notes
    this run's data revision (``ui.data``)."""
    _schema_ready(database_url())
    token = session_token()
    if not token:
        return None
    now = clock.now()
    with read_session() as session:
        idle = get_setting(session, "session_timeout_minutes")
        hours = get_setting(session, "session_lifetime_hours")
        check = sessions.check(session, token=token, idle=timedelta(minutes=idle), now=now)
        user, row = check.user, check.session
        if check.ok and user is not None and row is not None:
            if begin_run:
                data.begin_run(session)  # one data revision for everything this run reads
            extra = ""
            if user.unit_id is not None:
                extra = f" · {session.get(Unit, user.unit_id).name}"  # type: ignore[union-attr]
            elif user.leader_id is not None:
                extra = f" · {session.get(Leader, user.leader_id).name}"  # type: ignore[union-attr]
    if not check.ok or user is None or row is None or row.id is None:
        if check.refusal in ENDED and user is not None:
            reason, notice = ENDED[check.refusal]  # type: ignore[index]
            _end(token, user.username, reason)
            st.session_state[NOTICE_KEY] = notice.format(idle=idle, hours=hours)
        else:  # ended elsewhere, or app.py's check of this same run ended it just now
            st.session_state.setdefault(NOTICE_KEY, STALE)
        return None
    if sessions.needs_touch(row, now):
        with write_session(moves_revision=False) as session:  # no page caches it
            sessions.touch(session, session_id=row.id, now=now)
    label = f"{user.username}（{UserRole(user.role).label}{extra}）"
    return _SignedIn(users.actor_for(user), label, user.must_change_password, row.id)


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
    chrome.widget_text()
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


def _here() -> str:
    """This page's path and query, for the sign-in endpoint to send the browser back to."""
    path = urlsplit(st.context.url or "/").path or "/"
    query = urlencode([(key, value) for key in st.query_params for value in st.query_params.get_all(key)])
    return endpoints.safe_next(path + (f"?{query}" if query else ""))


def _login_form() -> None:
    """A plain HTML form posting to the sign-in endpoint: the password goes from the browser
    straight to ``/auth/login`` and never into this script's session state."""
    st.subheader("登录")
    st.html(endpoints.login_form_html(_here()))


def _first_run_form() -> None:
    """Like the sign-in form, a plain HTML form: it posts to ``/auth/setup``, which creates the
    first office account and signs it in."""
    st.subheader("初始化管理员")
    st.info(
        "系统中还没有任何账号。请为督查室设置第一个管理员账号（密码至少 8 位）。"
        "此表单只在首次使用时出现，设置完成后即失效。"
    )
    st.html(endpoints.setup_form_html(_here()))


def _forced_change_screen(signed: _SignedIn) -> None:
    st.title("请修改初始密码")
    st.info("这是您第一次登录，或督查室刚为您重置了密码。请先设置自己的新密码，再使用系统。")
    if password_form(signed.actor):
        st.rerun()
    _account_sidebar(signed)


def password_form(actor: Actor) -> bool:
    """Change one's own password; True once changed. The account's other sessions end; this one
    stays signed in."""
    signed = _signed_in()
    session_id = signed.session_id if signed else None
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
            users.change_password(
                session, username=actor.username, old_password=old, new_password=new, keep_session=session_id
            )
    except users.AccountError as exc:
        st.error(str(exc))
        return False
    st.success("密码已修改。")
    st.caption("此账号在其他浏览器中的登录已全部退出。")
    return True


def _account_sidebar(signed: _SignedIn) -> None:
    with st.sidebar:
        st.caption(f"当前用户：{signed.label}")
        st.html(endpoints.logout_form_html())  # posts to /auth/logout, which deletes the cookie
