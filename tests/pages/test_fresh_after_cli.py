"""A write made outside the pages (the command line) shows on the next run of a page that has
already cached what it read: the data revision moved, so the cache is not asked again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

import cli
from tests.conftest import ROOT
from tests.monthly_kit import SMALL_UNIT, filled


def _page(name: str, login_as, role: str = "admin", **params: str) -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at, role)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{name}")
    at.run()
    assert not at.exception, at.exception
    return at


def _status_of(at: AppTest, unit: str) -> str:
    table = next(d.value for d in at.dataframe if "报送状态" in d.value.columns)
    return table.set_index("单位").loc[unit, "报送状态"]


def test_a_period_closed_from_the_command_line_shows_on_the_next_run(loaded, login_as) -> None:
    at = _page("report_settings.py", login_as)
    assert at.dataframe[0].value.iloc[2]["状态"] == "开放（接收上传）"
    closed = subprocess.run(
        [sys.executable, "cli.py", "periods", "--close", "2023-03"], cwd=ROOT, capture_output=True, text=True
    )
    assert closed.returncode == 0, closed.stderr
    at.run()
    assert at.dataframe[0].value.iloc[2]["状态"] == "已关闭"


def test_a_report_ingested_from_the_command_line_shows_on_the_status_page(loaded, login_as, tmp_path: Path) -> None:
    at = _page("reporting_status.py", login_as, period="2023-03")
    assert _status_of(at, SMALL_UNIT) == "漏报"
    report = tmp_path / "3月.xlsx"
    report.write_bytes(filled())
    assert cli.main(["ingest", str(report), "--unit", SMALL_UNIT]) == 0
    at.run()
    assert _status_of(at, SMALL_UNIT) == "迟报"


def test_every_cached_read_is_keyed_by_the_revision() -> None:
    """Pages cache only through ``ui.data.cached``, which insists on (url, revision, ...)."""
    files = [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]
    direct = [str(p.relative_to(ROOT)) for p in files if "st.cache_data" in p.read_text(encoding="utf-8")]
    assert direct == ["ui/data.py"]
