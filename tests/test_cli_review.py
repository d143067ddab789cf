"""``review`` and ``reviews`` on the command line: the loop upload → return → new version → pass,
the JSON keys, and the exit codes (0 done, 1 refused, 2 usage)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

import cli
from core import clock
from tests.monthly_kit import SMALL_ALIAS, SMALL_UNIT, filled

KEYS = ["unit", "version", "state", "reviewed_by", "reviewed_at"]


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _reviews(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    code, out, err = _main(capsys, "reviews", "--period", "2023-03", "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def reported(loaded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.setattr(clock, "now", lambda: datetime(2023, 4, 4, 10))
    path = tmp_path / "三月.xlsx"
    path.write_bytes(filled())
    code, _, err = _main(capsys, "ingest", str(path), "--unit", SMALL_ALIAS, "--received-at", "2023-04-03T09:00")
    assert code == 0, err
    return tmp_path


def test_the_loop_on_the_command_line(reported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _reviews(capsys) == [
        {"unit": SMALL_UNIT, "version": 1, "state": "pending", "reviewed_by": None, "reviewed_at": None}
    ]
    code, out, err = _main(
        capsys,
        "review",
        "--unit",
        SMALL_ALIAS,
        "--period",
        "2023-03",
        "--return",
        "--reason",
        "请补充数据",
        "--rows",
        "53,78",
    )
    assert (code, err) == (0, "")
    assert out == f"已复核：{SMALL_UNIT} 2023-03 第 1 版：退回（退回第 53、78 项）\n"
    (listed,) = _reviews(capsys)
    assert list(listed) == KEYS
    assert (listed["state"], listed["reviewed_by"], listed["reviewed_at"]) == (
        "returned",
        "命令行",
        "2023-04-04T10:00:00",
    )

    again = reported / "三月更正.xlsx"
    again.write_bytes(filled(progress=70, text="补充了具体数据"))
    assert _main(capsys, "ingest", str(again), "--unit", SMALL_UNIT, "--received-at", "2023-04-04T09:30")[0] == 0
    assert [(r["version"], r["state"]) for r in _reviews(capsys)] == [(2, "pending")]
    code, out, _ = _main(capsys, "review", "--unit", SMALL_UNIT, "--period", "2023-03", "--pass")
    assert code == 0 and "第 2 版：通过" in out
    assert [(r["version"], r["state"]) for r in _reviews(capsys)] == [(2, "passed")]
    code, out, _ = _main(capsys, "reviews", "--period", "2023-03")
    assert code == 0 and f"{SMALL_UNIT}  第 2 版  通过  命令行 2023-04-04 10:00" in out


def test_returned_overdue_on_the_command_line(
    reported: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        _main(capsys, "review", "--unit", SMALL_UNIT, "--period", "2023-03", "--return", "--reason", "请补充")[0] == 0
    )
    monkeypatch.setattr(clock, "now", lambda: datetime(2023, 4, 11, 9))  # 3 working days after 4-04: 4-10 (清明 4-05)
    assert [r["state"] for r in _reviews(capsys)] == ["returned_overdue"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--pass", "--return", "--reason", "x"], 2, "请指定 --pass（通过）或 --return（退回）之一"),
        ([], 2, "请指定 --pass（通过）或 --return（退回）之一"),
        (["--return"], 2, "退回须用 --reason 写明理由"),
        (["--return", "--reason", " "], 2, "退回须用 --reason 写明理由"),
        (["--pass", "--rows", "3"], 2, "--rows 只用于退回"),
        (["--return", "--reason", "x", "--rows", "3,七"], 2, "任务序号请写成用逗号分开的数字"),
        (["--return", "--reason", "x", "--rows", "3,53"], 1, "第 3 项不在 区交通运输局 2023-03 第 1 版月报中"),
        (["--pass", "--misreported", "78"], 1, "记录报送内容失实须写明理由"),
    ],
)
def test_review_refusals_and_usage(
    reported: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    got, out, err = _main(capsys, "review", "--unit", SMALL_UNIT, "--period", "2023-03", *args)
    assert (got, out) == (code, "")
    assert message in err
    assert [r["state"] for r in _reviews(capsys)] == ["pending"]


@pytest.mark.parametrize(
    ("unit", "period", "code", "message"),
    [
        ("岩寺镇", "2023-03", 1, "岩寺镇 尚未报送 2023-03 月报，没有可复核的内容"),
        ("没有的单位", "2023-03", 2, "没有名为“没有的单位”的单位"),
        (SMALL_UNIT, "2023-13", 2, "2023-13"),
        (SMALL_UNIT, "2031-03", 2, "没有 2031-03 这个填报月份"),
    ],
)
def test_review_of_nothing_reported_or_unknown(
    reported: Path, capsys: pytest.CaptureFixture[str], unit: str, period: str, code: int, message: str
) -> None:
    got, _, err = _main(capsys, "review", "--unit", unit, "--period", period, "--pass")
    assert got == code and message in err


def test_reviews_lists_only_units_that_reported(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _main(capsys, "reviews", "--period", "2023-03", "--json")[:2] == (0, "[]\n")
    code, _, err = _main(capsys, "reviews", "--period", "garbage", "--json")
    assert code == 2 and err.startswith("错误：")
