"""Access in a real browser: a page opened by its URL asks for sign-in first, on a freshly started
server (where Streamlit serves pages/ files directly) as well as once app.py has run; a shared
link leads to its page after sign-in; a unit never reaches the office's pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import expect_only_the_sign_in_form, run_finished, sign_in
from tests.conftest import add_user

pytestmark = pytest.mark.browser


def test_office_page_opened_by_url_on_a_fresh_server_asks_for_sign_in_first(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    add_user("office", "admin")
    page.goto(f"{server.url}/accounts")
    expect_only_the_sign_in_form(page)
    sign_in(page, "office")
    expect(page.get_by_role("heading", name="账号管理")).to_be_visible()
    assert server.alive()


def test_shared_link_leads_to_its_page_after_sign_in_and_a_unit_never_reaches_office_pages(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    add_user("hj", "leader", leader="黄劼")
    add_user("岩寺镇", "unit", unit="岩寺镇")
    page.goto(server.url)  # app.py has run once on this server
    expect_only_the_sign_in_form(page)

    page.goto(f"{server.url}/tasks?unit=区市场监管局")
    expect_only_the_sign_in_form(page)
    sign_in(page, "hj")
    expect(page.get_by_role("heading", name="任务清单")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^共 \d+ 项"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]unit="))
    expect(page.get_by_role("link", name="任务清单")).to_have_count(1)
    run_finished(page)
    expect(page.get_by_role("link", name="账号管理")).to_have_count(0)

    page.goto(f"{server.url}/accounts")
    expect_only_the_sign_in_form(page)
    sign_in(page, "岩寺镇")
    # The unit lands on its home page; the office's page never runs for it.
    expect(page.get_by_role("heading", name="总览")).to_be_visible()
    expect(page.get_by_role("link", name="上传月报")).to_have_count(1)
    run_finished(page)
    expect(page.get_by_role("link", name="账号管理")).to_have_count(0)
    expect(page.get_by_role("heading", name="账号管理")).to_have_count(0)
    expect(page.get_by_text("无权访问")).to_have_count(0)
