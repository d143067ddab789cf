"""Taking a table away, in a real browser: the grid offers no raw CSV, and the app's own 下载 Excel
gives the rows as shown with text that a spreadsheet would evaluate escaped."""

from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.steps import GRID, grid_row, run_finished, sign_in
from tests.conftest import add_user
from tests.factories import add_submission
from tests.monthly_kit import SMALL_UNIT

pytestmark = pytest.mark.browser

# Stored before uploads refused such text: a report of task 78 whose progress text is a DDE formula.
HOSTILE = "-1+(cmd|' /C calc'!A0)"


def test_a_task_table_downloads_as_safe_excel_and_never_as_raw_csv(server, page: Page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_submission(SMALL_UNIT, "2023-03", datetime(2023, 4, 3, 9), {78: ("序时推进", 30.0)}, text=HOSTILE)
    add_user("office", "admin")
    page.goto(f"{server.url}/task_detail?task=78&period=2023-03")
    sign_in(page, "office")
    reports = page.locator(GRID).filter(has_text="本月工作进展")
    expect(grid_row(page, SMALL_UNIT, "2023-03")).not_to_have_count(0)
    run_finished(page)

    reports.hover()
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)

    buttons = page.get_by_role("button", name="下载 Excel")
    expect(buttons).to_have_count(2)  # the timeline and the units' reports
    with page.expect_download() as download_info:
        buttons.nth(1).click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.name == "第78项任务各单位报送内容.xlsx"
    cells = [c for row in load_workbook(saved).active.iter_rows(values_only=True) for c in row if c is not None]
    assert f"'{HOSTILE}（任务78）" in cells
    assert SMALL_UNIT in cells
