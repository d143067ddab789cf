"""Access in a real browser: a page opened by its URL asks for sign-in first, on a freshly started
server (where Streamlit serves pages/ files directly) as well as once app.py has run; a shared
link leads to its page after sign-in; a unit never reaches the office's pages. Sessions across
reloads, tabs and servers: tests/browser/test_sessions_browser.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import expect_only_the_sign_in_form, run_finished, sign_in, sign_out
from tests.conftest import add_user
from ui.pages_registry import pages_for

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

    sign_out(page)
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


def test_the_home_pages_own_address_opens_it_for_its_month_without_page_not_found(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    """总览 is served at "/"; its own address (a bookmark, a link typed in a chat) leads there with
    the link's month, signed out (after sign-in) and signed in, never under "Page not found"."""
    add_user("hj", "leader", leader="黄劼")
    page.goto(server.url)  # app.py has run once on this server
    expect_only_the_sign_in_form(page)
    page.goto(f"{server.url}/overview?period=2023-03")
    expect_only_the_sign_in_form(page)
    sign_in(page, "hj")
    for month in ("2023-03", "2023-04"):
        if month != "2023-03":
            page.goto(f"{server.url}/overview?period={month}")
        expect(page.get_by_role("heading", name="总览", exact=True)).to_be_visible()
        expect(page).to_have_url(re.compile(rf"/\?(.*&)?period={month}"))
        run_finished(page)
        expect(page.get_by_text("Page not found")).to_have_count(0)


# Records, from the first paint on, every page list Streamlit draws and every link in the sidebar.
_WATCH_NAVIGATION = r"""
window.__navSeen = [];
window.__sidebarLinks = new Set();
new MutationObserver(() => {
  if (document.querySelector('[data-testid="stSidebarNav"]')) window.__navSeen.push(location.pathname);
  document.querySelectorAll('[data-testid="stSidebar"] a').forEach(
    a => window.__sidebarLinks.add(a.innerText.trim().split('\n').pop()));  // the label after the icon
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def test_a_fresh_server_shows_no_page_list_but_the_roles_and_asks_nothing_of_other_hosts(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    """The first visitor after a restart opens a page's URL directly: Streamlit's own list of the
    files in pages/ never appears, before or after sign-in, and every request goes to the app."""
    add_user("岩寺镇", "unit", unit="岩寺镇")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script(_WATCH_NAVIGATION)

    page.goto(f"{server.url}/upload")
    expect_only_the_sign_in_form(page)
    assert page.evaluate("window.__navSeen") == []
    assert page.evaluate("[...window.__sidebarLinks]") == []

    sign_in(page, "岩寺镇")
    expect(page.get_by_role("heading", name="上传月报")).to_be_visible()
    expect(page.get_by_role("link", name="修改密码")).to_be_visible()
    run_finished(page)
    assert page.evaluate("window.__navSeen") == []
    links = set(page.evaluate("[...window.__sidebarLinks]"))
    unit_pages = {spec.title for spec in pages_for("unit")}
    assert links and links <= unit_pages, links - unit_pages
    assert {"上传月报", "模板下载", "总览"} <= links

    origin = server.url.rstrip("/")
    outside = sorted({url for url in requested if not url.startswith((origin + "/", "data:", "blob:"))})
    assert not outside, outside
    icons = page.locator("link[rel*='icon']")
    expect(icons).not_to_have_count(0)
    assert all(href.startswith((origin, "data:", "/")) for href in icons.evaluate_all("els => els.map(e => e.href)"))
