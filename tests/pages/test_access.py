"""Access through the app as people use it: sign-in form, first run, roles, forced password
change, throttling, inactivity, and every page guarding itself when opened by URL directly."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from accounts import users
from accounts.access import SYSTEM
from accounts.audit import entries
from core import clock
from db.backup import sqlite_path
from db.engine import read_session, write_session
from tests.conftest import TEST_PASSWORD, add_user
from ui import auth
from ui.pages_registry import PAGES, pages_for

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGE_FILES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
ROLES = ("admin", "leader", "unit")


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def _page(path: str) -> AppTest:
    return AppTest.from_file(str(ROOT / path), default_timeout=60)


def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button(key="login_submit").click().run()


def _shows_login_form(at: AppTest) -> bool:
    return [t.label for t in at.text_input] == ["用户名", "密码"] and at.button(key="login_submit") is not None


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


def test_first_run_form_creates_the_admin_and_is_gone_afterwards(loaded: str) -> None:
    at = _app().run()
    assert [s.value for s in at.subheader] == ["初始化管理员"]
    assert not at.text_input(key="first_password").value  # never a default password
    at.text_input(key="first_username").input("office")
    at.text_input(key="first_password").input("office-pass-1")
    at.text_input(key="first_password_again").input("office-pass-2")
    at.button(key="first_submit").click().run()
    assert _errors(at) == ["两次输入的密码不一致，请重新输入。"]

    for weak in ("12345678", "11111111"):  # a weak password is refused, saying why
        at.text_input(key="first_password").input(weak)
        at.text_input(key="first_password_again").input(weak)
        at.button(key="first_submit").click().run()
        assert "最常见的密码" in _errors(at)[0] or "同一个字符重复" in _errors(at)[0]
        assert [s.value for s in at.subheader] == ["初始化管理员"]

    at.text_input(key="first_password").input("office-pass-1")
    at.text_input(key="first_password_again").input("office-pass-1")
    at.button(key="first_submit").click().run()
    assert _signed_in_as(at, "office")
    assert _task_rows(at) == 125

    fresh = _app().run()
    assert [s.value for s in fresh.subheader] == ["登录"]
    assert _shows_login_form(fresh)
    assert _signed_in_as(_sign_in(fresh, "office", "office-pass-1"), "office")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_and_reaches_exactly_its_pages(loaded: str, role: str) -> None:
    add_user("someone", role, **{"unit": {"unit": "岩寺镇"}, "leader": {"leader": "黄劼"}}.get(role, {}))
    at = _sign_in(_app().run(), "someone", TEST_PASSWORD)
    assert _signed_in_as(at, "someone")
    allowed = {spec.path for spec in pages_for(role)}
    for spec in PAGES:
        if spec.path in allowed:
            at.switch_page(spec.path)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(spec.path)
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


def test_forced_password_change_comes_before_any_page(loaded: str) -> None:
    add_user("岩寺镇", "unit", must_change=True, unit="岩寺镇")
    at = _sign_in(_app().run(), "岩寺镇", TEST_PASSWORD)
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
    assert _signed_in_as(at, "岩寺镇")
    assert _task_rows(at) == 125

    again = _sign_in(_app().run(), "岩寺镇", "my-own-pass-7")
    assert _signed_in_as(again, "岩寺镇") and not again.title


def test_repeated_failures_make_the_form_wait_then_the_right_password_works(
    loaded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user("office", "admin")
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)  # the attempts come faster than a second
    at = _app().run()
    for _ in range(5):
        assert _errors(_sign_in(at, "office", "wrong-password")) == [users.BAD_CREDENTIALS]
    refused = _sign_in(at, "office", TEST_PASSWORD)  # from this browser, a short wait first
    assert "登录尝试过于频繁，请 1 秒后再试" in _errors(refused)[0]
    assert _shows_login_form(refused) and _shows_no_data(refused)

    later = start + timedelta(seconds=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert _signed_in_as(_sign_in(at, "office", TEST_PASSWORD), "office")
    with read_session() as session:
        assert len(entries(session, username="office", action="login_failed")) == 6
        assert len(entries(session, username="office", action="login")) == 1


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="the SQLite write lock")
def test_the_password_is_checked_outside_the_write_lock(loaded: str, monkeypatch: pytest.MonkeyPatch) -> None:
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
    at = _app().run()
    assert _errors(_sign_in(at, "office", "wrong-password")) == [users.BAD_CREDENTIALS]
    assert _signed_in_as(_sign_in(at, "office", TEST_PASSWORD), "office")
    assert free == [True, True]


def test_inactivity_ends_the_session(loaded: str, login_as: Callable[..., object]) -> None:
    at = _app()
    login_as(at, "leader")
    at.run()
    assert _signed_in_as(at, "黄劼")
    at.session_state[auth.SEEN_KEY] = clock.now() - timedelta(minutes=29)
    at.run()
    assert _signed_in_as(at, "黄劼")

    at.session_state[auth.SEEN_KEY] = clock.now() - timedelta(minutes=31)
    at.run()
    assert _shows_login_form(at) and _shows_no_data(at)
    assert [w.value for w in at.warning] == ["已超过 30 分钟无操作，请重新登录。"]
    with read_session() as session:
        assert "长时间无操作" in entries(session, action="logout")[0].detail


def test_logout_and_a_disabled_account_end_the_session(loaded: str, login_as: Callable[..., object]) -> None:
    at = _app()
    login_as(at, "unit")
    at.run()
    at.button(key="auth_logout").click().run()
    assert _shows_login_form(at) and _shows_no_data(at)

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
