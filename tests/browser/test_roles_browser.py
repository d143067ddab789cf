"""Every role walks every page of its list in a real browser: each page opens from the sidebar
under its own heading, runs without an error, and is saved as a screenshot (test artifacts)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.steps import run_finished, sign_in
from tests.conftest import add_user
from tests.factories import add_submission
from ui.pages_registry import pages_for

pytestmark = pytest.mark.browser

# A heading a page shows that differs from its title in the list.
HEADINGS = {"修改密码": "修改密码"}


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"DUBAN_NOW": "2023-04-20T10:00:00+08:00"}  # March judged, April being reported


@pytest.mark.parametrize(
    ("role", "account"), [("admin", {}), ("leader", {"leader": "黄劼"}), ("unit", {"unit": "岩寺镇"})]
)
def test_each_role_opens_every_page_of_its_list(server, page: Page, role: str, account: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    add_submission("岩寺镇", "2023-03", datetime(2023, 4, 3, 9), {60: ("滞后", 20.0)})
    add_user(f"{role}1", role, **account)
    page.goto(server.url)
    sign_in(page, f"{role}1")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for spec in pages_for(role):
        page.get_by_test_id("stSidebar").get_by_role("link", name=spec.title, exact=True).click()
        heading = HEADINGS.get(spec.title, spec.title)
        expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
        run_finished(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_text("无权访问")).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / f"{role}-{spec.path.removeprefix('pages/').removesuffix('.py')}.png"))
    assert server.alive()


def test_on_a_phone_the_key_figures_and_what_is_behind_come_first(server, page: Page) -> None:  # type: ignore[no-untyped-def]
    add_submission("岩寺镇", "2023-03", datetime(2023, 4, 3, 9), {60: ("滞后", 20.0)})
    add_user("hj", "leader", leader="黄劼")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.url)
    sign_in(page, "hj")
    behind = page.get_by_role("heading", name=re.compile(r"^滞后与欠进度任务（\d+ 项）"))
    expect(behind).to_be_visible()
    run_finished(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    metric = page.get_by_test_id("stMetric").first
    assert metric.bounding_box()["y"] < behind.bounding_box()["y"] < chart.bounding_box()["y"]  # type: ignore[index]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-overview.png"), full_page=True)
