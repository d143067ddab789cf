"""``python cli.py tasks import`` and ``tasks blank``: exit codes 0 / 1 / 2 and the JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import Task
from tests.registry.breakdown_files import Rows, docx_2023, task_row, xlsx_2023
from tests.test_cli_registry import run_cli


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _years() -> list[int]:
    with read_session() as session:
        return sorted(set(session.exec(select(Task.year))))


def _broken(rows: Rows) -> None:
    task_row(rows, 5)[3] = []
    task_row(rows, 110)[3] = ["区法务局"]


def test_import_dry_run_then_import(loaded: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "任务分解表.docx", docx_2023())
    dry = run_cli("tasks", "import", path, "--year", "2024", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "  17  （一）抓转型、促升级，让工业脊梁更加挺拔" in dry.stdout
    assert "检查通过（未写入）" in dry.stdout
    assert _years() == [2023]

    done = run_cli("tasks", "import", path, "--year", "2024", "--json")
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout)
    assert (counts["year"], counts["action"], counts["tasks"], counts["dry_run"]) == (2024, "new", 125, False)
    assert counts["categories"][0] == {"name": "主要预期目标", "tasks": 9}
    assert _years() == [2023, 2024]

    again = run_cli("tasks", "import", path, "--year", "2024")
    assert again.returncode == 0
    assert "完全相同，未作任何改动" in again.stdout


def test_problems_exit_1_with_every_one(loaded: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "任务分解表.docx", docx_2023(_broken))
    text = run_cli("tasks", "import", path, "--year", "2024")
    assert text.returncode == 1
    assert "表格第6行（第5项）责任单位栏：第5项任务缺少责任单位" in text.stdout
    assert "（第110项）责任单位栏：无法识别的责任单位“区法务局”：最接近的已知名称：" in text.stdout
    assert "未导入：共 2 处问题" in text.stderr and "Traceback" not in text.stderr

    found = run_cli("tasks", "import", path, "--year", "2024", "--json")
    assert found.returncode == 1
    problems = json.loads(found.stdout)
    assert [set(p) for p in problems] == [{"row", "task", "field", "value", "message"}] * 2
    assert (problems[0]["row"], problems[0]["task"], problems[0]["field"]) == (6, 5, "责任单位")
    assert _years() == [2023]

    created = run_cli("tasks", "import", path, "--year", "2024", "--create-units")
    assert created.returncode == 1  # the task without units is still there
    assert len(created.stdout.strip().splitlines()) == 1


def test_create_units(loaded: str, tmp_path: Path) -> None:
    def unknown(rows: Rows) -> None:
        task_row(rows, 110)[3] = ["区法务局"]

    path = _write(tmp_path, "任务分解表.docx", docx_2023(unknown))
    done = run_cli("tasks", "import", path, "--year", "2024", "--create-units")
    assert done.returncode == 0, done.stdout
    assert "新建单位 1 个：区法务局（部门）" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tasks", "import", "没有这个文件.docx", "--year", "2024"], "找不到文件"),
        (["tasks", "import", "seed/units.toml", "--year", "2024"], "只能导入 .txt / .docx / .xlsx 文件"),
        (["tasks", "import", "seed/huizhou-2023-task-breakdown.txt", "--year", "24"], "年份应在"),
        (["tasks", "import", "seed/huizhou-2023-task-breakdown.txt", "--year", "二〇二四"], "参数 --year 应为整数"),
        (["tasks", "import", "seed/huizhou-2023-task-breakdown.txt"], "--year"),
        (["tasks", "blank", "--out", "空白.docx"], "--out 须为 .xlsx"),
    ],
)
def test_usage_errors_exit_2(migrated: str, args: list[str], message: str) -> None:
    found = run_cli(*args)
    assert found.returncode == 2
    assert message in found.stderr
    assert "Traceback" not in found.stderr


def test_a_renamed_pdf_exits_1(loaded: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "扫描件.docx", b"%PDF-1.4\n" + b"\0" * 100)
    found = run_cli("tasks", "import", path, "--year", "2024", "--json")
    assert found.returncode == 1
    (problem,) = json.loads(found.stdout)
    assert problem["row"] is None and "扫描件" in problem["message"]


def test_tasks_json_is_unchanged(loaded: str) -> None:
    found = run_cli("tasks", "--json")
    assert found.returncode == 0
    assert len(json.loads(found.stdout)) == 125


def test_blank_workbook(migrated: str, tmp_path: Path) -> None:
    out = tmp_path / "空白任务分解表.xlsx"
    found = run_cli("tasks", "blank", "--out", str(out))
    assert found.returncode == 0, found.stderr
    imported = run_cli("tasks", "import", str(out), "--year", "2025", "--dry-run")
    assert imported.returncode == 0, imported.stdout


def test_init_keeps_a_year_the_office_replaced_by_its_own_breakdown(loaded: str, tmp_path: Path) -> None:
    """2023 replaced (before any report) by a breakdown without its last task: ``init`` leaves it."""
    path = _write(tmp_path, "任务分解表.xlsx", xlsx_2023(lambda rows: rows.remove(task_row(rows, 125))))
    done = run_cli("tasks", "import", path, "--year", "2023")
    assert done.returncode == 0, done.stderr
    again = run_cli("init")
    assert again.returncode == 0, again.stderr
    with read_session() as session:
        assert len(session.exec(select(Task.no).where(Task.year == 2023)).all()) == 124
