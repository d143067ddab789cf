"""Steps shared by the browser tests. Streamlit draws a page in pieces while its script runs, so
every step waits, through Playwright's ``expect``, for the content it relies on; nothing sleeps
for a fixed time or reads the page before that content is there."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.conftest import TEST_PASSWORD

GRID = "[data-testid='stDataFrame']"


def sign_in(page: Page, username: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text(f"当前用户：{username}（")).to_be_visible()


def sign_out(page: Page) -> None:
    """退出登录 in the sidebar: the logout endpoint sends the browser back to the sign-in form."""
    page.get_by_role("button", name="退出登录").click()
    expect_only_the_sign_in_form(page)


def run_finished(page: Page) -> None:
    """Wait until the script run that drew what the caller just waited for has ended, so that
    what is absent now stays absent. Call it only after waiting for content of that run: right
    after a click the next run may not have started yet."""
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")


def expect_only_the_sign_in_form(page: Page) -> None:
    """The sign-in form and nothing of the page asked for."""
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    run_finished(page)
    expect(page.get_by_test_id("stHeading")).to_have_text(["督办 · 重点任务督查", "登录"])
    expect(page.locator(GRID)).to_have_count(0)


def grid_row(page: Page, *texts: str) -> Locator:
    """The row of a data grid holding every one of ``texts``. Grids are drawn on a canvas, with
    their cells mirrored in an accessible table inside it."""
    rows = page.locator(f"{GRID} table tr")
    for text in texts:
        rows = rows.filter(has_text=text)
    return rows
