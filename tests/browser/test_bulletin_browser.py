"""The 督查通报 in a real browser: the office writes its remarks and praise, sees them in the
preview, and 签发并下载 downloads the issued document (第1期), which the page then offers again.
The server's clock is set to 20 April 2023, after the March deadline."""

from __future__ import annotations

from datetime import datetime

import docx
import pytest
from playwright.sync_api import Page, expect

from db.engine import read_session
from office.bulletin import issued
from tests.browser.conftest import ARTIFACTS
from tests.browser.steps import sign_in
from tests.conftest import add_user
from tests.factories import add_submission

pytestmark = pytest.mark.browser

PRAISE = "区发改委、岩寺镇报送及时、内容翔实，予以通报表扬。"
REMARKS = "总的看，各单位能够按序时推进。"


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"DUBAN_NOW": "2023-04-20T09:00:00+08:00"}


def test_the_office_previews_its_additions_and_issues_the_bulletin(server, page: Page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_user("督查室", "admin")
    add_submission("区发改委", "2023-03", datetime(2023, 4, 3, 10), {1: ("滞后", 20.0)})
    page.goto(f"{server.url}/bulletin?period=2023-03")
    sign_in(page, "督查室")
    expect(page.get_by_text("第1期（送审稿）")).to_be_visible()
    page.get_by_label("表扬").fill(PRAISE)
    page.get_by_label("总体评价与工作要求").fill(REMARKS)
    page.get_by_role("button", name="更新预览").click()
    expect(page.get_by_text("六、表扬与批评")).to_be_visible()
    expect(page.get_by_text(PRAISE, exact=True).last).to_be_visible()
    expect(page.get_by_text("七、下步要求")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "bulletin_preview.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="签发并下载（第1期）").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.name == "督查通报-2023年第1期.docx"
    text = [p.text for p in docx.Document(str(saved)).paragraphs]
    assert "第1期" in text and PRAISE in text and REMARKS in text
    with read_session() as session:
        record = issued(session, "2023-03")
        assert record is not None and record.content == saved.read_bytes() and record.issued_by == "督查室"

    expect(page.get_by_text("本月通报已签发：2023年第1期")).to_be_visible()  # the page reruns as issued
    with page.expect_download() as again:
        page.get_by_role("button", name="下载督查通报（第1期）").click()
    copy = tmp_path / "again.docx"
    again.value.save_as(copy)
    assert copy.read_bytes() == saved.read_bytes()
    page.screenshot(path=str(ARTIFACTS / "bulletin_issued.png"), full_page=True)
    assert server.alive()
