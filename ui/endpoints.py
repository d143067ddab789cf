"""The app's own HTTP endpoints beside Streamlit's (served by ``st.App`` in app.py): sign-in and
logout, which set and delete the session cookie. A Streamlit script cannot set a cookie, and the
password should never pass through a script's session state, so the sign-in form on the pages
is a plain HTML form that posts here.

- ``POST /auth/login``: checks the password (``accounts.users.check_sign_in`` and
  ``record_sign_in``, throttling per address and account and audit included), starts a
  server-side session (``accounts.sessions``) and sets the cookie, then sends the browser on to
  the page it came from. A refused sign-in answers with a small page
  of its own: the message and the form again.
- ``POST /auth/setup``: the first-run form (no account yet): the first office account, signed
  in at once; refused once any account exists.
- ``POST /auth/logout``: ends the session, deletes the cookie, back to the start page.

All of them refuse a post from another site: its ``Origin`` (or, without one, its ``Referer``) must be
this server, besides the cookie's ``SameSite=Strict``.
"""

from __future__ import annotations

import html
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import sessions, users
from accounts.audit import audit
from cycle.settings import get_setting
from db.engine import read_session, write_session

COOKIE = "duban_session"
LOGIN_PATH = "/auth/login"
LOGOUT_PATH = "/auth/logout"
SETUP_PATH = "/auth/setup"
MAX_FORM_BYTES = 8192
CROSS_SITE = "登录请求不是从本系统的页面发出的，已拒绝。请直接打开本系统的网址登录。"
CROSS_SITE_LOGOUT = "退出请求不是从本系统的页面发出的，已拒绝。"
BAD_FORM = "登录请求不完整，请返回登录页重新填写。"
PASSWORDS_DIFFER = "两次输入的密码不一致，请重新输入。"

_FORM_STYLE = """
.duban-auth label {display:block; margin:0 0 .9rem; font-size:.875rem; color:#1F2933}
.duban-auth input[type=text], .duban-auth input[type=password] {display:block; box-sizing:border-box;
  width:100%; max-width:26rem; margin-top:.35rem; padding:.5rem .75rem; font-size:1rem;
  border:1px solid #D0D5DD; border-radius:.5rem; background:#F3F5F8}
.duban-auth button {padding:.45rem 1.1rem; font-size:1rem; border-radius:.5rem; cursor:pointer;
  border:1px solid #1F4E79; background:#1F4E79; color:#FFFFFF}
.duban-auth button.secondary {background:#FFFFFF; color:#1F2933; border-color:#D0D5DD; font-size:.875rem}
"""


def safe_next(value: str | None) -> str:
    """A path of this site to go on to: never another host (``//host``, ``/\\host``, ``https:``)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or any(c in value for c in "\r\n"):
        return "/"
    return value


def login_form_html(next_path: str) -> str:
    """The sign-in form: drawn on the pages (``st.html``) and on the refusal page alike."""
    return f"""<style>{_FORM_STYLE}</style>
<form class="duban-auth" method="post" action="{LOGIN_PATH}">
<label>用户名<input type="text" name="username" autocomplete="username" maxlength="{users.MAX_USERNAME_LENGTH}"
 required></label>
<label>密码<input type="password" name="password" autocomplete="current-password"
 maxlength="{users.MAX_PASSWORD_LENGTH}" required></label>
<input type="hidden" name="next" value="{html.escape(safe_next(next_path))}">
<button type="submit">登录</button>
</form>"""


def setup_form_html(next_path: str) -> str:
    """The first-run form: the first office account, signed in at once."""
    return f"""<style>{_FORM_STYLE}</style>
<form class="duban-auth" method="post" action="{SETUP_PATH}">
<label>管理员用户名<input type="text" name="username" autocomplete="username"
 maxlength="{users.MAX_USERNAME_LENGTH}" required></label>
<label>密码<input type="password" name="password" autocomplete="new-password"
 maxlength="{users.MAX_PASSWORD_LENGTH}" required></label>
<label>再次输入密码<input type="password" name="again" autocomplete="new-password"
 maxlength="{users.MAX_PASSWORD_LENGTH}" required></label>
<input type="hidden" name="next" value="{html.escape(safe_next(next_path))}">
<button type="submit">创建管理员并登录</button>
</form>"""


def logout_form_html() -> str:
    return f"""<style>{_FORM_STYLE}</style>
<form class="duban-auth" method="post" action="{LOGOUT_PATH}">
<button class="secondary" type="submit">退出登录</button>
</form>"""


def _page(message: str, next_path: str, *, status: int, form: bool = True, setup: bool = False) -> HTMLResponse:
    if not form:
        body = f'<p><a href="{html.escape(safe_next(next_path))}">返回</a></p>'
    else:
        body = setup_form_html(next_path) if setup else login_form_html(next_path)
    return HTMLResponse(
        f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 · 督办</title>
<style>body {{font-family: "Source Sans", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 3rem auto;
max-width: 40rem; padding: 0 1rem; color: #1F2933}}
.error {{padding: .8rem 1rem; border-radius: .5rem; background: #FDECEA; color: #7D1A12; margin: 0 0 1.2rem}}</style>
</head><body><h1>督办 · 重点任务督查</h1><h2>{"初始化管理员" if setup else "登录"}</h2>
<p class="error" role="alert">{html.escape(message)}</p>{body}</body></html>""",
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def _same_origin(request: Request) -> bool:
    """Whether the post comes from a page of this server: its Origin (or Referer) names the host
    the request was sent to (``Host``, or the proxy's ``X-Forwarded-Host``)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return False
    netloc = urlsplit(source).netloc.lower()
    hosts = {request.headers.get("host", "").lower(), request.headers.get("x-forwarded-host", "").lower()}
    return bool(netloc) and netloc in hosts - {""}


def _https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


async def _form(request: Request) -> dict[str, str] | None:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return None
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return None
    return {key: values[0] for key, values in fields.items()}


def _sign_in(username: str, password: str, address: str, agent: str) -> tuple[str | None, str]:
    """The new session's cookie id, or None and why not (in Chinese). The password is checked
    in a read session, outside the database's write lock (argon2 takes a while, and a flood of
    sign-ins must not hold up uploads); the outcome is then written in a short transaction."""
    with read_session() as session:
        check = users.check_sign_in(session, username=username, password=password, client=address)
    with write_session() as session:
        result = users.record_sign_in(session, check=check)
        if not result.ok or result.user_id is None:
            return None, result.message
        idle = timedelta(minutes=get_setting(session, "session_timeout_minutes"))
        lifetime = timedelta(hours=get_setting(session, "session_lifetime_hours"))
        sessions.purge_ended(session, idle=idle)
        token = sessions.start(
            session, user_id=result.user_id, lifetime=lifetime, client_address=address, user_agent=agent
        )
    return token, ""


async def login(request: Request) -> Response:
    form = await _form(request)
    next_path = safe_next((form or {}).get("next"))
    if not _same_origin(request):
        return _page(CROSS_SITE, "/", status=403, form=False)
    if form is None or "username" not in form or "password" not in form:
        return _page(BAD_FORM, next_path, status=400)
    address = request.client.host if request.client else ""
    agent = request.headers.get("user-agent", "")
    token, message = await run_in_threadpool(_sign_in, form["username"], form["password"], address, agent)
    if token is None:
        return _page(message, next_path, status=401)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="strict", secure=_https(request))
    return response


def _set_up(username: str, password: str, address: str, agent: str) -> tuple[str | None, str, bool]:
    """The first office account and its session's cookie id; or None, why not, and whether the
    first-run form still applies (it does not once any account exists)."""
    try:
        with write_session() as session:
            user = users.create_first_admin(session, username=username, password=password)
            audit(session, user.username, "login", {"方式": "初始化管理员"})
            lifetime = timedelta(hours=get_setting(session, "session_lifetime_hours"))
            assert user.id is not None
            token = sessions.start(
                session, user_id=user.id, lifetime=lifetime, client_address=address, user_agent=agent
            )
    except users.AccountError as exc:
        with read_session() as session:
            first_run = not users.has_users(session)
        return None, str(exc), first_run
    return token, "", True


async def setup(request: Request) -> Response:
    form = await _form(request)
    next_path = safe_next((form or {}).get("next"))
    if not _same_origin(request):
        return _page(CROSS_SITE, "/", status=403, form=False)
    if form is None or not {"username", "password", "again"} <= form.keys():
        return _page(BAD_FORM, next_path, status=400, setup=True)
    if form["password"] != form["again"]:
        return _page(PASSWORDS_DIFFER, next_path, status=400, setup=True)
    address = request.client.host if request.client else ""
    agent = request.headers.get("user-agent", "")
    token, message, first_run = await run_in_threadpool(_set_up, form["username"], form["password"], address, agent)
    if token is None:
        return _page(message, next_path, status=400 if first_run else 409, setup=first_run)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="strict", secure=_https(request))
    return response


def _sign_out(token: str | None) -> None:
    with write_session() as session:
        username = sessions.end(session, token=token)
        if username is not None:
            audit(session, username, "logout", {"原因": "主动退出"})


async def logout(request: Request) -> Response:
    if not _same_origin(request):
        return _page(CROSS_SITE_LOGOUT, "/", status=403, form=False)
    token = request.cookies.get(COOKIE)
    if token:
        await run_in_threadpool(_sign_out, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=_https(request))
    return response


async def start_page(request: Request) -> Response:
    """A GET of either address (a bookmark, a reload of the refusal page) changes nothing and
    goes to the start page; without this, Streamlit's own sign-in provider route would answer."""
    return RedirectResponse("/", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route(LOGIN_PATH, login, methods=["POST"]),
        Route(LOGOUT_PATH, logout, methods=["POST"]),
        Route(SETUP_PATH, setup, methods=["POST"]),
        Route(LOGIN_PATH, start_page, methods=["GET"]),
        Route(LOGOUT_PATH, start_page, methods=["GET"]),
        Route(SETUP_PATH, start_page, methods=["GET"]),
    ]
