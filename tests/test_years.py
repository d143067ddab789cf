"""Two years side by side: every command is scoped to the year asked for, and 2023 reads the
same before and after 2024 is loaded and reported on."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

import cli
from db.engine import read_session
from db.queries import resolve_unit
from office.bulletin import bulletin_data
from registry.loader import init_database
from registry.obligations import unit_obligations
from registry.parser import ParsedRegistry
from tests.conftest import DROPPED_UNIT, next_year_registry
from tests.factories import add_submission
from tests.monthly_kit import SMALL_UNIT, filled

AS_OF = "2024-07-01T09:00:00+08:00"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys, *argv: str) -> object:
    code, out, err = _run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def _cells(path: Path) -> list[tuple]:
    book = load_workbook(io.BytesIO(path.read_bytes()))
    return [row for sheet in book for row in sheet.iter_rows(values_only=True)]


def _report_2023() -> None:
    add_submission("区发改委", "2023-05", datetime(2023, 6, 2, 10), {1: ("滞后", 20.0)})
    add_submission("区税务局", "2023-05", datetime(2023, 6, 9, 10))
    add_submission("岩寺镇", "2023-12", datetime(2024, 1, 3, 10), {60: ("滞后", 30.0)})


def _snapshot_2023(capsys, tmp_path: Path) -> dict[str, object]:
    ledger = tmp_path / "ledger.xlsx"
    assert _run(capsys, "ledger", "--period", "2023-05", "--out", str(ledger), "--as-of", AS_OF)[0] == 0
    with read_session() as session:
        bulletin = bulletin_data(session, "2023-05", datetime(2024, 7, 1, 9))
    return {
        "tasks": _json(capsys, "tasks", "--year", "2023"),
        "status": _json(capsys, "status", "--period", "2023-05", "--as-of", AS_OF),
        "lateness": _json(capsys, "lateness", "--period", "2023-12", "--as-of", AS_OF),
        "deductions": _json(capsys, "deductions", "--year", "2023", "--as-of", AS_OF),
        "chase": _json(capsys, "chase", "--period", "2023-05", "--as-of", AS_OF),
        "bulletin": bulletin,
        "ledger": _cells(ledger),
    }


def test_2023_reads_the_same_after_2024_is_loaded_and_reported(
    loaded, registry: ParsedRegistry, capsys, tmp_path: Path
) -> None:
    _report_2023()
    before = _snapshot_2023(capsys, tmp_path)
    assert len(before["tasks"]) == 125

    init_database(registry=next_year_registry(registry))
    add_submission("区发改委", "2024-05", datetime(2024, 6, 3, 10), {1: ("已完成", 100.0)})
    add_submission("岩寺镇", "2024-05", datetime(2024, 6, 20, 10))
    after = _snapshot_2023(capsys, tmp_path)
    for key, value in before.items():
        assert after[key] == value, key


def test_commands_are_scoped_to_the_year(two_years, capsys, tmp_path: Path) -> None:
    _report_2023()
    add_submission("区发改委", "2024-05", datetime(2024, 6, 3, 10), {1: ("已完成", 100.0)})
    add_submission("岩寺镇", "2024-05", datetime(2024, 6, 20, 10))

    latest = _json(capsys, "tasks")
    assert len(latest) == 124 and latest == _json(capsys, "tasks", "--year", "2024")
    assert not any(DROPPED_UNIT in task["units"] for task in latest)
    assert len(_json(capsys, "tasks", "--year", "2023")) == 125
    code, _, err = _run(capsys, "tasks", "--year", "2099")
    assert code == 2 and "没有 2099 年的任务" in err

    status = _json(capsys, "status", "--period", "2024-05", "--as-of", AS_OF)
    assert len(status) == 124 and status[0]["status"] == "done"
    lateness = {
        row["unit"]: row["status"] for row in _json(capsys, "lateness", "--period", "2024-05", "--as-of", AS_OF)
    }
    assert DROPPED_UNIT not in lateness
    assert lateness["区发改委"] == "on_time" and lateness["岩寺镇"] == "late"
    chase = {row["unit"] for row in _json(capsys, "chase", "--period", "2024-05", "--as-of", AS_OF)}
    assert "区发改委" not in chase and DROPPED_UNIT not in chase and "潜口镇" in chase

    deductions = {one["unit"]: one for one in _json(capsys, "deductions", "--as-of", AS_OF)}  # the latest year
    assert deductions == {one["unit"]: one for one in _json(capsys, "deductions", "--year", "2024", "--as-of", AS_OF)}
    assert DROPPED_UNIT not in deductions
    assert {item["period"][:4] for one in deductions.values() for item in one["items"]} == {"2024"}
    code, _, err = _run(capsys, "deductions", "--year", "2099")
    assert code == 2 and "没有 2099 年的填报月份" in err

    template = tmp_path / "t.xlsx"
    assert _run(capsys, "template", "--unit", "区发改委", "--period", "2024-05", "--out", str(template))[0] == 0
    code, _, err = _run(capsys, "template", "--unit", DROPPED_UNIT, "--period", "2024-05", "--out", str(template))
    assert code == 1 and "2024 年没有需要报送的任务" in err
    bulletin = tmp_path / "b.docx"
    assert _run(capsys, "bulletin", "--period", "2024-05", "--out", str(bulletin), "--as-of", AS_OF)[0] == 0
    ledger = tmp_path / "l.xlsx"
    assert _run(capsys, "ledger", "--period", "2024-05", "--out", str(ledger), "--as-of", AS_OF)[0] == 0
    assert "2024年5月" in str(_cells(ledger)[0][0])
    upload = tmp_path / "report.xlsx"
    upload.write_bytes(filled(SMALL_UNIT, "2024-05"))
    code, out, err = _run(capsys, "ingest", str(upload), "--unit", SMALL_UNIT, "--period", "2024-05")
    assert code == 0, out + err
    assert "2024-05 第 1 版" in out
    assert _run(capsys, "periods", "--close", "2024-05")[0] == 0
    periods = {p["period"]: p["closed"] for p in _json(capsys, "periods")}
    assert len(periods) == 24 and periods["2024-05"] and not periods["2023-05"]


def _duties(unit: str) -> dict[int, int]:
    with read_session() as session:
        unit_id = resolve_unit(session, unit).id  # type: ignore[union-attr]
        return {year: len(unit_obligations(session, unit_id, year)) for year in (2023, 2024)}


def _members(capsys, *year: str) -> dict[str, list[str]]:
    found = _json(capsys, "units", *(("--year", year[0]) if year else ()))
    return {unit["name"]: unit["members"] for unit in found if unit["kind"] == "群组"}  # type: ignore[index]


def test_group_members_are_each_years_own(two_years, capsys) -> None:
    """2024 starts with 2023's members; a change for one year leaves the other year's members,
    duties and lateness as they were."""
    towns = ["岩寺镇", "西溪南镇", "潜口镇", "呈坎镇", "富溪乡", "杨村乡", "洽舍乡"]
    assert _members(capsys, "2023")["各乡镇"] == towns == _members(capsys)["各乡镇"]
    chase_2023 = _json(capsys, "chase", "--period", "2023-05", "--as-of", AS_OF)
    before = _duties("西溪南镇")

    code, out, err = _run(capsys, "group", "set", "各乡镇", "--members", "岩寺镇、潜口镇", "--year", "2024")
    assert out.startswith("已保存群组“各乡镇”的成员：岩寺镇、潜口镇。")
    assert code == 0, err
    after = _duties("西溪南镇")
    assert after[2023] == before[2023] and after[2024] < before[2024]
    assert _members(capsys)["各乡镇"] == ["岩寺镇", "潜口镇"]
    assert _members(capsys, "2024")["各乡镇"] == ["岩寺镇", "潜口镇"]
    assert _members(capsys, "2023")["各乡镇"] == towns
    assert _json(capsys, "chase", "--period", "2023-05", "--as-of", AS_OF) == chase_2023

    code, _, err = _run(capsys, "group", "set", "各乡镇", "--members", "岩寺镇", "--year", "2099")
    assert code == 2 and "没有 2099 年的任务" in err
    code, _, err = _run(capsys, "units", "--json", "--year", "2099")
    assert code == 2 and "没有 2099 年的任务" in err
