"""Sessions in a real browser: a reload, a new tab and a second server keep the user signed in;
logout, expiry, a password change, disabling and the office's sign-out-everywhere end it; a
replayed or forged cookie and a sign-in posted from another site sign nobody in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from accounts import users
from accounts.access import SYSTEM
from core import clock
from db.engine import read_session, write_session
from db.models import AuthSession
from tests.browser.steps import expect_only_the_sign_in_form, sign_in, sign_out
from tests.conftest import TEST_PASSWORD, add_user
from ui.endpoints import COOKIE, CROSS_SITE

pytestmark = pytest.mark.browser


def _signed_in(page: Page, username: str) -> None:
    expect(page.get_by_text(f"当前用户：{username}（")).to_be_visible()


def _cookie(page: Page) -> dict:  # type: ignore[type-arg]
    [cookie] = [c for c in page.context.cookies() if c["name"] == COOKIE]
    return dict(cookie)


def _sessions() -> list[AuthSession]:
    with read_session() as session:
        return list(session.exec(select(AuthSession)))


def test_reload_and_new_tab_stay_signed_in_and_logout_ends_the_session_for_good(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    add_user("office", "admin")
    page.goto(f"{server.url}/tasks?unit=区市场监管局")
    sign_in(page, "office")
    expect(page.get_by_role("heading", name="任务清单")).to_be_visible()
    assert "unit=" in page.url  # the shared link's filter survives the sign-in

    cookie = _cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http here; over https it is Secure
    assert len(cookie["value"]) >= 43
    [row] = _sessions()
    assert row.token_hash != cookie["value"] and cookie["value"] not in row.token_hash
    assert row.client_address == "127.0.0.1" and "Chrome" in row.user_agent
    assert page.evaluate("document.cookie").find(COOKIE) == -1  # no script can read it

    page.reload()
    _signed_in(page, "office")
    expect(page.get_by_role("heading", name="任务清单")).to_be_visible()

    tab = page.context.new_page()
    tab.goto(f"{server.url}/overview")
    _signed_in(tab, "office")
    expect(tab.get_by_role("heading", name="总览")).to_be_visible()
    tab.close()

    sign_out(page)
    assert not [c for c in page.context.cookies() if c["name"] == COOKIE]
    assert _sessions() == []
    page.reload()
    expect_only_the_sign_in_form(page)

    # The old cookie, put back, is refused: its session is gone from the database.
    page.context.add_cookies([cookie])  # type: ignore[list-item]
    page.goto(f"{server.url}/tasks")
    expect_only_the_sign_in_form(page)
    expect(page.get_by_text("登录已失效，请重新登录。")).to_be_visible()


def test_a_forged_cookie_signs_nobody_in(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    add_user("office", "admin")
    page.goto(server.url)
    sign_in(page, "office")
    real = _cookie(page)
    page.context.clear_cookies()
    for forged in (
        "x" * 43,
        real["value"][:-1] + ("A" if real["value"][-1] != "A" else "B"),
        _sessions()[0].token_hash,
    ):
        page.context.add_cookies([{**real, "value": forged}])  # type: ignore[list-item]
        page.goto(f"{server.url}/accounts")
        expect_only_the_sign_in_form(page)
        page.context.clear_cookies()
    assert len(_sessions()) == 1


@pytest.mark.parametrize("how", ["idle", "absolute"])
def test_an_expired_session_is_refused(server, page: Page, how: str) -> None:  # type: ignore[no-untyped-def]
    add_user("office", "admin")
    page.goto(server.url)
    sign_in(page, "office")
    with write_session() as session:
        [row] = session.exec(select(AuthSession))
        if how == "idle":  # 无操作自动退出: 30 minutes
            row.last_seen_at = clock.now() - timedelta(minutes=31)
        else:  # 登录最长有效: 12 hours, however busy the user
            row.created_at = clock.now() - timedelta(hours=12)
            row.expires_at = clock.now() - timedelta(seconds=1)
    page.reload()
    expect_only_the_sign_in_form(page)
    notice = "已超过 30 分钟无操作，请重新登录。" if how == "idle" else "登录已超过 12 小时，请重新登录。"
    expect(page.get_by_text(notice)).to_be_visible()
    assert _sessions() == []


@pytest.mark.parametrize("how", ["password changed", "password reset", "disabled", "signed out everywhere"])
def test_account_changes_end_every_session_of_the_account(server, page: Page, how: str) -> None:  # type: ignore[no-untyped-def]
    add_user("office", "admin")
    add_user("岩寺镇", "unit", unit="岩寺镇")
    page.goto(server.url)
    sign_in(page, "岩寺镇")
    other = page.context.browser.new_context(locale="zh-CN")  # type: ignore[union-attr]
    try:
        elsewhere = other.new_page()
        elsewhere.goto(server.url)
        sign_in(elsewhere, "岩寺镇")
        with write_session() as session:
            if how == "password changed":
                users.change_password(
                    session, username="岩寺镇", old_password=TEST_PASSWORD, new_password="new-pass-77"
                )
            elif how == "password reset":
                users.reset_password(session, username="岩寺镇", new_password="reset-pass-88", actor=SYSTEM)
            elif how == "disabled":
                users.set_active(session, username="岩寺镇", active=False, actor=SYSTEM)
            else:
                users.sign_out_everywhere(session, username="岩寺镇", actor=SYSTEM)
        for browser_page in (page, elsewhere):
            browser_page.reload()
            expect_only_the_sign_in_form(browser_page)
    finally:
        other.close()
    assert _sessions() == []


_CROSS_SITE_FORM = """<!doctype html><meta charset="utf-8">
<form method="post" action="{url}/auth/login">
<input name="username" value="office"><input name="password" value="{password}"><input name="next" value="/">
<button type="submit">go</button></form>"""


def test_a_sign_in_posted_from_another_site_is_refused(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    add_user("office", "admin")
    page.route(
        "http://other.example/",
        lambda route: route.fulfill(
            body=_CROSS_SITE_FORM.format(url=server.url, password=TEST_PASSWORD), content_type="text/html"
        ),
    )
    page.goto("http://other.example/")
    page.get_by_role("button", name="go").click()
    expect(page.get_by_text(CROSS_SITE)).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == COOKIE]
    assert _sessions() == []

    page.goto(server.url)  # and nobody is signed in here
    expect_only_the_sign_in_form(page)


def test_a_second_server_on_the_same_database_knows_the_session(server, second_server, page: Page) -> None:  # type: ignore[no-untyped-def]
    add_user("office", "admin")
    page.goto(f"{server.url}/tasks")
    sign_in(page, "office")
    expect(page.get_by_role("heading", name="任务清单")).to_be_visible()

    page.goto(f"{second_server.url}/tasks")  # a reload that the proxy sends to the other replica
    _signed_in(page, "office")
    expect(page.get_by_role("heading", name="任务清单")).to_be_visible()

    sign_out(page)  # on the second server
    page.goto(f"{server.url}/tasks")
    expect_only_the_sign_in_form(page)
    assert server.alive() and second_server.alive()


def test_a_wrong_password_shows_why_and_the_form_again_then_leads_to_the_page(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    add_user("office", "admin")
    page.goto(f"{server.url}/accounts")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text(users.BAD_CREDENTIALS)
    assert not [c for c in page.context.cookies() if c["name"] == COOKIE]

    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    _signed_in(page, "office")
    expect(page.get_by_role("heading", name="账号管理")).to_be_visible()

    page.goto(f"{server.url}/auth/login")  # a GET changes nothing
    _signed_in(page, "office")


def test_the_first_run_form_creates_the_admin_signed_in_for_good(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/accounts")
    expect(page.get_by_role("heading", name="初始化管理员")).to_be_visible()
    page.get_by_label("管理员用户名").fill("office")
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("再次输入密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="创建管理员并登录").click()
    _signed_in(page, "office")
    expect(page.get_by_role("heading", name="账号管理")).to_be_visible()
    page.reload()
    _signed_in(page, "office")
    assert len(_sessions()) == 1
