"""Control characters pasted from Word into a report: cleaned where text enters, and every
document the office makes from the report still comes out (the bulletin, the ledger)."""

from __future__ import annotations

import io
from datetime import datetime

import docx
import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from sqlmodel import select

import cli
from accounts.access import SYSTEM
from core.text import clean, formula_like
from db.engine import read_session
from db.models import RejectedAttempt, Submission, SubmissionRow, Task
from intake.ingest import ingest_upload
from tests.factories import add_submission
from tests.monthly_kit import SMALL_UNIT, edit, filled

AS_OF = "2023-04-20T09:00:00+08:00"
# What Excel writes for a vertical tab (Word's line break), ESC, a form feed and a NUL.
PASTED = "资金_x000B_未到位_x001B_，_x000C_征地_x0000_滞后"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("甲\x0b乙", "甲\n乙"),  # Word's manual line break
        ("甲\r\n乙\r丙", "甲\n乙\n丙"),
        ("甲\t乙", "甲\t乙"),  # tabs stay
        ("甲\x1b\x00\x7f\x85乙", "甲乙"),
        ("甲_x000D_\n乙", "甲\n乙"),
        ("甲_x0000_乙", "甲乙"),
        ("变量名_x0041_保留", "变量名_x0041_保留"),  # not a control character: kept as typed
        ("甲\ufffe乙", "甲乙"),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected
    assert clean(clean(raw)) == clean(raw)


@pytest.mark.parametrize(
    ("text", "evaluated"),
    [
        ("=1+1", True),
        ("@SUM(A1)", True),
        ("  =1", True),
        ("-(cmd|' /C calc'!A0)", True),
        ("-1+(cmd|' /C calc'!A0)", True),
        ('+(HYPERLINK("http://x"))', True),
        ("-A1", True),
        ("+A1*10", True),
        ("-$B$2", True),
        ("-3", False),
        ("+5%", False),
        ("-完成方案（初稿）；+2 个项目开工", False),
        ("完成 A1 区块征迁(80%)", False),
        ("", False),
    ],
)
def test_formula_like(text: str, evaluated: bool) -> None:
    assert formula_like(text) is evaluated


def _lagging_with_pasted_problems(wb: Workbook) -> None:
    sheet = wb["月报"]
    sheet["D10"].value = "滞后"  # task 78, which the small unit leads
    sheet["G10"].value = PASTED
    sheet["H10"].value = "加派人手"


def test_pasted_control_characters_are_cleaned_at_upload_and_documents_still_come_out(loaded, tmp_path) -> None:
    result = ingest_upload(
        edit(filled(), _lagging_with_pasted_problems), file_name="月报.xlsx", unit=SMALL_UNIT, actor=SYSTEM
    )
    assert result.accepted, result.errors
    with read_session() as session:
        task = session.exec(select(Task).where(Task.year == 2023, Task.no == 78)).one()
        row = session.exec(select(SubmissionRow).where(SubmissionRow.task_id == task.id)).one()
    assert row.problems == "资金\n未到位，\n征地滞后"

    out = tmp_path / "通报.docx"
    assert cli.main(["bulletin", "--period", "2023-03", "--out", str(out)]) == 0  # uploaded now
    cells = [cell.text for table in docx.Document(str(out)).tables for r in table.rows for cell in r.cells]
    assert any("征地滞后" in cell for cell in cells)
    ledger = tmp_path / "台账.xlsx"
    assert cli.main(["ledger", "--period", "2023-03", "--out", str(ledger)]) == 0
    values = [c.value for r in load_workbook(ledger).active.iter_rows() for c in r]
    assert any(isinstance(v, str) and "征地滞后" in v for v in values)


def test_documents_tolerate_control_characters_stored_before_the_rule(loaded, tmp_path) -> None:
    add_submission(SMALL_UNIT, "2023-03", datetime(2023, 4, 3, 9), {78: ("滞后", 30.0)}, text="旧数据\x0b含\x1b控制符")
    out = tmp_path / "通报.docx"
    assert cli.main(["bulletin", "--period", "2023-03", "--as-of", AS_OF, "--out", str(out)]) == 0
    docx.Document(io.BytesIO(out.read_bytes()))
    ledger = tmp_path / "台账.xlsx"
    assert cli.main(["ledger", "--period", "2023-03", "--as-of", AS_OF, "--out", str(ledger)]) == 0


def _nul_in_every_text_cell(wb: Workbook) -> None:
    """``_x0000_`` (how Excel stores a NUL) inside every text cell a clerk can type into: the header
    block, the status, the three texts and the remark of each row."""
    sheet = wb["月报"]
    for coordinate in ("C3", "G3", "C4"):
        sheet[coordinate].value = f"{sheet[coordinate].value}_x0000_"
    for row in range(7, 11):
        for column in "DFGHI":
            value = sheet[f"{column}{row}"].value
            sheet[f"{column}{row}"].value = f"{value or ''}_x0000_"


def test_a_nul_anywhere_is_removed_the_same_way_on_every_database(loaded, tmp_path, capsys) -> None:
    """PostgreSQL cannot store a NUL in text; SQLite can. Both must store the same clean text."""
    path = tmp_path / "月报.xlsx"
    path.write_bytes(edit(filled(), _nul_in_every_text_cell))
    assert cli.main(["ingest", str(path), "--unit", SMALL_UNIT, "--json"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    with read_session() as session:
        rows = session.exec(select(SubmissionRow)).all()
        submission = session.exec(select(Submission)).one()
    assert len(rows) == 4
    texts = [r.status for r in rows] + [r.progress_text for r in rows] + [submission.filler, submission.phone]
    assert all(text and "\x00" not in text for text in texts)
    assert {r.status for r in rows} == {"序时推进"}


def test_a_nul_in_a_refused_report_is_kept_out_of_the_rejected_attempt(loaded, tmp_path, capsys) -> None:
    def broken(wb: Workbook) -> None:
        wb["月报"]["D7"].value = "完成_x0000_了"  # no such status: refused, and the message quotes it

    path = tmp_path / "月报.xlsx"
    path.write_bytes(edit(filled(), broken))
    assert cli.main(["ingest", str(path), "--unit", SMALL_UNIT, "--json"]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "\x00" not in out
    assert "完成了" in out
    with read_session() as session:
        attempts = session.exec(select(RejectedAttempt)).all()
    assert len(attempts) == 1
    assert "\x00" not in attempts[0].errors_json and "\\u0000" not in attempts[0].errors_json
    assert "完成了" in attempts[0].errors_json
