"""The office commands: bulletin, ledger, chase and deductions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import docx
from openpyxl import load_workbook

import cli
from tests.conftest import ROOT

AS_OF = "2023-04-20T09:00:00+08:00"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_bulletin_and_ledger_files(known, tmp_path: Path) -> None:
    out = tmp_path / "通报.docx"
    result = _cli("bulletin", "--period", "2023-03", "--as-of", AS_OF, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "迟报单位 2 个，漏报单位 59 个" in result.stdout
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "潜口镇（迟5天）、区财政局（迟3天）" in text
    ledger = tmp_path / "台账.xlsx"
    result = _cli("ledger", "--period", "2023-03", "--as-of", AS_OF, "--out", str(ledger))
    assert result.returncode == 0, result.stderr
    ws = load_workbook(ledger)["台账"]
    assert ws.max_row == 2 + 125 and ws["H3"].value == "滞后"


def test_chase_and_deductions(known, tmp_path: Path, capsys) -> None:
    assert cli.main(["chase", "--period", "2023-03", "--as-of", AS_OF, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert (
        len(rows) == 59 and {"unit": "区审计局", "kind": "部门", "status": "missing", "filler": "", "phone": ""} in rows
    )
    out = tmp_path / "催报.xlsx"
    assert cli.main(["chase", "--period", "2023-03", "--as-of", AS_OF, "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert printed.out.startswith("2023年3月月报截止时间为2023年4月5日，以下 59 个单位尚未报送")
    assert load_workbook(out)["催报名单"].max_row == 2 + 59

    assert cli.main(["deductions", "--year", "2023", "--as-of", AS_OF, "--json"]) == 0
    books = {one["unit"]: one for one in json.loads(capsys.readouterr().out)}
    assert books["区财政局"]["net"] == 1.1  # January, February missing; March late
    assert [i["key"] for i in books["区财政局"]["items"]] == ["missing:2023-01", "missing:2023-02", "late:2023-03"]
    assert books["区商务局"]["net"] == 1.0
    assert cli.main(["deductions", "--year", "2023", "--as-of", AS_OF]) == 0
    assert "区财政局  迟报 1 次  漏报 2 次  年末滞后 0 项  应扣 1.1  核减 0  实扣 1.1" in capsys.readouterr().out
    out = tmp_path / "扣分.xlsx"
    assert cli.main(["deductions", "--year", "2023", "--as-of", AS_OF, "--out", str(out)]) == 0
    assert load_workbook(out).sheetnames == ["汇总", "明细", "扣分标准"]


def test_usage_and_data_errors(known, tmp_path: Path, capsys) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    cases = [
        (["bulletin", "--period", "2023-03", "--out", str(tmp_path / "x.doc")], 2, "须为 .docx 文件"),
        (["bulletin", "--period", "2023-13", "--out", str(tmp_path / "x.docx")], 2, "月份格式不正确"),
        (["ledger", "--period", "2024-01", "--out", str(tmp_path / "x.xlsx")], 2, "没有 2024-01 这个填报月份"),
        (["chase", "--period", "2023-03", "--as-of", "昨天"], 2, "时间格式不正确"),
        (["deductions", "--year", "2022"], 2, "没有 2022 年的填报月份"),
        (["ledger", "--period", "2023-03", "--out", str(tmp_path / "无此目录" / "x.xlsx")], 1, "无法写入"),
    ]
    for args, code, message in cases:
        assert cli.main(args) == code, args
        assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
