"""Access through the app as people use it: sign-in form, first run, roles, forced password
change, throttling, inactivity, and every page guarding itself when opened by URL directly.

Signing in posts to the real sign-in endpoint (``ui/endpoints.py``, through Starlette's test
client); AppTest sends no cookies, so the session id the endpoint set is handed to the AppTest
through its session state (``tests.conftest.TEST_TOKEN_KEY``)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from accounts import users
from accounts.access import SYSTEM
from accounts.audit import entries
from core import clock
from db.backup import sqlite_path
from db.engine import read_session, write_session
from db.models import AuthSession
from tests.conftest import TEST_PASSWORD, TEST_TOKEN_KEY, add_user, cookie_from_session_state
from ui import endpoints
from ui.pages_registry import PAGES, pages_for

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGE_FILES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
ROLES = ("admin", "leader", "unit")
ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture(autouse=True)
def _cookie_in_session_state(monkeypatch: pytest.MonkeyPatch) -> None:
    cookie_from_session_state(monkeypatch)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(Starlette(routes=endpoints.routes()), follow_redirects=False) as test_client:
        yield test_client


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def _page(path: str) -> AppTest:
    return AppTest.from_file(str(ROOT / path), default_timeout=60)


def _post_login(client: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(
        endpoints.LOGIN_PATH, data={"username": username, "password": password, "next": "/"}, headers=ORIGIN
    )


def _sign_in(client: TestClient, at: AppTest, username: str, password: str) -> AppTest:
    """Sign in through the endpoint; the AppTest then runs with the cookie it set."""
    response = _post_login(client, username, password)
    assert response.status_code == 303, response.text
    at.session_state[TEST_TOKEN_KEY] = response.cookies[endpoints.COOKIE]
    client.cookies.clear()
    return at.run()


def _shows_login_form(at: AppTest) -> bool:
    forms = [h.value for h in at.get("html") if f'action="{endpoints.LOGIN_PATH}"' in h.value]
    return len(forms) == 1 and 'type="password"' in forms[0] and not at.text_input


def _shows_no_data(at: AppTest) -> bool:
    return not (at.dataframe or at.table or at.metric or at.get("download_button") or at.get("plotly_chart"))


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _signed_in_as(at: AppTest, username: str) -> bool:
    assert not at.exception, at.exception
    captions = [c.value for c in at.sidebar.caption]
    return not _shows_login_form(at) and any(c.startswith(f"当前用户：{username}（") for c in captions)


def _task_rows(at: AppTest) -> int:
    """Open 任务清单 in the signed-in session and count its rows."""
    at.switch_page("pages/tasks.py").run()
    assert not at.exception, at.exception
    assert [h.value for h in at.header] == ["任务清单"]
    return len(at.dataframe[0].value)


@pytest.mark.parametrize("path", PAGE_FILES)
def test_nothing_is_readable_before_sign_in_even_by_direct_url(loaded: str, path: str) -> None:
    add_user("office", "admin")
    at = _page(path).run()
    assert not at.exception, at.exception
    assert _shows_login_form(at)
    assert _shows_no_data(at)
    assert [h.value for h in at.header] == []


def test_before_sign_in_every_page_of_the_app_shows_only_the_sign_in_form(loaded: str) -> None:
    add_user("office", "admin")
    at = _app().run()
    assert _shows_login_form(at) and _shows_no_data(at)
    for spec in PAGES:  # a shared link to any page
        at.switch_page(spec.path).run()
        assert not at.exception, (spec.path, at.exception)
        assert _shows_login_form(at) and _shows_no_data(at), spec.path
        assert not at.header, spec.path


def _set_up(client: TestClient, username: str, password: str, again: str):  # type: ignore[no-untyped-def]
    data = {"username": username, "password": password, "again": again, "next": "/"}
    return client.post(endpoints.SETUP_PATH, data=data, headers=ORIGIN)


def test_first_run_form_creates_the_admin_signed_in_and_is_gone_afterwards(loaded: str, client: TestClient) -> None:
    at = _app().run()
    assert [s.value for s in at.subheader] == ["初始化管理员"]
    [form] = [h.value for h in at.get("html") if f'action="{endpoints.SETUP_PATH}"' in h.value]
    assert form.count('type="password"') == 2 and "value=" not in form.replace('name="next" value="/"', "")
    assert not at.text_input  # no password in the script's session state

    refused = _set_up(client, "office", "office-pass-1", "office-pass-2")
    assert refused.status_code == 400 and "两次输入的密码不一致，请重新输入。" in refused.text
    assert f'action="{endpoints.SETUP_PATH}"' in refused.text  # the form again
    too_short = _set_up(client, "office", "short", "short")
    assert too_short.status_code == 400 and "密码至少 8 位。" in too_short.text
    for weak in ("12345678", "11111111"):  # a weak password is refused, saying why
        refused = _set_up(client, "office", weak, weak)
        assert refused.status_code == 400 and ("最常见的密码" in refused.text or "同一个字符重复" in refused.text)

    created = _set_up(client, "office", "office-pass-1", "office-pass-1")
    assert created.status_code == 303 and endpoints.COOKIE in created.cookies
    at.session_state[TEST_TOKEN_KEY] = created.cookies[endpoints.COOKIE]
    client.cookies.clear()
    assert _signed_in_as(at.run(), "office")
    assert _task_rows(at) == 125

    again = _set_up(client, "intruder", "intruder-pass-1", "intruder-pass-1")
    assert again.status_code == 409 and "初始化表单已失效" in again.text
    assert f'action="{endpoints.LOGIN_PATH}"' in again.text and endpoints.COOKIE not in again.cookies
    fresh = _app().run()
    assert [s.value for s in fresh.subheader] == ["登录"]
    assert _shows_login_form(fresh)
    assert _signed_in_as(_sign_in(client, fresh, "office", "office-pass-1"), "office")
    with read_session() as session:
        assert users.get_user(session, "intruder") is None
        assert any("初始化管理员" in e.detail for e in entries(session, username="office", action="login"))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_and_reaches_exactly_its_pages(loaded: str, client: TestClient, role: str) -> None:
    add_user("someone", role, **{"unit": {"unit": "岩寺镇"}, "leader": {"leader": "黄劼"}}.get(role, {}))
    at = _sign_in(client, _app().run(), "someone", TEST_PASSWORD)
    assert _signed_in_as(at, "someone")
    allowed = {spec.path for spec in pages_for(role)}
    for spec in PAGES:
        if spec.path in allowed:
            at.switch_page(spec.path)
        else:  # registered, so no "Page not found"; it leads home, and its own guard refuses it
            at.switch_page(spec.path).run()
            assert not at.exception
            assert spec.title not in [h.value for h in at.header]
    assert _task_rows(at) == 125


def test_office_pages_are_for_the_office_only() -> None:
    for path in ("pages/accounts.py", "pages/audit_log.py"):
        assert [role for role in ROLES if any(s.path == path for s in pages_for(role))] == ["admin"]
    assert {s.path for s in pages_for("leader")} >= {"pages/tasks.py", "pages/account.py"}
    assert {s.path for s in pages_for("unit")} >= {"pages/tasks.py", "pages/account.py"}


@pytest.mark.parametrize(
    ("path", "role"), [(spec.path, role) for spec in PAGES for role in ROLES if role not in spec.roles]
)
def test_a_page_opened_by_url_refuses_a_role_it_is_not_for(
    loaded: str, login_as: Callable[..., object], path: str, role: str
) -> None:
    at = _page(path)
    login_as(at, role)
    at.run()
    assert not at.exception, at.exception
    assert "无权访问：当前账号不能查看此页面。" in _errors(at)
    assert _shows_no_data(at)


def test_forced_password_change_comes_before_any_page(loaded: str, client: TestClient) -> None:
    add_user("岩寺镇", "unit", must_change=True, unit="岩寺镇")
    elsewhere = _sign_in(client, _app().run(), "岩寺镇", TEST_PASSWORD)
    at = _sign_in(client, _app().run(), "岩寺镇", TEST_PASSWORD)
    assert [t.value for t in at.title] == ["请修改初始密码"]
    assert _shows_no_data(at)
    at.switch_page("pages/tasks.py").run()
    assert [t.value for t in at.title] == ["请修改初始密码"] and _shows_no_data(at)

    at.text_input(key="pw_old").input(TEST_PASSWORD)
    at.text_input(key="pw_new").input(TEST_PASSWORD)
    at.text_input(key="pw_again").input(TEST_PASSWORD)
    at.button(key="pw_submit").click().run()
    assert _errors(at) == ["新密码不能与原密码相同。"]

    at.text_input(key="pw_old").input(TEST_PASSWORD)
    at.text_input(key="pw_new").input("my-own-pass-7")
    at.text_input(key="pw_again").input("my-own-pass-7")
    at.button(key="pw_submit").click().run()
    assert _signed_in_as(at, "岩寺镇")  # the session it was changed in stays
    assert _task_rows(at) == 125
    assert _shows_login_form(elsewhere.run())  # every other one ends

    again = _sign_in(client, _app().run(), "岩寺镇", "my-own-pass-7")
    assert _signed_in_as(again, "岩寺镇") and not again.title


def test_repeated_failures_make_the_form_wait_then_the_right_password_works(
    loaded: str, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user("office", "admin")
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)  # the attempts come faster than a second
    for _ in range(5):
        refused = _post_login(client, "office", "wrong-password")
        assert refused.status_code == 401 and users.BAD_CREDENTIALS in refused.text
        assert endpoints.COOKIE not in refused.cookies
    refused = _post_login(client, "office", TEST_PASSWORD)  # from this address, a short wait first
    assert refused.status_code == 401 and "登录尝试过于频繁，请 1 秒后再试" in refused.text
    assert 'action="/auth/login"' in refused.text  # the form again, on the endpoint's own page
    with read_session() as session:
        assert not list(session.exec(select(AuthSession)))

    later = start + timedelta(seconds=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert _signed_in_as(_sign_in(client, _app(), "office", TEST_PASSWORD), "office")
    with read_session() as session:
        assert len(entries(session, username="office", action="login_failed")) == 6
        assert len(entries(session, username="office", action="login")) == 1


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="the SQLite write lock")
def test_the_password_is_checked_outside_the_write_lock(
    loaded: str, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While argon2 runs, another process could take the write lock: the sign-in holds none."""
    add_user("office", "admin")
    path = sqlite_path()
    real_verify = users._verify
    free: list[bool] = []

    def verify(password_hash: str, password: str) -> bool:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            free.append(True)
        except sqlite3.OperationalError:
            free.append(False)
        finally:
            other.close()
        return real_verify(password_hash, password)

    monkeypatch.setattr(users, "_verify", verify)
    assert _post_login(client, "office", "wrong-password").status_code == 401
    assert _signed_in_as(_sign_in(client, _app(), "office", TEST_PASSWORD), "office")
    assert free == [True, True]


def _idle_for(minutes: int) -> None:
    with write_session() as session:
        for row in session.exec(select(AuthSession)):
            row.last_seen_at = clock.now() - timedelta(minutes=minutes)


def test_inactivity_ends_the_session(loaded: str, login_as: Callable[..., object]) -> None:
    at = _app()
    login_as(at, "leader")
    at.run()
    assert _signed_in_as(at, "黄劼")
    _idle_for(29)
    at.run()
    assert _signed_in_as(at, "黄劼")

    _idle_for(31)
    at.run()
    assert _shows_login_form(at) and _shows_no_data(at)
    assert [w.value for w in at.warning] == ["已超过 30 分钟无操作，请重新登录。"]
    with read_session() as session:
        assert "长时间无操作" in entries(session, action="logout")[0].detail
        assert not list(session.exec(select(AuthSession)))


def test_logout_and_a_disabled_account_end_the_session(
    loaded: str, client: TestClient, login_as: Callable[..., object]
) -> None:
    at = _app()
    login_as(at, "unit")
    at.run()
    assert _signed_in_as(at, "岩寺镇")
    logout = [h.value for h in at.sidebar.get("html") if endpoints.LOGOUT_PATH in h.value]
    assert len(logout) == 1 and "退出登录" in logout[0]
    client.cookies.set(endpoints.COOKIE, at.session_state[TEST_TOKEN_KEY])
    response = client.post(endpoints.LOGOUT_PATH, headers=ORIGIN)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert f"{endpoints.COOKIE}=" in response.headers["set-cookie"] and "Max-Age=0" in response.headers["set-cookie"]
    at.run()
    assert _shows_login_form(at) and _shows_no_data(at)
    with read_session() as session:
        assert "主动退出" in entries(session, action="logout")[0].detail

    login_as(at, "unit")
    at.run()
    assert _signed_in_as(at, "岩寺镇")
    with write_session() as session:
        users.set_active(session, username="岩寺镇", active=False, actor=SYSTEM)
    at.run()
    assert _shows_login_form(at) and _shows_no_data(at)


def test_a_mistyped_duban_now_is_explained_on_the_page(migrated: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_NOW", "garbage")
    monkeypatch.setattr(clock, "_OFFSET", clock._offset())
    at = _app().run()
    assert not at.exception
    assert "环境变量 DUBAN_NOW" in _errors(at)[0]
