"""A month of reporting in a real browser: a unit downloads its template, fills it, uploads it
and sees the accepted version; a broken file shows its cell errors; the office sees the unit
按时 on 报送情况. The server's clock is set to 3 April 2023, before the March deadline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from intake.limits import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB
from intake.template import fill_workbook
from tests.browser.steps import GRID, grid_row, run_finished, sign_in
from tests.conftest import add_user
from tests.monthly_kit import HEADER, SMALL_UNIT, XLSX_MIME, task_numbers

pytestmark = pytest.mark.browser


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"DUBAN_NOW": "2023-04-03T10:00:00+08:00"}


def _choose_file(page: Page, name: str, data: bytes, *, replacing: bool = False) -> None:
    """Put ``name`` in the uploader and wait until the page has run with it: the submit button is
    enabled only while the uploader holds a file. ``replacing`` removes the file chosen before
    first, so an enabled button cannot be the old file's."""
    submit = page.get_by_role("button", name="上传并检查")
    if replacing:
        page.get_by_test_id("stFileChipDeleteBtn").click()
        expect(submit).to_be_disabled()
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        {"name": name, "mimeType": XLSX_MIME, "buffer": data}
    )
    expect(page.get_by_test_id("stFileChipName")).to_have_text(name)
    expect(submit).to_be_enabled()


def test_unit_reports_and_office_sees_it_on_time(server, page: Page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_user(SMALL_UNIT, "unit", unit=SMALL_UNIT)
    add_user("office", "admin")

    page.goto(server.url)
    sign_in(page, SMALL_UNIT)
    page.get_by_role("link", name="模板下载").click()
    expect(page.get_by_role("heading", name="模板下载")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name=f"下载 {SMALL_UNIT} 2023-03 月报模板").click()
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)

    numbers = task_numbers(SMALL_UNIT)
    rows = {no: {"status": "序时推进", "progress": 30, "progress_text": f"完成第{no}项阶段目标"} for no in numbers}
    broken = dict(rows)
    broken[numbers[0]] = {"status": "已完成", "progress": 60, "progress_text": "已完成"}
    broken_file = fill_workbook(template.read_bytes(), broken, HEADER)
    good_file = fill_workbook(template.read_bytes(), rows, HEADER)

    page.get_by_role("link", name="上传 2023-03 月报 →").click()  # the month goes along
    expect(page.get_by_role("heading", name="上传月报")).to_be_visible()
    assert "period=2023-03" in page.url
    _choose_file(page, "broken.xlsx", broken_file)
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text("未通过校验")).to_be_visible()
    expect(grid_row(page, "E7", "完成进度应为 100")).to_have_count(1)
    expect(page.get_by_role("button", name="下载标注副本（问题单元格已标红并附批注）")).to_have_count(1)

    _choose_file(page, "月报.xlsx", good_file, replacing=True)
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text(f"已接收：{SMALL_UNIT} 2023-03 第 1 版")).to_be_visible()
    assert server.alive()

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    page.goto(f"{server.url}/reporting_status?period=2023-03&status=on_time")  # a shared link, before sign-in
    sign_in(page, "office")
    expect(page.get_by_role("heading", name="报送情况", exact=True)).to_be_visible()
    status = page.locator(GRID).filter(has_text="报送状态")  # the units' table, not the rates above it
    expect(status.locator("tr").filter(has_text=SMALL_UNIT)).to_contain_text("按时")


def test_upload_page_by_url_on_a_fresh_server_shows_only_the_sign_in(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    add_user(SMALL_UNIT, "unit", unit=SMALL_UNIT)
    page.goto(f"{server.url}/upload")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    run_finished(page)
    expect(page.get_by_role("heading", name="上传月报")).to_have_count(0)
    expect(page.locator("[data-testid='stFileUploader']")).to_have_count(0)
    expect(page.get_by_text("报送单位")).to_have_count(0)


def test_an_oversized_report_is_refused_in_chinese_by_the_server(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    """Just over the 5 MB users are told: the browser lets it through and the page says, in
    Chinese, what is wrong; Streamlit's English refusal never shows."""
    add_user(SMALL_UNIT, "unit", unit=SMALL_UNIT)
    page.goto(f"{server.url}/upload?period=2023-03")
    sign_in(page, SMALL_UNIT)
    expect(page.get_by_role("heading", name="上传月报")).to_be_visible()
    _choose_file(page, "月报.xlsx", b"PK\x03\x04" + b"\0" * MAX_UPLOAD_BYTES)
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text("未通过校验")).to_be_visible()
    expect(grid_row(page, f"文件超过 {MAX_UPLOAD_MB} MB 上限")).to_have_count(1)
    expect(page.get_by_text("File must be")).to_have_count(0)
