"""The newer screens (节点计划, lights and 办结销号 on 任务详情 and 总览, 复核, 督查督导, 本单位情况,
在线填报, 督查通报) walked by each role in a real browser, on the demo data, at desktop width and
on a phone (390 px). One server for the module, on its own copy of a demo database built once for
the run; one sign-in per role; every page is saved as a screenshot (test artifacts).

The server's clock is 20 November 2023: October is being judged, November being reported."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from intake.demo import load_demo
from registry.parser import ParsedRegistry
from tests.browser.conftest import ARTIFACTS, TIMEOUT_MS, Server, running_server
from tests.browser.steps import run_finished, sign_in
from tests.conftest import SqliteDatabases, _database, add_user

pytestmark = pytest.mark.browser

NOW = "2023-11-20T10:00:00+08:00"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}
# Streamlit's own English for an empty multiselect, shown when a page gives no placeholder.
ENGLISH_PLACEHOLDER = "Choose options"
# Emoji have no glyph on many office machines (and none in Debian's default fonts): boxes instead.
EMOJI = re.compile("[\U0001f300-\U0001faff\u26aa\u26ab]")

# An element whose text is cut with an ellipsis: its content is wider than its box.
CUT = "el => el.scrollWidth > el.clientWidth + 1"


def _build_demo(path: Path, registry: ParsedRegistry) -> None:
    """The 2023 registry, the demo reports and one account per role, in the file ``path``."""
    folder = path.parent / "building"
    folder.mkdir(exist_ok=True)  # a process that died building it left it behind
    url = SqliteDatabases(folder, registry).create("loaded", folder)
    with _database(url):
        load_demo()
        add_user("office", "admin")
        add_user("leader", "leader", leader="黄劼")
        add_user("clerk", "unit", unit="区交通局")
    built = url.removeprefix("sqlite:///")
    assert not Path(f"{built}-wal").exists(), "the demo database is still open"
    os.replace(built, path)  # whole or not at all: the next process waits for it, then copies it


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory, worker_id: str, registry: ParsedRegistry) -> Path:
    """The demo database, built by the first test process that needs it (loading the demo takes
    long), under a lock in the folder that the processes of one run share; never written to."""
    run_folder = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # pytest-xdist: each process has a folder of its own in the run's
        run_folder = run_folder.parent
    path = run_folder / "new_screens_demo" / "duban.db"
    path.parent.mkdir(exist_ok=True)
    with (path.parent / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            _build_demo(path, registry)
    return path


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, demo_database: Path) -> Iterator[Server]:
    """A copy of the demo database of the module's own, and a server on it."""
    folder = tmp_path_factory.mktemp("new_screens")
    shutil.copyfile(demo_database, folder / "duban.db")
    with running_server(f"sqlite:///{folder / 'duban.db'}", folder / "streamlit.log", {"DUBAN_NOW": NOW}) as started:
        yield started


def _signed_in(browser: Browser, server: Server, username: str) -> Page:
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server.url)
    sign_in(page, username)
    return page


def _open(page: Page, server: Server, path: str, heading: str) -> None:
    """Open a page by its address and wait until its run has ended without an error."""
    page.goto(f"{server.url}/{path}")
    expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
    run_finished(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("无权访问")).to_have_count(0)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"new-screens-{name}.png"), full_page=True)


def _no_cut_metrics(page: Page) -> None:
    for part in ("stMetricLabel", "stMetricDelta"):
        for element in page.get_by_test_id(part).all():
            assert not element.evaluate(CUT), f"cut: {element.inner_text()}"


def _no_english_placeholders(page: Page) -> None:
    expect(page.get_by_placeholder(ENGLISH_PLACEHOLDER)).to_have_count(0)


def test_the_office_walks_the_new_screens(demo_server: Server, browser: Browser) -> None:
    page = _signed_in(browser, demo_server, "office")
    try:
        _open(page, demo_server, "", "总览")
        expect(page.get_by_test_id("stMetric").filter(has_text="绿灯")).to_be_visible()
        expect(page.get_by_test_id("stMetric").filter(has_text="按时报送率")).to_contain_text("较上月")
        expect(page.get_by_text(re.compile(r"本月 \d+ 份待复核"))).to_be_visible()
        _no_cut_metrics(page)
        _shot(page, "office-overview")

        _open(page, demo_server, "task_detail?no=1", "任务详情")
        light = re.compile(r"红黄绿灯\s*(绿灯|黄灯|红灯)")  # a state card: the light as a coloured pill
        expect(page.get_by_test_id("stMarkdownContainer").filter(has_text=light)).to_be_visible()
        expect(page.get_by_role("heading", name="办结销号")).to_be_visible()
        expect(page.get_by_role("heading", name="节点计划与逐月进度")).to_be_visible()
        _shot(page, "office-task-detail")

        _open(page, demo_server, "plans", "节点计划")
        for tab in ("报送情况", "确认 / 退回", "代为报送", "全部任务"):
            expect(page.get_by_role("tab", name=tab)).to_be_visible()
        expect(page.get_by_test_id("stMetric").filter(has_text="未报送")).to_contain_text("个单位")
        assert not EMOJI.search(page.get_by_test_id("stMain").inner_text())
        _shot(page, "office-plans")

        _open(page, demo_server, "review?period=2023-10", "复核")
        expect(page.get_by_test_id("stMetric").filter(has_text="待复核")).to_be_visible()
        expect(page.get_by_role("heading", name="逐份复核")).to_be_visible()
        expect(page.get_by_placeholder("选择任务序号").first).to_be_visible()
        _no_english_placeholders(page)
        _shot(page, "office-review")

        _open(page, demo_server, "inspections", "督查督导")
        expect(page.get_by_role("button", name="登记督查")).to_be_visible()
        expect(page.get_by_placeholder("选择任务", exact=True)).to_be_visible()
        _no_english_placeholders(page)
        _shot(page, "office-inspections")

        _open(page, demo_server, "bulletin?period=2023-10", "督查通报")
        expect(page.get_by_role("heading", name="通报预览")).to_be_visible()
        _shot(page, "office-bulletin")
    finally:
        page.context.close()
    assert demo_server.alive()


def test_a_leader_reads_the_new_screens_on_a_desktop_and_a_phone(demo_server: Server, browser: Browser) -> None:
    page = _signed_in(browser, demo_server, "leader")
    try:
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_role("link", name="节点计划", exact=True)).to_be_visible()
        for office_only in ("复核", "督查通报", "上传月报", "本单位情况"):
            expect(sidebar.get_by_role("link", name=office_only, exact=True)).to_have_count(0)

        _open(page, demo_server, "plans", "节点计划")
        expect(page.get_by_role("tab", name="确认 / 退回")).to_have_count(0)
        expect(page.get_by_role("button", name="确认")).to_have_count(0)
        _shot(page, "leader-plans")

        _open(page, demo_server, "inspections", "督查督导")
        expect(page.get_by_role("button", name="登记督查")).to_have_count(0)
        _shot(page, "leader-inspections")

        _open(page, demo_server, "task_detail?no=1", "任务详情")
        expect(page.get_by_role("heading", name="办结销号")).to_be_visible()
        expect(page.get_by_role("button", name="确认办结")).to_have_count(0)
        _shot(page, "leader-task-detail")

        page.set_viewport_size(PHONE)
        _open(page, demo_server, "", "总览")
        expect(page.get_by_test_id("stMetric").filter(has_text="红灯")).to_be_visible()
        _no_cut_metrics(page)
        _shot(page, "leader-phone-overview")
        _open(page, demo_server, "plans", "节点计划")
        _shot(page, "leader-phone-plans")
    finally:
        page.context.close()


def test_a_clerk_walks_the_unit_screens(demo_server: Server, browser: Browser) -> None:
    page = _signed_in(browser, demo_server, "clerk")
    try:
        _open(page, demo_server, "upload", "上传月报")
        expect(page.get_by_role("tab", name="上传 Excel 文件")).to_be_visible()
        # The picker in Chinese, without Streamlit's "20MB per file" beside the label's 5 MB.
        picker = page.get_by_test_id("stFileUploaderDropzone")
        expect(picker.get_by_test_id("stFileUploaderDropzoneInstructions")).to_be_hidden()
        assert picker.locator("button p").evaluate("el => getComputedStyle(el, '::after').content") == '"选择文件"'
        expect(page.get_by_text("不超过 5 MB")).to_be_visible()
        page.get_by_role("tab", name="在线填报").click()
        expect(page.get_by_test_id("stDataFrame").or_(page.get_by_test_id("stDataEditor")).first).to_be_visible()
        _shot(page, "clerk-upload-form")

        _open(page, demo_server, "my_standing", "本单位情况")
        expect(page.get_by_role("heading", name=re.compile(r"区交通运输局 2023 年逐月报送情况"))).to_be_visible()
        expect(page.get_by_role("heading", name="2023 年考核扣分")).to_be_visible()
        _shot(page, "clerk-my-standing")

        _open(page, demo_server, "plans", "节点计划")
        expect(page.get_by_role("heading", name="2023 年度本单位牵头任务的节点计划")).to_be_visible()
        expect(page.get_by_role("tab", name="确认 / 退回")).to_have_count(0)
        assert not EMOJI.search(page.get_by_test_id("stMain").inner_text())
        _shot(page, "clerk-plans")

        page.set_viewport_size(PHONE)
        _open(page, demo_server, "my_standing", "本单位情况")
        _shot(page, "clerk-phone-my-standing")

        # An office page's address leads a clerk home, without Streamlit's English "Page not found".
        page.goto(f"{demo_server.url}/review")
        expect(page.get_by_role("heading", name="总览", exact=True)).to_be_visible()
        run_finished(page)
        expect(page).not_to_have_url(re.compile("/review"))
        expect(page.get_by_text("Page not found")).to_have_count(0)
        expect(page.get_by_role("heading", name="复核", exact=True)).to_have_count(0)
    finally:
        page.context.close()
