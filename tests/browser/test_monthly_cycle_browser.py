"""A month of reporting in a real browser: a unit downloads its template, fills it, uploads it
and sees the accepted version; a broken file shows its cell errors; the office sees the unit
按时 on 报送情况. The server's clock is set to 3 April 2023, before the March deadline."""

from __future__ import annotations

import pytest

from intake.template import fill_workbook
from tests.conftest import TEST_PASSWORD, add_user
from tests.monthly_kit import HEADER, SMALL_UNIT, task_numbers

pytestmark = pytest.mark.browser


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"DUBAN_NOW": "2023-04-03T10:00:00+08:00"}


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text(f"当前用户：{username}（").wait_for()


def _grid_text(page) -> str:  # type: ignore[no-untyped-def]
    """The text of every data grid on the page: grids are drawn on a canvas, with their cells
    mirrored in an accessible table inside it."""
    page.locator("[data-testid='stDataFrame'] table").first.wait_for(state="attached")
    return " ".join(page.locator("[data-testid='stDataFrame'] table").all_text_contents())


def _settle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the script run that the last action started has finished."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")


def _upload(page, name: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        {"name": name, "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "buffer": data}
    )
    page.get_by_text(name).first.wait_for()
    _settle(page)
    page.get_by_role("button", name="上传并检查").click()
    _settle(page)


def test_unit_reports_and_office_sees_it_on_time(server, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_user(SMALL_UNIT, "unit", unit=SMALL_UNIT)
    add_user("office", "admin")

    page.goto(server.url)
    _sign_in(page, SMALL_UNIT)
    page.get_by_role("link", name="模板下载").click()
    page.get_by_role("heading", name="模板下载").wait_for()
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
    page.get_by_role("heading", name="上传月报").wait_for()
    assert "period=2023-03" in page.url
    _upload(page, "broken.xlsx", broken_file)
    page.get_by_text("未通过校验").wait_for()
    errors = _grid_text(page)
    assert "E7" in errors and "完成进度应为 100" in errors
    assert page.get_by_role("button", name="下载标注副本（问题单元格已标红并附批注）").count() == 1

    _upload(page, "月报.xlsx", good_file)
    page.get_by_text(f"已接收：{SMALL_UNIT} 2023-03 第 1 版").wait_for()
    assert server.alive()

    page.get_by_role("button", name="退出登录").click()
    page.goto(f"{server.url}/reporting_status?period=2023-03&status=on_time")  # a shared link, before sign-in
    _sign_in(page, "office")
    page.get_by_role("heading", name="报送情况", exact=True).wait_for()
    status = _grid_text(page)
    assert SMALL_UNIT in status
    assert "按时" in status


def test_upload_page_by_url_on_a_fresh_server_shows_only_the_sign_in(server, page) -> None:  # type: ignore[no-untyped-def]
    add_user(SMALL_UNIT, "unit", unit=SMALL_UNIT)
    page.goto(f"{server.url}/upload")
    page.get_by_role("button", name="登录").wait_for()
    assert page.get_by_role("heading", name="上传月报").count() == 0
    assert page.locator("[data-testid='stFileUploader']").count() == 0
    assert page.get_by_text("报送单位").count() == 0
