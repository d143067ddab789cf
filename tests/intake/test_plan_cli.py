"""``python cli.py plan …`` through cli.main: template → filled → ingest → confirm / return → show."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import cli
from tests.plan_kit import GOOD, PLAN_UNIT, plan_filled


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_template_ingest_confirm_show(loaded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "计划模板.xlsx"
    code, stdout, _ = _main(capsys, "plan", "template", "--unit", PLAN_UNIT, "--year", "2023", "--out", str(out))
    assert code == 0 and "区城管局 2023 年度节点计划模板" in stdout and out.stat().st_size > 0
    path = tmp_path / "计划.xlsx"
    path.write_bytes(plan_filled())
    code, stdout, _ = _main(capsys, "plan", "ingest", str(path), "--unit", PLAN_UNIT)
    assert code == 0 and "第 1 版，共 4 个节点" in stdout
    code, stdout, _ = _main(capsys, "plan", "ingest", str(path), "--unit", PLAN_UNIT, "--json")
    assert code == 0
    assert {k: json.loads(stdout)[k] for k in ("version", "rows", "duplicate")} == {
        "version": 1,
        "rows": 4,
        "duplicate": True,
    }
    code, stdout, _ = _main(capsys, "plan", "show", "--year", "2023", "--json")
    shown = {one["no"]: one for one in json.loads(stdout)}
    assert code == 0 and len(shown) == 125
    assert (shown[84]["state"], shown[84]["version"], shown[84]["lead_unit"]) == ("submitted", 1, PLAN_UNIT)
    assert shown[84]["milestones"][0] == {
        "due": "2023-03-31",
        "target": 20,
        "text": "完成实施方案",
        "multi_year": False,
    }
    assert (shown[1]["state"], shown[1]["version"], shown[1]["milestones"]) == ("missing", None, [])
    code, stdout, _ = _main(capsys, "plan", "confirm", "--unit", PLAN_UNIT, "--year", "2023")
    assert code == 0 and "已确认：区城管局 2023 年度节点计划第 1 版" in stdout
    code, _, err = _main(capsys, "plan", "confirm", "--unit", PLAN_UNIT, "--year", "2023")
    assert code == 1 and "没有待确认的版本" in err
    path.write_bytes(plan_filled({**GOOD, 85: [(date(2023, 10, 31), "通过验收", 100)]}))
    assert _main(capsys, "plan", "ingest", str(path), "--unit", PLAN_UNIT)[0] == 0
    code, stdout, _ = _main(capsys, "plan", "return", "--unit", PLAN_UNIT, "--year", "2023", "--reason", "时限不宜提前")
    assert code == 0 and "已退回：区城管局 2023 年度节点计划第 2 版" in stdout
    code, stdout, _ = _main(capsys, "plan", "show", "--year", "2023", "--json")
    shown = {one["no"]: one for one in json.loads(stdout)}
    assert (shown[85]["state"], shown[85]["version"], shown[85]["milestones"][0]["due"]) == (
        "returned",
        2,
        "2023-10-31",
    )


def test_rejected_exit_1(loaded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "计划.xlsx"
    path.write_bytes(plan_filled({**GOOD, 85: [(date(2024, 1, 31), "验收", 100)]}))
    code, stdout, err = _main(capsys, "plan", "ingest", str(path), "--unit", PLAN_UNIT)
    assert (
        code == 1 and stdout.startswith("节点计划!C9: 完成时限 2024-01-31 不在 2023 年内") and "未写入任何数据" in err
    )
    code, stdout, _ = _main(capsys, "plan", "ingest", str(path), "--unit", PLAN_UNIT, "--json")
    (problem,) = json.loads(stdout)
    assert code == 1 and (problem["sheet"], problem["cell"], problem["value"]) == ("节点计划", "C9", "2024-01-31")
    path.write_bytes(plan_filled({78: [(date(2023, 12, 31), "竣工", 100)]}, unit="区交通运输局"))
    code, stdout, _ = _main(capsys, "plan", "ingest", str(path), "--unit", PLAN_UNIT)
    assert (
        code == 1
        and stdout.strip() == "节点计划!B2: 这是区交通运输局的节点计划，不是区城管局的；请下载本单位的模板重新填写"
    )
    code, stdout, _ = _main(capsys, "plan", "show", "--year", "2023", "--json")
    assert all(one["state"] == "missing" for one in json.loads(stdout))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "ingest", "没有这个文件.xlsx", "--unit", PLAN_UNIT], "找不到文件"),
        (
            ["plan", "template", "--unit", "没有这个单位", "--year", "2023", "--out", "x.xlsx"],
            "没有名为“没有这个单位”的单位",
        ),
        (["plan", "template", "--unit", PLAN_UNIT, "--year", "2031", "--out", "x.xlsx"], "没有 2031 年的任务"),
        (["plan", "confirm", "--unit", PLAN_UNIT, "--year", "2031"], "没有 2031 年的任务"),
        (["plan", "show", "--year", "2031", "--json"], "没有 2031 年的任务"),
    ],
)
def test_usage_errors_exit_2(loaded: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = _main(capsys, *args)
    assert code == 2 and message in err


@pytest.mark.parametrize(
    "args", [["plan", "return", "--unit", PLAN_UNIT, "--year", "2023"], ["plan", "ingest", "x.xlsx"], ["plan"]]
)
def test_missing_arguments_exit_2(loaded: str, args: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(args)
    assert exit_.value.code == 2


def test_a_unit_without_lead_tasks_gets_no_template(
    loaded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _main(
        capsys, "plan", "template", "--unit", "区税务局", "--year", "2023", "--out", str(tmp_path / "x.xlsx")
    )
    assert code == 1 and "没有牵头的任务，无需报送节点计划" in err
