"""The command line of the monthly cycle: template → filled with openpyxl → ingest → lateness."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

import cli
from cycle.periods import get_period
from db.engine import write_session
from db.models import Exemption
from db.queries import resolve_unit
from intake.template import fill_workbook
from tests.monthly_kit import HEADER, SMALL_ALIAS, SMALL_UNIT, filled, task_numbers

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_template_fill_ingest_lateness_end_to_end(loaded, tmp_path: Path) -> None:
    template = tmp_path / "模板.xlsx"
    made = _cli("template", "--unit", SMALL_ALIAS, "--period", "2023-03", "--out", str(template))
    assert made.returncode == 0, made.stderr
    assert "区交通运输局 2023-03" in made.stdout
    rows = {
        no: {"status": "序时推进", "progress": "60%", "progress_text": "完成招标"} for no in task_numbers(SMALL_UNIT)
    }
    report = tmp_path / "3月月报.xlsx"
    report.write_bytes(fill_workbook(template.read_bytes(), rows, HEADER))

    ingested = _cli("ingest", str(report), "--unit", SMALL_ALIAS, "--received-at", "2023-04-06T08:30:00+08:00")
    assert ingested.returncode == 0, ingested.stderr
    assert "已接收：区交通运输局 2023-03 第 1 版，共 4 项任务" in ingested.stdout

    judged = _cli("lateness", "--period", "2023-03", "--as-of", "2023-04-10T12:00:00+08:00", "--json")
    assert judged.returncode == 0, judged.stderr
    by_unit = {row["unit"]: row for row in json.loads(judged.stdout)}
    assert by_unit[SMALL_UNIT] == {
        "unit": SMALL_UNIT,
        "status": "late",
        "due": "2023-04-05T23:59:59",
        "submitted_at": "2023-04-06T08:30:00",
        "days_late": 1,
    }
    assert by_unit["岩寺镇"]["status"] == "missing"
    assert "各乡镇" not in by_unit
    assert len(by_unit) == 65


def test_ingest_exit_codes_and_output(loaded, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(filled())
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(filled(rows={53: {"progress": "80-90"}, 69: {"status": "完成"}}))

    code, out, err = _main(capsys, "ingest", str(bad), "--unit", SMALL_UNIT, "--received-at", "2023-04-01T10:00")
    assert code == 1
    assert out.splitlines() == [
        "月报!E7: 无法识别完成进度“80-90”：请只填写一个 0 到 100 之间的数字，例如 80",
        "月报!D8: 完成状态“完成”不在可选范围内：您是否要填“已完成”？请从下拉列表选择 已完成、序时推进、滞后 或 未启动",
        "月报!E8: 如完成状态改为“已完成”，完成进度应为 100",
    ]
    assert "共 3 处问题，未写入任何数据" in err
    code, out, _ = _main(capsys, "ingest", str(bad), "--unit", SMALL_UNIT, "--json")
    assert code == 1
    assert json.loads(out) == [
        {
            "sheet": "月报",
            "cell": "E7",
            "value": "80-90",
            "message": "无法识别完成进度“80-90”：请只填写一个 0 到 100 之间的数字，例如 80",
        },
        {
            "sheet": "月报",
            "cell": "D8",
            "value": "完成",
            "message": "完成状态“完成”不在可选范围内：您是否要填“已完成”？"
            "请从下拉列表选择 已完成、序时推进、滞后 或 未启动",
        },
        {"sheet": "月报", "cell": "E8", "value": "60", "message": "如完成状态改为“已完成”，完成进度应为 100"},
    ]

    code, out, _ = _main(capsys, "ingest", str(good), "--unit", SMALL_UNIT, "--period", "2023-03", "--json")
    assert code == 0
    assert json.loads(out) == {
        "accepted": True,
        "duplicate": False,
        "unit": SMALL_UNIT,
        "period": "2023-03",
        "version": 1,
        "rows": 4,
        "warnings": [],
    }
    code, out, _ = _main(capsys, "ingest", str(good), "--unit", SMALL_UNIT)
    assert code == 0 and "内容完全相同，未生成新版本" in out

    code, out, _ = _main(capsys, "ingest", str(good), "--unit", SMALL_UNIT, "--period", "2023-04")
    assert code == 1 and out.strip() == (
        "月报!G2: 这是 2023-03 的月报，当前选择的是 2023-04：请选择 2023-03 后重新上传，或下载 2023-04 的模板重新填写"
    )

    csv = tmp_path / "report.xlsx"
    csv.write_text("序号,完成进度\n53,80\n", encoding="utf-8")
    code, out, _ = _main(capsys, "ingest", str(csv), "--unit", SMALL_UNIT)
    assert code == 1 and out.startswith("文件: 这是文本（CSV 等）文件")

    for args, message in [
        (("ingest", str(good), "--unit", "火星局"), "没有名为“火星局”的单位"),
        (("ingest", str(tmp_path / "none.xlsx"), "--unit", SMALL_UNIT), "找不到文件"),
        (("ingest", str(good), "--unit", SMALL_UNIT, "--received-at", "昨天"), "时间格式不正确"),
        (("ingest", str(good), "--unit", SMALL_UNIT, "--period", "三月"), "月份格式不正确"),
        (("template", "--unit", "火星局", "--period", "2023-03", "--out", str(tmp_path / "t.xlsx")), "没有名为"),
        (("lateness", "--period", "2031-01", "--json"), "没有 2031-01 这个填报月份"),
    ]:
        code, _, err = _main(capsys, *args)
        assert code == 2, args
        assert message in err, args
    with pytest.raises(SystemExit) as usage:
        cli.main(["ingest", str(good)])
    assert usage.value.code == 2


def test_lateness_statuses_as_of_any_moment(loaded, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    on_time = tmp_path / "v1.xlsx"
    on_time.write_bytes(filled(progress=40))
    correction = tmp_path / "v2.xlsx"
    correction.write_bytes(filled(progress=45))
    for path, at in ((on_time, "2023-04-05T23:59:00"), (correction, "2023-04-20T09:00:00")):
        code, _, err = _main(capsys, "ingest", str(path), "--unit", SMALL_UNIT, "--received-at", at)
        assert code == 0, err
    late = tmp_path / "late.xlsx"
    late.write_bytes(filled(unit="区人社局"))
    assert _main(capsys, "ingest", str(late), "--unit", "区人社局", "--received-at", "2023-04-08T10:00")[0] == 0
    with write_session() as session:
        unit = resolve_unit(session, "区民政局")
        period = get_period(session, "2023-03")
        session.add(
            Exemption(
                unit_id=unit.id,  # type: ignore[union-attr,arg-type]
                period_id=period.id,  # type: ignore[arg-type]
                reason="机构改革",
                granted_by="督查室",
                granted_at=datetime(2023, 4, 1),
            )
        )

    def statuses(as_of: str) -> dict[str, tuple[str, int | None]]:
        code, out, _ = _main(capsys, "lateness", "--period", "2023-03", "--as-of", as_of, "--json")
        assert code == 0
        return {row["unit"]: (row["status"], row["days_late"]) for row in json.loads(out)}

    before = statuses("2023-04-02T00:00:00")
    assert before[SMALL_UNIT] == ("not_due", None) and before["区民政局"] == ("exempt", None)
    after = statuses("2023-05-01T00:00:00")
    # The correction on 4.20 does not turn the on-time first report late.
    assert after[SMALL_UNIT] == ("on_time", 0)
    assert after["区人社局"] == ("late", 3)
    assert after["区民政局"] == ("exempt", None)
    assert after["岩寺镇"] == ("missing", None)
    assert statuses("2023-04-07T00:00:00")["区人社局"] == ("missing", None)

    code, out, _ = _main(capsys, "lateness", "--period", "2023-03", "--as-of", "2023-05-01")
    assert code == 0 and "区人社局  迟报，迟 3 天" in out


def test_periods_and_config(loaded, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "periods", "--json")
    periods = json.loads(out)
    assert code == 0 and len(periods) == 12
    assert periods[0] == {"period": "2023-01", "due": "2023-02-05T23:59:59", "due_note": "", "closed": False}

    code, out, _ = _main(capsys, "periods", "--close", "2023-03", "--json")
    assert code == 0 and json.loads(out)[2]["closed"] is True
    report = tmp_path / "r.xlsx"
    report.write_bytes(filled())
    code, out, _ = _main(capsys, "ingest", str(report), "--unit", SMALL_UNIT)
    assert code == 1 and "已停止接收报送" in out
    code, out, _ = _main(capsys, "periods", "--open", "2023-03")
    assert code == 0 and "2023-03  截止 2023-04-05 23:59  开放" in out
    assert _main(capsys, "periods", "--close", "2023-13")[0] == 2

    code, out, _ = _main(capsys, "config", "set", "roll_to_workday", "true")
    assert code == 0 and "重算" in out
    code, out, _ = _main(capsys, "config", "set", "deadline_day", "10")
    assert code == 0
    dues = {p["period"]: p["due"] for p in json.loads(_main(capsys, "periods", "--json")[1])}
    assert dues["2023-01"] == "2023-02-10T23:59:59"
    assert dues["2023-09"] == "2023-10-10T23:59:59"
    assert dues["2023-05"] == "2023-06-12T23:59:59"  # Saturday 6.10 rolls to Monday
    code, _, err = _main(capsys, "config", "set", "deadline_day", "31")
    assert code == 2 and "应在 1 到 28 之间" in err
    code, out, _ = _main(capsys, "config", "show")
    assert code == 0 and "deadline_day = 10" in out and "roll_to_workday = True" in out
