"""Hostile and malformed files: each rejected with a clear Chinese message, within bounded time
and memory, the database unchanged but for the log of the rejected attempt, the process alive.

Each ingest runs in a child process capped at 1.5 GB of address space and 60 s of CPU
(``tests/proof/isolated_ingest.py``): a parser that ran away or aborted would take down only
the child, and the test would fail on its exit status instead of hanging or crashing pytest.
The bounds on time and memory are safety bounds far above what a rejection needs, not speed targets.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from intake.limits import MAX_UPLOAD_BYTES
from tests.monthly_kit import SMALL_UNIT, XLSX_MIME, filled
from tests.proof import corpus
from tests.proof.support import CJK, ROOT, table_counts

MAX_SECONDS = 30  # for the ingest itself; the child is killed after CHILD_TIMEOUT
CHILD_TIMEOUT = 120
MAX_PEAK_MB = 250  # the whole child; a rejection itself should not grow it by MAX_GROWTH_MB
MAX_GROWTH_MB = 100


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[bytes], bytes]
    expect: tuple[str, ...]  # fragments that must each appear in some message


CASES = [
    Case("encrypted workbook", corpus.encrypted_workbook, ("设置了打开密码",)),
    Case(".xls renamed", corpus.legacy_xls, ("这是旧版 Excel（.xls）",)),
    Case("CSV renamed", corpus.csv_renamed, ("这是文本（CSV 等）文件",)),
    Case("zero bytes", corpus.zero_bytes, ("文件是空的",)),
    Case("truncated zip", corpus.truncated_zip, ("文件已损坏",)),
    Case("zip bomb, 1 GB of rows", corpus.zip_bomb, ("疑似压缩炸弹",)),
    Case("zip bomb declaring 15 MB", corpus.zip_bomb_understated, ("范围过大",)),
    Case("cell at XFD1048576", corpus.far_corner_cell, ("范围过大",)),
    Case("a million rows", corpus.million_rows, ("范围过大",)),
    Case("a million rows declared", corpus.million_rows_declared, ("范围过大",)),
    Case("formula cells", corpus.formula_cells, ("请直接填写内容，不要使用公式",)),
    Case("injection text", corpus.injection_text, ("可能被当作公式执行",)),
    Case(".xlsm with macros", corpus.xlsm_with_macros, ("文件含有宏（.xlsm）",)),
    Case("wrong unit", corpus.wrong_unit, (f"的月报模板，不是{SMALL_UNIT}的",)),
    Case("wrong month", corpus.wrong_month, ("这是 2023-04 的月报，当前选择的是 2023-03",)),
    Case("tampered locked columns", corpus.tampered_locked_columns, ("主要任务与任务清单不一致", "责任类型应为“牵头”")),
]


def _ingest_in_child(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.proof.isolated_ingest", str(path), SMALL_UNIT, "2023-03"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_file_is_rejected_safely(loaded, tmp_path: Path, case: Case) -> None:
    data = case.build(filled())
    assert len(data) <= MAX_UPLOAD_BYTES  # small enough to get past the upload limit
    path = tmp_path / "月报.xlsx"
    path.write_bytes(data)
    before = table_counts()

    outcome = _ingest_in_child(path)

    assert outcome["accepted"] is False
    messages: list[str] = outcome["messages"]
    for fragment in case.expect:
        assert any(fragment in message for message in messages), messages
    assert messages and all(CJK.search(message) for message in messages), messages
    assert table_counts() == {
        **before,
        "rejectedattempt": before["rejectedattempt"] + 1,
        "auditlog": before["auditlog"] + 1,
    }
    assert outcome["seconds"] < MAX_SECONDS, outcome
    assert outcome["peak_mb"] < MAX_PEAK_MB, outcome
    assert outcome["peak_mb"] - outcome["baseline_mb"] < MAX_GROWTH_MB, outcome


def test_the_corpus_is_what_it_claims(loaded) -> None:
    """The generated files really are what their names say, so the rejections prove something."""
    valid = filled()
    encrypted, xls = corpus.encrypted_workbook(valid), corpus.legacy_xls(valid)
    assert encrypted[:8] == xls[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert "EncryptedPackage".encode("utf-16-le") in encrypted and "Workbook".encode("utf-16-le") in xls
    bomb = corpus.members_info(corpus.zip_bomb(valid))[corpus.SHEET]
    assert bomb.file_size > 10**9 and bomb.compress_size < MAX_UPLOAD_BYTES
    assert corpus.members_info(corpus.zip_bomb_understated(valid))[corpus.SHEET].file_size == 15 * 1024 * 1024
    assert corpus.members(corpus.million_rows(valid))[corpus.SHEET].count(b"<row ") == 1_000_000
    xlsm = corpus.members(corpus.xlsm_with_macros(valid))
    assert xlsm["xl/vbaProject.bin"][:8] == encrypted[:8] and b"macroEnabled" in xlsm["[Content_Types].xml"]


def test_hostile_files_through_the_upload_page(loaded, login_as) -> None:
    """Three hostile files through the page's uploader: a Chinese message each, no exception,
    and the page still accepts a valid report afterwards."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)  # the page links need the page list
    login_as(at, "unit", unit=SMALL_UNIT)
    at.query_params["period"] = "2023-03"
    at.switch_page("pages/upload.py")
    at.run()
    valid = filled()
    for name, build, fragment in (
        ("炸弹.xlsx", corpus.zip_bomb, "疑似压缩炸弹"),
        ("加密.xlsx", corpus.encrypted_workbook, "设置了打开密码"),
        ("宏.xlsm", corpus.xlsm_with_macros, "文件含有宏"),
    ):
        at.file_uploader(key="upload_file").set_value((name, build(valid), XLSX_MIME)).run()
        at.button(key="upload_submit").click().run()
        assert not at.exception, at.exception
        assert at.error[0].value.startswith("未通过校验：共 1 处问题"), name
        problems = next(d.value for d in at.dataframe if "单元格" in d.value.columns)  # not the online form's
        assert fragment in problems.iloc[0]["问题"], name
        assert not at.download_button, name  # nothing to annotate in an unreadable file
    at.file_uploader(key="upload_file").set_value(("三月.xlsx", valid, XLSX_MIME)).run()
    at.button(key="upload_submit").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith(f"已接收：{SMALL_UNIT} 2023-03 第 1 版")
    assert list(at.dataframe[-1].value["结果"]) == ["通过（当前版本）", "未通过", "未通过", "未通过"]
