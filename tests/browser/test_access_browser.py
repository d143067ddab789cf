"""Access in a real browser: a page opened by its URL asks for sign-in first, on a freshly started
server (where Streamlit serves pages/ files directly) as well as once app.py has run; a shared
link leads to its page after sign-in; a unit never reaches the office's pages."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD, add_user

pytestmark = pytest.mark.browser


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text(f"当前用户：{username}（").wait_for()


def _shows_only_the_sign_in_form(page) -> bool:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="登录").wait_for()
    return page.locator("[data-testid='stDataFrame']").count() == 0 and page.locator(
        "[data-testid='stHeading']"
    ).all_inner_texts() == ["督办 · 重点任务督查", "登录"]


def test_office_page_opened_by_url_on_a_fresh_server_asks_for_sign_in_first(server, page) -> None:  # type: ignore[no-untyped-def]
    add_user("office", "admin")
    page.goto(f"{server.url}/accounts")
    assert _shows_only_the_sign_in_form(page)
    _sign_in(page, "office")
    page.get_by_role("heading", name="账号管理").wait_for()
    assert server.alive()


def test_shared_link_leads_to_its_page_after_sign_in_and_a_unit_never_reaches_office_pages(server, page) -> None:  # type: ignore[no-untyped-def]
    add_user("hj", "leader", leader="黄劼")
    add_user("岩寺镇", "unit", unit="岩寺镇")
    page.goto(server.url)  # app.py has run once on this server
    assert _shows_only_the_sign_in_form(page)

    page.goto(f"{server.url}/tasks?unit=区市场监管局")
    assert _shows_only_the_sign_in_form(page)
    _sign_in(page, "hj")
    page.get_by_role("heading", name="任务清单").wait_for()
    page.get_by_text("共 ").wait_for()
    assert "unit=" in page.url
    assert page.get_by_role("link", name="账号管理").count() == 0

    page.goto(f"{server.url}/accounts")
    assert _shows_only_the_sign_in_form(page)
    _sign_in(page, "岩寺镇")
    assert page.get_by_role("link", name="上传月报").count() == 1
    assert page.get_by_role("link", name="账号管理").count() == 0
    assert page.get_by_role("heading", name="账号管理").count() == 0
    assert page.get_by_text("无权访问").count() == 0
