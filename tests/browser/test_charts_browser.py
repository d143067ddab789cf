"""Chart legends in a real browser: on 总览, on a phone (390 px) and on a desktop screen, the
legend of each chart overlaps neither the chart's title, nor its axis titles, nor its tick labels."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.steps import run_finished, sign_in
from tests.conftest import add_user
from tests.factories import add_submission

pytestmark = pytest.mark.browser

Box = dict[str, float]


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"DUBAN_NOW": "2023-04-20T10:00:00+08:00"}


def _boxes(chart: Locator, selector: str) -> list[Box]:
    return [box for element in chart.locator(selector).all() if (box := element.bounding_box())]


def _overlap(a: Box, b: Box) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("width", [390, 1400])
def test_legends_stay_clear_of_titles_and_axes(server, page: Page, width: int) -> None:  # type: ignore[no-untyped-def]
    add_submission("岩寺镇", "2023-03", datetime(2023, 4, 3, 9), {60: ("滞后", 20.0)})
    add_submission("区发改委", "2023-03", datetime(2023, 4, 3, 10), {1: ("已完成", 100.0)})
    add_user("hj", "leader", leader="黄劼")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{server.url}/overview?period=2023-03")
    sign_in(page, "hj")
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(2)
    run_finished(page)
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        expect(chart.locator("g.legend")).to_be_visible()
        legend = chart.locator("g.legend rect.bg").bounding_box()
        assert legend is not None
        others = _boxes(chart, "text.gtitle, text.xtitle, text.ytitle, g.xtick text, g.ytick text")
        assert len(others) > 3  # the title, an axis title and tick labels were found
        assert not [box for box in others if _overlap(legend, box)]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"overview_charts_{width}.png"), full_page=True)
    assert server.alive()
