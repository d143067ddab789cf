"""A unit clerk in a real browser: the online form on 上传月报 (last month's report as the
starting point, a refused row shown by task and column, then accepted), the message for an .ods
file, and 本单位情况 (the record, each deduction in words, an appeal filed). The server's clock is
set to 3 April 2023: March is being reported, January was missed, February was on time.
Screenshots are saved as test artifacts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from accounts.access import SYSTEM
from intake.ingest import ingest_upload
from tests.browser.conftest import ARTIFACTS
from tests.browser.steps import grid_row, run_finished, sign_in
from tests.conftest import add_user
from tests.monthly_kit import ODS_MIME, SMALL_UNIT, filled, open_document

pytestmark = pytest.mark.browser

ROW_HEIGHT = 35  # Streamlit's data grid: header and rows


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"DUBAN_NOW": "2023-04-03T10:00:00+08:00"}


def _february() -> None:
    report = filled(period="2023-02", progress=50, text="召开专题会")
    received = datetime(2023, 3, 3, 9)
    assert ingest_upload(report, file_name="二月.xlsx", unit=SMALL_UNIT, actor=SYSTEM, received_at=received).accepted


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _select_cell(editor: Locator, page: Page, column: int) -> None:
    """Select the first row's cell in ``column`` (0 = 序号): click its first cell, move right."""
    editor.click(position={"x": 20, "y": ROW_HEIGHT + ROW_HEIGHT // 2})
    for _ in range(column):
        page.keyboard.press("ArrowRight")


def _until_shown(page: Page, shown: Locator, action: Callable[[], None]) -> None:
    """Do ``action`` until ``shown`` is visible. A grid drawn anew by the last run may not take
    the first click on a busy machine; what the action should bring is what is waited for, and
    the action is tried again (a few times at most) when it did not come."""
    for _ in range(4):
        action()
        try:
            shown.wait_for(state="visible", timeout=5_000)
            return
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    expect(shown).to_be_visible()


def test_a_clerk_fills_the_online_form_and_sees_the_ods_message(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    _february()
    add_user(SMALL_UNIT, "unit", unit=SMALL_UNIT)
    page.goto(f"{server.url}/upload?period=2023-03")
    sign_in(page, SMALL_UNIT)
    expect(page.get_by_role("heading", name="上传月报")).to_be_visible()

    # An .ods: the file picker takes it and the page says how to save it as .xlsx.
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        {
            "name": "三月.ods",
            "mimeType": ODS_MIME,
            "buffer": open_document(),
        }
    )
    page.get_by_role("button", name="上传并检查").click()
    expect(grid_row(page, "OpenDocument 表格（.ods", "另存为", "Excel 工作簿（*.xlsx）")).to_have_count(1)
    expect(page.get_by_text("Word 文档")).to_have_count(0)
    run_finished(page)
    _shot(page, "clerk-upload-ods")

    page.get_by_role("tab", name="在线填报").click()
    page.get_by_text("带入上月填报内容").click()
    expect(page.get_by_text("表中已填入2023-02 报送的内容，请逐项核对修改后提交。")).to_be_visible()
    run_finished(page)
    editor = page.get_by_test_id("stDataFrame").first
    expect(editor).to_be_visible()
    expect(grid_row(page, "53", "序时推进")).to_have_count(1)

    # Clear the first task's 本月工作进展 (column 5) and submit: refused, by task and column.
    def clear_first_text() -> None:
        _select_cell(editor, page, 5)
        page.keyboard.press("Delete")

    _until_shown(page, page.get_by_text("本月工作进展 3/4 项"), clear_first_text)  # reached the server
    run_finished(page)
    page.get_by_role("button", name="提交在线填报").click()
    expect(page.get_by_text("未通过校验：共 1 处问题，本次提交未保存任何内容")).to_be_visible()
    expect(grid_row(page, "第 53 项", "本月工作进展", "请填写本月工作进展")).to_have_count(1)
    run_finished(page)
    _shot(page, "clerk-online-form-refused")

    # Write it and submit again: version 1, with the 无实质内容 warning for the unchanged texts.
    expect(page.get_by_text("以下为上次提交未通过的内容")).to_be_visible()
    editor = page.get_by_test_id("stDataFrame").first
    cell_editor = page.locator("#portal textarea")  # the cell's editor, drawn over the grid

    def open_first_text() -> None:
        _select_cell(editor, page, 5)
        page.keyboard.press("Enter")

    _until_shown(page, cell_editor, open_first_text)
    cell_editor.fill("完成招标并开工建设")
    cell_editor.press("Enter")
    expect(page.get_by_text("本月工作进展 4/4 项")).to_be_visible()
    expect(grid_row(page, "完成招标并开工建设")).to_have_count(1)
    run_finished(page)
    page.get_by_role("button", name="提交在线填报").click()
    expect(page.get_by_text(f"已接收：{SMALL_UNIT} 2023-03 第 1 版，共 4 项任务。")).to_be_visible()
    expect(grid_row(page, "第 69 项本月工作进展与 2023-02 报送的完全相同")).to_have_count(1)
    expect(grid_row(page, "通过（当前版本）", f"{SMALL_UNIT}_2023-03_在线填报.xlsx")).to_have_count(1)
    run_finished(page)
    _shot(page, "clerk-online-form-accepted")
    assert server.alive()


def test_a_clerk_sees_its_standing_and_appeals_a_deduction(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    _february()
    add_user(SMALL_UNIT, "unit", unit=SMALL_UNIT)
    page.goto(server.url)
    sign_in(page, SMALL_UNIT)
    page.get_by_test_id("stSidebar").get_by_role("link", name="本单位情况", exact=True).click()
    expect(page.get_by_role("heading", name="本单位情况", exact=True)).to_be_visible()
    expect(grid_row(page, "2023-10", "2023-11-05 23:59", "未到期")).to_have_count(1)
    expect(grid_row(page, "2023-02", "按时", "2023-03-03 09:00")).to_have_count(1)
    expect(grid_row(page, "2023年1月 漏报", "2023年1月月报截止时未报送")).to_have_count(1)
    expect(page.get_by_text("missing:2023-01")).to_have_count(0)
    run_finished(page)
    _shot(page, "clerk-my-standing")

    page.get_by_label("申诉理由").fill("1 月系统尚未开通，已报送纸质件")
    page.get_by_role("button", name="登记申诉").click()
    expect(page.get_by_text(f"已登记{SMALL_UNIT}的申诉，待督查室决定。")).to_be_visible()
    expect(grid_row(page, "2023年1月 漏报", "1 月系统尚未开通，已报送纸质件", "申诉中")).to_have_count(1)
    run_finished(page)
    _shot(page, "clerk-my-standing-appealed")
    assert server.alive()
