"""Reading an upload with python-calamine, after the guard: what the guard notes for it (what a
formula or error cell holds, which cells show a percentage) and the crafted files it must stop
before the parser opens them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from openpyxl.workbook.workbook import Workbook
from sqlmodel import select

from accounts.access import SYSTEM
from db.engine import read_session
from db.models import SubmissionRow
from intake.guard import FileRejected, inspect
from intake.ingest import IngestResult, ingest_upload
from intake.validation import read_upload
from tests.monthly_kit import SMALL_UNIT, edit, filled
from tests.proof.corpus import MAIN_NS, SHEET, members, rezip

RELS = "xl/_rels/workbook.xml.rels"


def _ingest(data: bytes) -> IngestResult:
    return ingest_upload(data, file_name="月报.xlsx", unit=SMALL_UNIT, actor=SYSTEM)


def _first_progress() -> float:
    with read_session() as session:
        return session.exec(select(SubmissionRow.progress).order_by(SubmissionRow.id)).first()


def test_formula_and_error_cells_show_what_is_written_in_them(loaded) -> None:
    def change(wb: Workbook) -> None:
        ws = wb["月报"]
        ws["E7"] = "=SUM(40,40)"
        ws["A8"] = "=53+16"  # where the task number belongs
        ws["E9"].value = "#N/A"
        ws["E9"].data_type = "e"  # an error value, as Excel stores #N/A typed into a cell

    result = _ingest(edit(filled(), change))
    found = {(p.cell, p.value, p.message) for p in result.errors}
    assert ("E7", "=SUM(40,40)", "请直接填写内容，不要使用公式") in found
    assert ("A8", "=53+16", "序号应为任务编号（整数），收到“=53+16”：请不要修改序号") in found
    assert ("E9", "#N/A", "无法识别完成进度“#N/A”：请只填写一个 0 到 100 之间的数字，例如 80") in found


@pytest.mark.parametrize(
    ("number_format", "value", "accepted", "progress"),
    [("0.0%", 0.755, True, 75.5), ('0"%"', 0.8, False, None), ("[Red]0.00%", 0.5, True, 50.0)],
    ids=["custom percent", "quoted percent sign", "percent with a colour"],
)
def test_percent_formats_come_from_the_styles(
    loaded, number_format: str, value: float, accepted: bool, progress
) -> None:
    def change(wb: Workbook) -> None:
        wb["月报"]["E7"].value = value
        wb["月报"]["E7"].number_format = number_format

    data = edit(filled(), change)
    assert ("E7" in inspect(data).percent_formats.get("月报", {})) is accepted
    result = _ingest(data)
    assert result.accepted is accepted, result.errors
    if accepted:
        assert _first_progress() == progress
    else:  # a literal % sign: 0.8 is shown as 0.8%, not 80%
        assert [(p.cell, p.message.split("：")[0]) for p in result.errors] == [("E7", "完成进度“0.8”含义不明确")]


def _moved_sheet(sheet_xml: bytes) -> bytes:
    """The report sheet stored as ``xl/../sheet1.xml``, its relationship target ``../sheet1.xml``.

    Resolved as a path the target leaves ``xl/``; python-calamine prefixes ``xl/`` and opens the
    member literally named ``xl/../sheet1.xml``.
    """
    parts = members(filled())
    del parts[SHEET]
    parts["xl/../sheet1.xml"] = sheet_xml
    parts[RELS] = parts[RELS].replace(b"/xl/worksheets/sheet1.xml", b"../sheet1.xml")
    return rezip(parts)


def test_the_limits_hold_for_whatever_part_the_parser_may_open_as_the_sheet(loaded) -> None:
    sheet_xml = members(filled())[SHEET]
    moved = _moved_sheet(sheet_xml)
    assert read_upload(moved).readable  # the parser does open it as the report sheet
    far = sheet_xml.replace(b"</sheetData>", b'<row r="20"><c r="XFD20"><v>1</v></c></row></sheetData>')
    with pytest.raises(FileRejected, match="范围过大"):
        inspect(_moved_sheet(far))


def _sheet_change(change: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def build(valid: bytes) -> bytes:
        parts = members(valid)
        parts[SHEET] = change(parts[SHEET])
        return rezip(parts)

    return build


def _append_row(row: bytes) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(b"</sheetData>", row + b"</sheetData>")


def _utf16(xml: bytes) -> bytes:
    return xml.decode().replace("<worksheet", '<?xml version="1.0" encoding="UTF-16"?><worksheet', 1).encode("utf-16")


def _with_zip_comment(valid: bytes) -> bytes:
    end = len(valid) - 22
    return valid[: end + 20] + (7).to_bytes(2, "little") + b"comment"


PREFIXED = f'<row r="20"><x:c xmlns:x="{MAIN_NS}" r="XFD20"><x:v>1</x:v></x:c></row>'.encode()
CRAFTED = [
    ("far cell with a namespace prefix", _sheet_change(_append_row(PREFIXED)), "范围过大"),
    (
        "far cell after junk in a comment",
        _sheet_change(_append_row(b'<!-- <c r="A1" note=" --><row r="20"><c r="XFD20"><v>1</v></c></row>')),
        "范围过大",
    ),
    (
        "far cell with its address after other attributes",
        _sheet_change(_append_row(b'<row r="20"><c s="0" t="n" r="XFD20"><v>1</v></c></row>')),
        "范围过大",
    ),
    ("sheet in UTF-16", _sheet_change(_utf16), "不支持的文字编码"),
    ("zip comment after the end record", _with_zip_comment, "文件已损坏"),
]


@pytest.mark.parametrize(("build", "message"), [c[1:] for c in CRAFTED], ids=[c[0] for c in CRAFTED])
def test_crafted_files_are_stopped_before_the_parser(loaded, build: Callable[[bytes], bytes], message: str) -> None:
    data = build(filled())
    with pytest.raises(FileRejected, match=message):
        inspect(data)
    result = _ingest(data)
    assert [(p.cell, message in p.message) for p in result.errors] == [("", True)]
