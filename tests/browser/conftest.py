"""A real Streamlit server and a real Chromium for end-to-end tests.

The server runs ``streamlit run app.py`` on a free port against the test's own database.
Chromium comes from Debian's package (/usr/bin/chromium). Without it these tests are skipped
on a workstation and fail under CI, where ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "browser" / "artifacts"
# For actions and for expect(...) alike: a busy machine may take seconds to draw a page.
TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.url = url
        self.process = process
        self.log = log

    def alive(self) -> bool:
        return self.process.poll() is None


@pytest.fixture
def server_env() -> dict[str, str]:
    """Extra environment for the server; a test module overrides it (e.g. ``DUBAN_NOW``)."""
    return {}


@contextmanager
def running_server(database_url: str, log: Path, extra_env: dict[str, str]) -> Iterator[Server]:
    """``streamlit run app.py`` on a free port against ``database_url``, until the block ends."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, **extra_env}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--server.fileWatcherType", "none",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"Streamlit did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.3)
    try:
        yield Server(url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def server(loaded: str, tmp_path: Path, server_env: dict[str, str]) -> Iterator[Server]:
    """A freshly started server on the test's database (registry loaded)."""
    with running_server(loaded, tmp_path / "streamlit.log", server_env) as started:
        yield started


@pytest.fixture
def second_server(server: Server, loaded: str, tmp_path: Path, server_env: dict[str, str]) -> Iterator[Server]:
    """Another server process on the same database, as a second replica behind a proxy would be."""
    with running_server(loaded, tmp_path / "streamlit-2.log", server_env) as started:
        yield started


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    if report.when == "call" and report.failed:
        page = item.funcargs.get("page")
        if page is not None:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{item.name}.png"), full_page=True)
    return report


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()
