"""``findings``, ``findings import`` and ``notice`` through cli.main: the import's case table (each
bad file refused with its cells, nothing written), a good file in shuffled column order with an
alias, the JSON list, and a 督办单 written and numbered."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

import cli
from core import clock
from intake.findings_sheet import COLUMNS, blank_workbook
from tests.factories import add_submission

NOW = datetime(2023, 5, 10, 10, 0)
GOOD = {
    "检查日期": "2023-05-08",
    "任务序号": 78,
    "责任单位": "区交通局",
    "发现问题": "施工慢",
    "整改要求": "加快",
    "整改时限": "2023-05-09",
}


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def sheet(path: Path, header: list[str], *rows: dict[str, object]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "问题清单"
    ws.append(header)
    for row in rows:
        ws.append([row.get(name) for name in header])
    wb.save(path)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, object]]:
    code, out, _ = run(capsys, "findings", "--json", *extra)
    assert code == 0
    return json.loads(out)


SHUFFLED = ["整改时限", "责任单位", "发现问题", "任务序号", "整改要求", "检查日期"]


def test_a_good_file_in_any_column_order_with_an_alias_is_imported(loaded, tmp_path, capsys) -> None:
    path = sheet(
        tmp_path / "清单.xlsx",
        SHUFFLED,
        GOOD,
        {**GOOD, "检查日期": datetime(2023, 5, 9), "整改时限": "2023年6月1日", "任务序号": "1", "责任单位": " 岩寺镇 "},
    )
    code, out, err = run(capsys, "findings", "import", str(path))
    assert code == 0, err
    assert out.strip() == "已导入 2 个问题，记为 2 次督查（检查日期 2023-05-08、2023-05-09）"
    found = listed(capsys)
    assert [(f["inspection_date"], f["task"], f["unit"], f["due"], f["state"], f["overdue"]) for f in found] == [
        ("2023-05-09", 1, "岩寺镇", "2023-06-01", "open", False),
        ("2023-05-08", 78, "区交通运输局", "2023-05-09", "open", True),
    ]
    assert set(found[0]) == {"id", "inspection_date", "task", "unit", "text", "due", "state", "overdue"}
    assert [f["task"] for f in listed(capsys, "--unit", "区交通局", "--year", "2023")] == [78]


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        ([c for c in COLUMNS if c != "整改要求"], GOOD, ["问题清单!A1: 表头行（第 1 行）缺少“整改要求”列"]),
        (list(COLUMNS), {**GOOD, "责任单位": "区不存在局"}, ["问题清单!C3: 不认识的单位“区不存在局”"]),
        (list(COLUMNS), {**GOOD, "责任单位": "沿线各乡镇"}, ["问题清单!C3: “沿线各乡镇”是群组"]),
        (list(COLUMNS), {**GOOD, "检查日期": "5月8日"}, ["问题清单!A3: 无法识别日期“5月8日”"]),
        (list(COLUMNS), {**GOOD, "整改时限": "2023-02-30"}, ["问题清单!F3: 无法识别日期“2023-02-30”"]),
        (list(COLUMNS), {**GOOD, "整改时限": "2023-05-01"}, ["问题清单!F3: 整改时限 2023-05-01 早于检查日期"]),
        (list(COLUMNS), {**GOOD, "任务序号": "七十八"}, ["问题清单!B3: 任务序号应为任务清单中的序号"]),
        (list(COLUMNS), {**GOOD, "任务序号": 126}, ["问题清单!B3: 2023 年的任务清单中没有第 126 项任务"]),
        (list(COLUMNS), {**GOOD, "发现问题": "=HYPERLINK(1)"}, ["问题清单!D3: 请直接填写内容，不要使用公式"]),
        (list(COLUMNS), {**GOOD, "整改要求": "@SUM(A1)"}, ["问题清单!E3: 内容开头的“@”可能被当作公式执行"]),
        (list(COLUMNS), {**GOOD, "责任单位": "区不存在局", "任务序号": 0}, ["问题清单!B3", "问题清单!C3"]),
        (list(COLUMNS), {**GOOD, "整改要求": None}, ["问题清单!E3: 请填写整改要求"]),
    ],
)
def test_a_bad_file_is_refused_with_every_cell_and_nothing_written(
    loaded, tmp_path, capsys, header: list[str], row: dict[str, object], expected: list[str]
) -> None:
    path = sheet(tmp_path / "清单.xlsx", header, GOOD, row)
    code, out, err = run(capsys, "findings", "import", str(path))
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == len(expected)
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), line
    assert "未写入任何数据" in err
    assert listed(capsys) == []


def test_the_import_refuses_what_is_not_a_workbook_and_wrong_usage(loaded, tmp_path, capsys) -> None:
    fake = tmp_path / "清单.xlsx"
    fake.write_bytes(b"%PDF-1.4 not a workbook")
    code, out, _ = run(capsys, "findings", "import", str(fake))
    assert code == 1 and "这是 PDF 文件" in out
    assert run(capsys, "findings", "import", str(tmp_path / "无.xlsx"))[0] == 2
    assert run(capsys, "findings", "import", str(tmp_path / "清单.csv"))[0] == 2
    assert run(capsys, "findings", "--year", "1999", "--json")[0] == 2
    assert run(capsys, "findings", "--unit", "区不存在局", "--json")[0] == 2


def test_the_blank_template_imports_once_filled(loaded, tmp_path, capsys) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(blank_workbook()))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == list(COLUMNS)
    ws.append([date(2023, 5, 8), 78, "区交通运输局", "施工慢", "加快", date(2023, 5, 30)])
    wb.save(tmp_path / "模板.xlsx")
    assert run(capsys, "findings", "import", str(tmp_path / "模板.xlsx"))[0] == 0
    assert [f["task"] for f in listed(capsys)] == [78]


def test_notice_writes_a_numbered_document_for_a_lagging_task(loaded, tmp_path, capsys) -> None:
    add_submission("区交通运输局", "2023-04", datetime(2023, 5, 3, 9), {78: ("滞后", 20.0)})
    out = tmp_path / "督办单.docx"
    code, printed, err = run(capsys, "notice", "--task", "78", "--year", "2023", "--out", str(out))
    assert code == 0, err
    assert "督办〔2023〕1号" in printed
    paragraphs = [p.text for p in Document(str(out)).paragraphs]
    assert paragraphs[0] == "督 办 通 知 单" and "督办〔2023〕1号" in paragraphs and "区交通运输局：" in paragraphs
    code, _, err = run(capsys, "notice", "--task", "1", "--year", "2023", "--out", str(tmp_path / "b.docx"))
    assert code == 1 and "不滞后、未亮红灯也不欠进度" in err and not (tmp_path / "b.docx").exists()
    assert run(capsys, "notice", "--task", "78", "--year", "2023", "--out", str(tmp_path / "c.pdf"))[0] == 2
    code, _, err = run(
        capsys, "notice", "--task", "78", "--year", "2023", "--out", str(tmp_path / "无此目录" / "x.docx")
    )
    assert code == 1
    code, printed, _ = run(capsys, "notice", "--task", "78", "--year", "2023", "--out", str(out))
    assert code == 0 and "督办〔2023〕2号" in printed  # the failed write above issued nothing


def test_the_json_list_follows_reply_and_close(loaded, tmp_path, capsys) -> None:
    from accounts.access import SYSTEM, Actor
    from db.engine import read_session, write_session
    from db.queries import resolve_unit
    from office import inspections

    assert run(capsys, "findings", "import", str(sheet(tmp_path / "清单.xlsx", list(COLUMNS), GOOD)))[0] == 0
    (found,) = listed(capsys)
    assert (found["state"], found["overdue"]) == ("open", True)
    with read_session() as session:
        unit = resolve_unit(session, "区交通局")
        assert unit is not None
        actor = Actor("区交通运输局", "unit", unit_id=unit.id)
    with write_session() as session:
        inspections.reply_finding(session, actor, finding_id=int(str(found["id"])), text="已整改")
    assert [(f["state"], f["overdue"]) for f in listed(capsys)] == [("replied", False)]
    with write_session() as session:
        inspections.close_finding(session, SYSTEM, finding_id=int(str(found["id"])))
    assert [f["state"] for f in listed(capsys, "--unit", "区交通运输局")] == ["closed"]
    assert listed(capsys, "--unit", "岩寺镇") == []
