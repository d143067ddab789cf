"""Files that are not a plain .xlsx, or are hostile: one clear message, nothing stored, no crash.

Every hostile file is built here from a real template; no binaries are checked in.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from accounts.access import SYSTEM
from db.engine import read_session
from db.models import RejectedAttempt, Submission, SubmissionRow
from intake.guard import FileRejected, inspect
from intake.ingest import ingest_upload
from intake.limits import MAX_ROWS, MAX_UPLOAD_BYTES
from intake.validation import annotate, read_upload
from tests.monthly_kit import SMALL_UNIT, edit, filled

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _rezip(data: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    """Rewrite the zip members of a workbook (what a crafted file can contain)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _replace(part: str, old: bytes, new: bytes) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        assert old in members[part]
        members[part] = members[part].replace(old, new, 1)

    return change


def _add(part: str, content: bytes) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        members[part] = content

    return change


def _drop(part: str) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        del members[part]

    return change


def _far_cell(wb) -> None:  # type: ignore[no-untyped-def]
    wb["月报"]["XFD1048576"] = "x"


def _row_past_the_limit(wb) -> None:  # type: ignore[no-untyped-def]
    wb["月报"][f"A{MAX_ROWS + 1}"] = "x"


def _huge_merge(wb) -> None:  # type: ignore[no-untyped-def]
    wb["月报"].merge_cells(f"A{MAX_ROWS + 1000}:B{MAX_ROWS + 1000}")


def _full_sheet() -> bytes:
    """A sheet using every cell the limits allow (A1:Z{MAX_ROWS}): legal alone, too many with another."""
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{chr(64 + c)}{r}"><v>1</v></c>' for c in range(1, 27)) + "</row>"
        for r in range(1, MAX_ROWS + 1)
    )
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return f'<worksheet xmlns="{ns}"><sheetData>{rows}</sheetData></worksheet>'.encode()


def _hostile(valid: bytes) -> list[tuple[str, bytes, str]]:
    sheet = "xl/worksheets/sheet1.xml"
    return [
        ("empty", b"", "文件是空的"),
        ("too large", b"PK\x03\x04" + b"\0" * MAX_UPLOAD_BYTES, "文件超过 5 MB 上限"),
        ("old xls", OLE2 + b"\0" * 4000, "这是旧版 Excel（.xls）或 WPS 表格（.et）文件"),
        ("encrypted", OLE2 + b"\0" * 100 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 100, "设置了打开密码"),
        ("csv", "序号,主要任务,完成状态\n53,计划,序时推进\n".encode("gb18030"), "这是文本（CSV 等）文件"),
        ("utf-8 csv", "\ufeff序号,完成进度\n53,80\n".encode(), "这是文本（CSV 等）文件"),
        ("html as xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页（HTML/XML）"),
        ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "这是 PDF 文件"),
        ("random bytes", bytes(range(256)) * 8, "这不是 Excel 工作簿（.xlsx）文件"),
        ("truncated", valid[: len(valid) // 2], "文件已损坏"),
        ("not a workbook zip", _rezip(valid, _drop("xl/workbook.xml")), "文件中没有工作簿部分"),
        ("macro", _rezip(valid, _add("xl/vbaProject.bin", b"\0" * 64)), "文件含有宏（.xlsm）"),
        (
            "macro content type",
            _rezip(valid, _replace("[Content_Types].xml", b"sheet.main+xml", b"sheet.macroEnabled.main+xml")),
            "文件含有宏（.xlsm）",
        ),
        ("zip bomb", _rezip(valid, _add("xl/media/padding.bin", b"\0" * (3 * 1024 * 1024))), "疑似压缩炸弹"),
        ("cell at the far corner", edit(valid, _far_cell), "范围过大"),
        ("row past the limit", edit(valid, _row_past_the_limit), "范围过大"),
        ("too many cells in all", _rezip(valid, _add("xl/worksheets/sheet2.xml", _full_sheet())), "文件内容过多"),
        ("merged range beyond the limits", edit(valid, _huge_merge), "范围过大"),
        (
            "dimension beyond the limits",
            _rezip(valid, _replace(sheet, b'<dimension ref="A1:J10"/>', b'<dimension ref="A1:XFD1048576"/>')),
            "范围过大",
        ),
        (
            "entity expansion",
            _rezip(
                valid,
                _replace(
                    "xl/styles.xml",
                    b"<styleSheet",
                    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><styleSheet',
                ),
            ),
            "不允许的 XML 声明",
        ),
        (
            "strict ooxml",
            _rezip(
                valid,
                _replace(
                    "xl/workbook.xml",
                    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                    b'xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"',
                ),
            ),
            "Strict Open XML",
        ),
    ]


def test_hostile_and_wrong_files_get_one_message_and_store_nothing(loaded) -> None:
    valid = filled()
    assert inspect(valid).sheet_names == ["月报", "填报说明", "_meta"]
    for name, data, message in _hostile(valid):
        with pytest.raises(FileRejected) as caught:
            inspect(data)
        assert message in str(caught.value), name
        result = ingest_upload(data, file_name=f"{name}.xlsx", unit=SMALL_UNIT, actor=SYSTEM)
        assert not result.accepted, name
        assert [(p.sheet, p.cell) for p in result.errors] == [("", "")], name
        assert message in result.errors[0].message, name
        assert annotate(data, result.errors) is None, name
    with read_session() as session:
        assert session.exec(select(func.count()).select_from(Submission)).one() == 0
        assert session.exec(select(func.count()).select_from(SubmissionRow)).one() == 0
        attempts = session.exec(select(RejectedAttempt).order_by(RejectedAttempt.id)).all()
    assert len(attempts) == len(_hostile(valid))
    assert all(a.error_count == 1 and len(a.sha256) == 64 for a in attempts)


def test_a_lying_zip_header_is_caught_by_the_bounded_reader(loaded) -> None:
    """A member whose header declares fewer bytes than it holds: read no further than declared."""
    valid = filled()
    sheet = b"xl/worksheets/sheet1.xml"
    data = bytearray(valid)
    with zipfile.ZipFile(io.BytesIO(valid)) as archive:
        info = archive.getinfo(sheet.decode())
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(sheet))
    # Uncompressed size sits 24 bytes into a central directory entry, 22 into a local header.
    data[central + 24 : central + 28] = (info.file_size // 2).to_bytes(4, "little")
    local = info.header_offset
    data[local + 22 : local + 26] = (info.file_size // 2).to_bytes(4, "little")
    with pytest.raises(FileRejected, match=r"文件已损坏|疑似压缩炸弹"):
        inspect(bytes(data))


def test_formulas_are_found_while_streaming_and_the_annotated_copy_marks_them(loaded) -> None:
    def formulas(wb) -> None:  # type: ignore[no-untyped-def]
        wb["月报"]["E7"] = "=SUM(40,40)"
        wb["月报"]["F8"] = "=B8"

    data = edit(filled(), formulas)
    assert inspect(data).formula_cells == {"月报": ["E7", "F8"]}
    parsed = read_upload(data)
    assert parsed.readable and parsed.formula_cells == {"E7", "F8"}
    result = ingest_upload(data, file_name="公式.xlsx", unit=SMALL_UNIT, actor=SYSTEM)
    assert [(p.cell, p.message) for p in result.errors] == [
        ("E7", "请直接填写内容，不要使用公式"),
        ("F8", "请直接填写内容，不要使用公式"),
    ]
    marked = annotate(data, result.errors)
    assert marked is not None
    ws = load_workbook(io.BytesIO(marked))["月报"]
    assert ws["E7"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["E7"].comment.text == "请直接填写内容，不要使用公式"
    assert ws["E9"].comment is None
