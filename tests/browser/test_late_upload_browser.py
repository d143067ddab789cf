"""A late report in a real browser: after the March deadline, the upload page warns that the
upload will count as 迟报 and, once accepted, says how many days late and what it deducts. The
server's clock is set to 8 April 2023, three days after the deadline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.steps import grid_row, sign_in
from tests.conftest import add_user
from tests.monthly_kit import SMALL_UNIT, XLSX_MIME, filled

pytestmark = pytest.mark.browser


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"DUBAN_NOW": "2023-04-08T10:00:00+08:00"}


def test_a_late_upload_is_announced_before_and_confirmed_after(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    add_user(SMALL_UNIT, "unit", unit=SMALL_UNIT)
    page.goto(f"{server.url}/upload?period=2023-03")
    sign_in(page, SMALL_UNIT)
    expect(page.get_by_role("heading", name="上传月报")).to_be_visible()
    expect(page.get_by_text("报送截止：2023-04-05 23:59（已过截止）")).to_be_visible()
    expect(page.get_by_text("现在上传将计为迟报（迟 3 天），按规定扣 0.1 分")).to_be_visible()

    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        {"name": "三月.xlsx", "mimeType": XLSX_MIME, "buffer": filled()}
    )
    submit = page.get_by_role("button", name="上传并检查")
    expect(submit).to_be_enabled()
    submit.click()
    expect(page.get_by_text(f"已接收：{SMALL_UNIT} 2023-03 第 1 版")).to_be_visible()
    late = page.get_by_text("本次为迟报：报送截止时间为 2023-04-05 23:59，迟 3 天，按规定扣 0.1 分。")
    expect(late).to_be_visible()
    expect(page.get_by_text("现在上传将计为迟报")).to_have_count(0)
    expect(grid_row(page, "通过（当前版本）")).to_have_count(1)  # the history is drawn too
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "late_upload.png"), full_page=True)
    assert server.alive()
