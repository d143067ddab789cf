"""One upload limit: the number users are told, the one the server checks and the one the browser
lets through agree."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from intake import guard
from intake.limits import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB, TRANSPORT_LIMIT_MB

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def test_five_mb_means_what_the_browser_and_explorer_show() -> None:
    assert MAX_UPLOAD_BYTES == 5_000_000 == MAX_UPLOAD_MB * 1_000_000


def test_the_browser_lets_an_oversized_report_reach_the_chinese_message() -> None:
    settings = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert settings["server"]["maxUploadSize"] == TRANSPORT_LIMIT_MB
    assert TRANSPORT_LIMIT_MB * 1_000_000 > MAX_UPLOAD_BYTES  # Streamlit's browser counts 1 MB as 10^6


def test_tables_never_offer_the_raw_csv_download() -> None:
    settings = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert settings["client"]["disableDataExport"] is True


@pytest.mark.parametrize("size", [MAX_UPLOAD_BYTES + 1, 5_242_880])
def test_just_over_the_limit_is_refused_with_the_number(size: int) -> None:
    with pytest.raises(guard.FileRejected, match=f"文件超过 {MAX_UPLOAD_MB} MB 上限"):
        guard.inspect(b"PK\x03\x04" + b"\0" * (size - 4))


def test_exactly_the_limit_is_not_refused_for_its_size() -> None:
    with pytest.raises(guard.FileRejected) as refused:
        guard.inspect(b"PK\x03\x04" + b"\0" * (MAX_UPLOAD_BYTES - 4))
    assert "MB 上限" not in str(refused.value)  # refused, but for being no workbook
