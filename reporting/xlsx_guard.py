"""File-level checks on an uploaded workbook, before any spreadsheet parser sees the bytes.

An .xlsx is a zip of XML parts. Everything here is bounded: the size is checked first, each zip
member is streamed with caps on its real (not only its declared) size, and the sheet XML is
read incrementally so absurd dimensions and formulas are found without building the grid.
Spreadsheet parsers can exhaust memory, or abort the process, on crafted files; only bytes that
passed ``inspect`` may be handed to one.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError, iterparse

from reporting.limits import (
    MAX_CELLS,
    MAX_COLUMN,
    MAX_COMPRESSION_RATIO,
    MAX_MEMBER_BYTES,
    MAX_ROWS,
    MAX_TOTAL_BYTES,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_MB,
    MAX_ZIP_MEMBERS,
    RATIO_CHECK_BYTES,
)

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_CONTENT_TYPE = b"macroEnabled"
STRICT_NAMESPACE = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CHUNK = 64 * 1024
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")

SAVE_AS_XLSX = "请在 Excel 或 WPS 中打开后“另存为”Excel 工作簿（*.xlsx）再上传"
TOO_LARGE = f"文件超过 {MAX_UPLOAD_MB} MB 上限，月报表格不应这么大：请删除多余的图片或工作表后重新保存"


class FileRejected(ValueError):
    """The file as a whole cannot be read; the message says what to do instead."""


@dataclass
class GuardReport:
    sheet_names: list[str] = field(default_factory=list)
    formula_cells: dict[str, list[str]] = field(default_factory=dict)  # sheet name -> cells like "E7"


def inspect(data: bytes) -> GuardReport:
    """Check the bytes of an upload; raise ``FileRejected`` with a Chinese message if unsafe."""
    if not data:
        raise FileRejected("文件是空的（0 字节），请重新选择填好的月报文件")
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRejected(TOO_LARGE)
    if data.startswith(OLE2_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise FileRejected(
                "文件设置了打开密码（已加密），系统无法读取：请在 Excel 或 WPS 中取消密码后重新保存再上传"
            )
        raise FileRejected(f"这是旧版 Excel（.xls）或 WPS 表格（.et）文件，{SAVE_AS_XLSX}")
    if not data.startswith(ZIP_MAGIC):
        raise FileRejected(_not_a_workbook(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        return _inspect_archive(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ParseError, UnicodeDecodeError, KeyError):
        raise FileRejected(f"文件已损坏，无法读取：{SAVE_AS_XLSX}") from None
    except NotImplementedError:
        raise FileRejected(f"文件使用了不支持的压缩方式：{SAVE_AS_XLSX}") from None


def _not_a_workbook(data: bytes) -> str:
    head = data[:4096]
    if head.startswith(b"%PDF"):
        return "这是 PDF 文件，不是 Excel 表格：请上传填好的 .xlsx 月报（纸质签字件另行报送）"
    if b"\x00" not in head and _decodes(head):
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if text.startswith((b"<", b"mime-version")):
            return f"这是网页（HTML/XML）格式的文件，只是扩展名为 Excel，{SAVE_AS_XLSX}"
        return f"这是文本（CSV 等）文件，不是 Excel 工作簿：{SAVE_AS_XLSX}"
    return f"这不是 Excel 工作簿（.xlsx）文件：{SAVE_AS_XLSX}"


def _decodes(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            # A multi-byte character may be cut at the end of the sample.
            try:
                head[:-3].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


def _inspect_archive(archive: zipfile.ZipFile) -> GuardReport:
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileRejected(f"文件内部结构异常（包含 {len(members)} 个部件），{SAVE_AS_XLSX}")
    names = {m.filename for m in members}
    if "xl/workbook.bin" in names:
        raise FileRejected(f"这是二进制工作簿（.xlsb），{SAVE_AS_XLSX}")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRejected(f"这不是 Excel 工作簿（可能是 Word 文档或其他压缩包改了扩展名），{SAVE_AS_XLSX}")
    if any(posixpath.basename(n).lower() == "vbaproject.bin" for n in names):
        raise FileRejected(f"文件含有宏（.xlsm），出于安全考虑不予接收：{SAVE_AS_XLSX}")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise FileRejected("文件设置了密码（已加密），系统无法读取：请取消密码后重新保存再上传")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileRejected(f"文件使用了不支持的压缩方式，{SAVE_AS_XLSX}")
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if (
            member.file_size > MAX_MEMBER_BYTES
            or total > MAX_TOTAL_BYTES
            or (member.file_size > RATIO_CHECK_BYTES and ratio > MAX_COMPRESSION_RATIO)
        ):
            raise FileRejected("文件解压后体积异常（疑似压缩炸弹），不予处理：请上传正常填写的月报表格")
    # Stream every member once: real sizes within the caps, checksums right, no DTDs.
    for member in members:
        for _ in _chunks(archive, member):
            pass
    if MACRO_CONTENT_TYPE in archive.read("[Content_Types].xml"):
        raise FileRejected(f"文件含有宏（.xlsm），出于安全考虑不予接收：{SAVE_AS_XLSX}")
    report = GuardReport()
    budget = MAX_CELLS  # for all sheets together: openpyxl keeps every cell in memory
    for name, part in _sheet_parts(archive, names):
        report.sheet_names.append(name)
        formulas, used = _scan_sheet(archive, part, name, budget)
        budget -= used
        if formulas:
            report.formula_cells[name] = formulas
    return report


def _chunks(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes in chunks, refusing more than declared and any DTD in XML."""
    seen = 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            seen += len(chunk)
            if seen > member.file_size or seen > MAX_MEMBER_BYTES:
                raise FileRejected("文件解压后体积异常（疑似压缩炸弹），不予处理：请上传正常填写的月报表格")
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                raise FileRejected(f"文件内部结构异常（含有不允许的 XML 声明），{SAVE_AS_XLSX}")
            tail = chunk[-16:]
            yield chunk


class _Stream(io.RawIOBase):
    """A file-like view of a member for iterparse, reusing the bounded chunk reader."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:  # type: ignore[no-untyped-def]
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._buffer = chunk
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def _xml_events(archive: zipfile.ZipFile, name: str, events: tuple[str, ...]):  # type: ignore[no-untyped-def]
    stream = io.BufferedReader(_Stream(_chunks(archive, archive.getinfo(name))))
    return iterparse(stream, events=events)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, zip part) for every worksheet, in workbook order."""
    sheets: list[tuple[str, str]] = []
    for _, elem in _xml_events(archive, "xl/workbook.xml", ("start",)):
        if _local(elem.tag) == "workbook" and elem.tag.startswith("{" + STRICT_NAMESPACE):
            raise FileRejected("文件保存成了“Strict Open XML”格式，请另存为普通的 Excel 工作簿（*.xlsx）再上传")
        if _local(elem.tag) == "sheet":
            sheets.append((elem.get("name", ""), elem.get(f"{{{_REL_NS}}}id", "")))
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for _, elem in _xml_events(archive, "xl/_rels/workbook.xml.rels", ("start",)):
            if _local(elem.tag) == "Relationship":
                target = elem.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                targets[elem.get("Id", "")] = path
    parts = [(name, targets.get(rel_id, "")) for name, rel_id in sheets]
    return [(name, part) for name, part in parts if part in names]


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _too_large(sheet: str) -> FileRejected:
    return FileRejected(
        f"工作表“{sheet}”的范围过大（超过 {MAX_ROWS} 行或超出 {_column_letters(MAX_COLUMN)} 列），"
        "请删除表格以外的多余内容或格式后重新保存"
    )


def _check_ref(ref: str, sheet: str) -> tuple[int, int]:
    match = _REF.match(ref)
    if not match:
        raise FileRejected(f"工作表“{sheet}”中有无法识别的单元格地址，{SAVE_AS_XLSX}")
    column, row = _column_number(match.group(1)), int(match.group(2))
    if column > MAX_COLUMN or row > MAX_ROWS:
        raise _too_large(sheet)
    return row, column


def _scan_sheet(archive: zipfile.ZipFile, part: str, sheet: str, budget: int) -> tuple[list[str], int]:
    """Refuse cells beyond the limits or the budget; return the formula cells and the cells used."""
    formulas: list[str] = []
    row = column = cells = 0
    current = ""
    for event, elem in _xml_events(archive, part, ("start", "end")):
        tag = _local(elem.tag)
        if event == "start":
            if tag == "dimension":
                for ref in elem.get("ref", "A1").split(":"):
                    _check_ref(ref, sheet)
            elif tag == "row":
                number = elem.get("r")
                row = row + 1 if number is None else int(number) if number.isdigit() else 0
                if not 1 <= row <= MAX_ROWS:
                    raise _too_large(sheet)
                column = 0
            elif tag in ("mergeCell", "hyperlink"):
                # openpyxl creates a cell object for every cell these ranges cover.
                for ref in re.split(r"[:\s]+", elem.get("ref", "").strip()):
                    if ref:
                        _check_ref(ref, sheet)
            elif tag == "c":
                cells += 1
                if cells > budget:
                    raise FileRejected(
                        f"文件内容过多（各工作表合计超过 {MAX_CELLS} 个单元格），请删除多余的工作表或内容后重新保存"
                    )
                ref = elem.get("r")
                if ref:
                    row, column = _check_ref(ref, sheet)
                else:
                    column += 1
                    if column > MAX_COLUMN:
                        raise _too_large(sheet)
                current = f"{_column_letters(column)}{row}"
            elif tag == "f" and current:
                formulas.append(current)
        elif tag in ("row", "mergeCells", "dataValidations", "conditionalFormatting"):
            elem.clear()
        elif tag == "c":
            current = ""
    return list(dict.fromkeys(formulas)), cells
