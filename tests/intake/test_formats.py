"""Formats people save instead of .xlsx: each gets the message saying what to do, on the page's
file picker's list and through the command line, and nothing else is taken for something it is not.

The OpenDocument files are built as LibreOffice and WPS write them (``tests.monthly_kit.open_document``).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import cli
from accounts.access import SYSTEM
from intake.guard import (
    ODS,
    OLD_BINARY,
    READ_EXTENSIONS,
    REFUSED_FORMATS,
    TEXT_FILE,
    UPLOAD_EXTENSIONS,
    FileRejected,
    inspect,
)
from intake.ingest import ingest_upload
from tests.monthly_kit import SMALL_UNIT, filled, open_document

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _office_package(main_part: str) -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>", main_part: b"<x/>"})


CASES = [
    # (what, bytes, the message or a fragment of it)
    ("ods", open_document("application/vnd.oasis.opendocument.spreadsheet"), ODS),
    ("ods template", open_document("application/vnd.oasis.opendocument.spreadsheet-template"), ODS),
    ("odt", open_document("application/vnd.oasis.opendocument.text"), "这是 OpenDocument 文字文档（.odt），不是表格"),
    ("odp", open_document("application/vnd.oasis.opendocument.presentation"), "这是 OpenDocument 文件"),
    ("docx", _office_package("word/document.xml"), "这是 Word 文档（.docx），不是 Excel 工作簿"),
    ("pptx", _office_package("ppt/presentation.xml"), "这是 PowerPoint 演示文稿（.pptx）"),
    ("zip", _zip({"月报.xlsx": b"PK", "说明.txt": "说明".encode()}), "这是压缩包（.zip 等），不是 Excel 工作簿"),
    ("et / xls", OLE2 + b"\0" * 4000, OLD_BINARY),
    ("csv", "序号,完成状态\n53,序时推进\n".encode("gb18030"), TEXT_FILE),
]


@pytest.mark.parametrize(("data", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_format_is_named_for_what_it_is(data: bytes, message: str) -> None:
    with pytest.raises(FileRejected) as caught:
        inspect(data)
    assert message in str(caught.value)
    if message != ODS and "Word" not in message:
        assert "Word" not in str(caught.value)


def test_an_ods_says_how_to_save_it_as_xlsx() -> None:
    assert "Word" not in ODS
    assert "另存为" in ODS and "WPS" in ODS and "LibreOffice" in ODS and ".xlsx" in ODS


def test_the_file_picker_lets_through_exactly_what_is_read_or_explained() -> None:
    assert READ_EXTENSIONS == ("xlsx",)
    assert set(UPLOAD_EXTENSIONS) == {"xlsx", "xlsm", "xls", "et", "ods", "csv"}
    assert (*READ_EXTENSIONS, *REFUSED_FORMATS) == UPLOAD_EXTENSIONS
    # Every refused format the picker lets through is one the guard recognises by content.
    recognised = {message for _, _, message in CASES} | {REFUSED_FORMATS["xlsm"]}
    assert set(REFUSED_FORMATS.values()) <= recognised
    source = Path("pages/upload.py").read_text(encoding="utf-8")
    assert "type=list(UPLOAD_EXTENSIONS)" in source


def test_an_ods_through_ingest_and_the_command_line(loaded, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = open_document("application/vnd.oasis.opendocument.spreadsheet")
    result = ingest_upload(data, file_name="月报.ods", unit=SMALL_UNIT, actor=SYSTEM)
    assert not result.accepted and [p.message for p in result.errors] == [ODS]
    path = tmp_path / "月报.ods"
    path.write_bytes(data)
    assert cli.main(["ingest", str(path), "--unit", SMALL_UNIT]) == 1
    out, _ = capsys.readouterr()
    assert out.strip() == f"文件: {ODS}"
    # The same report saved as .xlsx is taken, whatever the name.
    assert ingest_upload(filled(), file_name="月报.ods", unit=SMALL_UNIT, actor=SYSTEM).accepted
