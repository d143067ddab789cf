"""File-level checks on an uploaded workbook, before any spreadsheet parser sees the bytes.

An .xlsx is a zip of XML parts. Everything here is bounded: the size is checked first, each zip
member is streamed with caps on its real (not only its declared) size, and the sheet XML is
scanned chunk by chunk with regular expressions, so absurd dimensions and formulas are found
without building the grid. Spreadsheet parsers can exhaust memory, or abort the process, on
crafted files; only bytes that passed ``inspect`` may be handed to one.

The scan also notes what a reader of cell values does not give: the formula or error value
written in a cell, and which cells show their number as a percentage.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal
from xml.etree.ElementTree import Element, ParseError, iterparse

from intake.limits import (
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
ZIP_END_MAGIC = b"PK\x05\x06"
_ZIP_END_SIZE = 22
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_CONTENT_TYPE = b"macroEnabled"
STRICT_NAMESPACE = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STYLES = "xl/styles.xml"
_CHUNK = 64 * 1024
_MAX_TAG = 1024 * 1024  # a tag with the text after it; far above the 32,767 characters of an Excel cell
_REF = re.compile(rb"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
# Possessive quantifiers (*+, ++) never backtrack, so a failed match costs no more than a pass.
# Any namespace prefix. Possessive too: a name followed by ":" is never the tag's own name.
_PREFIX = rb"(?:[A-Za-z_][\w.\-]*+:)?+"
# A stretch of a tag's attributes: quoted values may hold ">" but, as all text in XML, never "<".
# So a match never reaches past the next "<": every real tag is matched on its own, even after junk.
_ATTRIBUTE_PART = rb"""(?:[^<>"']++|"[^<"]*+"|'[^<']*+')"""
_ATTRIBUTES = _ATTRIBUTE_PART + b"*+"


def _leading(name: bytes) -> bytes:
    """Capture the value of attribute ``name`` where writers put it (double-quoted, in order)."""
    return rb"(?:\s++" + name + rb'="([^"<]*+)")?'


# The tags of sheet XML that matter here. Writers put r (address), s (style) and t (type) of a
# row or cell first and in this order: they are captured there, after them come any others
# (read one by one if r, s or t is among them). A cell's formula <f> and value <v> are its
# first children, in this order (the schema's), and are matched with it. Both are optional and
# come last, so nothing after them can fail: they are possessive, which only saves the regex
# engine its bookkeeping for backtracking.
_SHEET_TAG = re.compile(
    (b"<" + _PREFIX + rb"(row|c|dimension|mergeCell|hyperlink)(?=[\s/>])")
    + (b"(" + _leading(b"r") + _leading(b"s") + _leading(b"t") + b"(" + _ATTRIBUTES + b"))>")
    + (rb"(?:\s*+(<" + _PREFIX + rb"f(?=[\s/>])" + _ATTRIBUTES + rb">)([^<]*+)(?:</" + _PREFIX + rb"f>)?+)?+")
    + (rb"(?:\s*+<" + _PREFIX + rb"v(?=[\s>])[^<>]*+>([^<]*+))?+")
)
_RST_ELSEWHERE = re.compile(rb"\s[rst]\s*=")
_STYLE_TAG = re.compile(b"<(/?)" + _PREFIX + rb"(numFmt|cellXfs|xf)(?=[\s/>])(" + _ATTRIBUTES + b")>")
_ATTRIBUTE = re.compile(rb"""([\w:.\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RANGE_SEPARATOR = re.compile(rb"[:\s]+")
# Number formats that show 0.8 as 80%: the built-in ones by id, and any format with a % that is
# not quoted, escaped or in brackets (a quoted "%" is a literal sign: Excel does not scale by 100).
_BUILTIN_PERCENT = {b"9": "0%", b"10": "0.00%"}
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')

SAVE_AS_XLSX = "请在 Excel 或 WPS 中打开后“另存为”Excel 工作簿（*.xlsx）再上传"
OPEN_DOCUMENT_SPREADSHEET = "application/vnd.oasis.opendocument.spreadsheet"
OPEN_DOCUMENT_TEXT = "application/vnd.oasis.opendocument.text"
_ODF_SAVE_AS = "请在 WPS 或 LibreOffice 中打开，“文件 → 另存为”，文件类型选“Excel 工作簿（*.xlsx）”后再上传"
OLD_BINARY = f"这是旧版 Excel（.xls）或 WPS 表格（.et）文件，{SAVE_AS_XLSX}"
MACROS = f"文件含有宏（.xlsm），出于安全考虑不予接收：{SAVE_AS_XLSX}"
TEXT_FILE = f"这是文本（CSV 等）文件，不是 Excel 工作簿：{SAVE_AS_XLSX}"
ODS = f"这是 OpenDocument 表格（.ods，LibreOffice 或 WPS 的另一种格式），系统只接收 Excel 工作簿：{_ODF_SAVE_AS}"

# The one list of file formats: .xlsx is read; the others are what people save instead by
# mistake, let through by the upload page's file picker so that they get the message here (the
# guard knows a file by its content, whatever its name says). Reading .ods or .et as well would
# need a guard of their own before any parser; see docs/decisions.md.
READ_EXTENSIONS = ("xlsx",)
REFUSED_FORMATS: dict[str, str] = {"xlsm": MACROS, "xls": OLD_BINARY, "et": OLD_BINARY, "ods": ODS, "csv": TEXT_FILE}
UPLOAD_EXTENSIONS = (*READ_EXTENSIONS, *REFUSED_FORMATS)
TOO_LARGE = f"文件超过 {MAX_UPLOAD_MB} MB 上限，月报表格不应这么大：请删除多余的图片或工作表后重新保存"


class FileRejected(ValueError):
    """The file as a whole cannot be read; the message says what to do instead."""


@dataclass
class GuardReport:
    sheet_names: list[str] = field(default_factory=list)
    formula_cells: dict[str, list[str]] = field(default_factory=dict)  # sheet name -> cells like "E7"
    # sheet name -> cell -> what is written in it where its value would hide it: a formula
    # ("=SUM(E8:E10)") or an error value ("#N/A")
    written: dict[str, dict[str, str]] = field(default_factory=dict)
    # sheet name -> cell -> its number format, for cells that show a number as a percentage
    percent_formats: dict[str, dict[str, str]] = field(default_factory=dict)


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
        raise FileRejected(OLD_BINARY)
    if not data.startswith(ZIP_MAGIC):
        raise FileRejected(_not_a_workbook(data))
    if not _plain_zip_end(data):
        raise FileRejected(f"文件已损坏，无法读取：{SAVE_AS_XLSX}")
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
        return TEXT_FILE
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


def _plain_zip_end(data: bytes) -> bool:
    """The zip's end record closes the file, right after the table of contents, with no comment.

    Zip readers then all find the same table of contents, so the spreadsheet parser, which reads
    the zip on its own, gets exactly the parts checked here.
    """
    end = len(data) - _ZIP_END_SIZE
    if end < 0 or data[end : end + 4] != ZIP_END_MAGIC:
        return False
    fields: tuple[int, int, int] = struct.unpack("<IIH", data[end + 12 :])
    size, offset, comment = fields
    return comment == 0 and offset + size == end


def _inspect_archive(archive: zipfile.ZipFile) -> GuardReport:
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileRejected(f"文件内部结构异常（包含 {len(members)} 个部件），{SAVE_AS_XLSX}")
    names = {m.filename for m in members}
    if "xl/workbook.bin" in names:
        raise FileRejected(f"这是二进制工作簿（.xlsb），{SAVE_AS_XLSX}")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRejected(_other_package(archive, names))
    if any(posixpath.basename(n).lower() == "vbaproject.bin" for n in names):
        raise FileRejected(MACROS)
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
    sheets, reachable = _sheet_parts(archive, names)
    scanned = {part for _, part in sheets} | reachable | ({_STYLES} & names)
    # Stream every other member once: real sizes within the caps, checksums right, no DTDs.
    # (The parts scanned below get the same checks while they are read.)
    for member in members:
        if member.filename not in scanned:
            for _ in _chunks(archive, member):
                pass
    if MACRO_CONTENT_TYPE in archive.read("[Content_Types].xml"):
        raise FileRejected(MACROS)
    report = GuardReport()
    percent_styles = _percent_styles(archive, names)
    budget = MAX_CELLS  # for all sheets together
    for name, part in sheets:
        report.sheet_names.append(name)
        scan = _scan_sheet(archive, part, name, budget, percent_styles)
        budget -= scan.cells
        if scan.formulas:
            report.formula_cells[name] = list(scan.formulas)
        if scan.written:
            report.written[name] = scan.written
        if scan.percent:
            report.percent_formats[name] = scan.percent
    # Readers resolve the workbook's references in different ways: whatever part a reference
    # may lead to is held to the same limits, named as a sheet or not.
    for part in sorted(reachable - {part for _, part in sheets}):
        budget -= _scan_sheet(archive, part, part, budget, percent_styles).cells
    return report


def _other_package(archive: zipfile.ZipFile, names: set[str]) -> str:
    """What a zip that is no Excel workbook is: an OpenDocument file by its ``mimetype`` member
    (which ODF requires), a Word or PowerPoint file by its main part, else a zip of some kind."""
    mimetype = _small_member(archive, "mimetype") if "mimetype" in names else ""
    if mimetype.startswith(OPEN_DOCUMENT_SPREADSHEET):
        return ODS
    if mimetype.startswith(OPEN_DOCUMENT_TEXT):
        return f"这是 OpenDocument 文字文档（.odt），不是表格：请上传填好的月报表格；{_ODF_SAVE_AS}"
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return f"这是 OpenDocument 文件，不是 Excel 工作簿：请上传填好的月报表格；{_ODF_SAVE_AS}"
    if "word/document.xml" in names:
        return "这是 Word 文档（.docx），不是 Excel 工作簿：请上传填好的月报表格（.xlsx）"
    if "ppt/presentation.xml" in names:
        return "这是 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿：请上传填好的月报表格（.xlsx）"
    if "[Content_Types].xml" in names:
        return f"这不是 Excel 工作簿（文件中没有工作簿部分），{SAVE_AS_XLSX}"
    return "这是压缩包（.zip 等），不是 Excel 工作簿：请解压后上传其中填好的月报表格（.xlsx），或直接上传月报本身"


def _small_member(archive: zipfile.ZipFile, name: str) -> str:
    """The text of a member of at most a few hundred bytes (such as ``mimetype``); "" if larger
    or encrypted."""
    info = archive.getinfo(name)
    if info.file_size > 256 or info.flag_bits & 0x1:
        return ""
    data = b"".join(_chunks(archive, info))
    return data.decode("ascii", "replace").strip()


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


def _xml_events(
    archive: zipfile.ZipFile, name: str, events: tuple[Literal["start", "end"], ...]
) -> Iterator[tuple[str, Element]]:
    stream = io.BufferedReader(_Stream(_chunks(archive, archive.getinfo(name))))
    return iterparse(stream, events=events)


def _blocks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's XML in blocks that each end where a tag begins, so no tag is cut in two."""
    carry = b""
    for chunk in _chunks(archive, archive.getinfo(part)):
        if b"\0" in chunk:
            # Never in XML 1.0; UTF-16 text would hide its tags from the scan.
            raise FileRejected(f"文件内部结构异常（使用了不支持的文字编码），{SAVE_AS_XLSX}")
        data = carry + chunk
        cut = data.rfind(b"<")
        if cut == -1:
            cut = len(data)
        carry = data[cut:]
        if len(carry) > _MAX_TAG:
            raise FileRejected(f"文件内部结构异常（单元格内容过长），{SAVE_AS_XLSX}")
        yield data[:cut]
    yield carry


def _attributes(raw: bytes) -> dict[bytes, bytes]:
    return {name: double or single for name, double, single in _ATTRIBUTE.findall(raw)}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> tuple[list[tuple[str, str]], set[str]]:
    """(sheet name, zip part) for every worksheet in workbook order; and every part the sheets'
    references may lead to, however a reader resolves them (by prefix or namespace, path rules)."""
    sheets: list[tuple[str, str]] = []
    referenced: set[str] = set()
    for _, elem in _xml_events(archive, "xl/workbook.xml", ("start",)):
        if _local(elem.tag) == "workbook" and elem.tag.startswith("{" + STRICT_NAMESPACE):
            raise FileRejected("文件保存成了“Strict Open XML”格式，请另存为普通的 Excel 工作簿（*.xlsx）再上传")
        if _local(elem.tag) == "sheet":
            sheets.append((elem.get("name", ""), elem.get(f"{{{_REL_NS}}}id", "")))
            referenced |= {value for key, value in elem.attrib.items() if _local(key) == "id"}
    targets: dict[str, str] = {}
    reachable: set[str] = set()
    if "xl/_rels/workbook.xml.rels" in names:
        for _, elem in _xml_events(archive, "xl/_rels/workbook.xml.rels", ("start",)):
            if _local(elem.tag) == "Relationship":
                target = elem.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                targets[elem.get("Id", "")] = path
                if elem.get("Id") in referenced:
                    reachable |= {path, f"xl/{target}", target.lstrip("/"), target} & names
    parts = [(name, targets.get(rel_id, "")) for name, rel_id in sheets]
    return [(name, part) for name, part in parts if part in names], reachable


def _percent_styles(archive: zipfile.ZipFile, names: set[str]) -> dict[int, str]:
    """Cell style index -> number format, for the styles that show a number as a percentage."""
    if _STYLES not in names:
        return {}
    custom: dict[bytes, str] = {}
    percent: dict[int, str] = {}
    index = -1
    in_cell_styles = False
    for block in _blocks(archive, _STYLES):
        for closing, tag, raw in _STYLE_TAG.findall(block):
            if tag == b"cellXfs":
                in_cell_styles = not closing and not raw.endswith(b"/")
            elif closing:
                continue
            elif tag == b"numFmt":
                attributes = _attributes(raw)
                custom[attributes.get(b"numFmtId", b"")] = _text(attributes.get(b"formatCode", b""))
            elif in_cell_styles:  # an xf of cellXfs: the style a cell's s="…" points to
                index += 1
                number_format = _attributes(raw).get(b"numFmtId", b"0")
                code = custom.get(number_format) or _BUILTIN_PERCENT.get(number_format, "")
                if "%" in _LITERALS.sub("", code):
                    percent[index] = code
    return percent


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_COLUMNS = {_column_letters(number).encode(): number for number in range(1, MAX_COLUMN + 1)}  # allowed ones


def _too_large(sheet: str) -> FileRejected:
    return FileRejected(
        f"工作表“{sheet}”的范围过大（超过 {MAX_ROWS} 行或超出 {_column_letters(MAX_COLUMN)} 列），"
        "请删除表格以外的多余内容或格式后重新保存"
    )


def _check_ref(ref: bytes, sheet: str) -> tuple[int, int]:
    """(row, column) of a cell address; refused if unreadable or beyond the limits."""
    letters = ref.rstrip(b"0123456789")
    digits = ref[len(letters) :]
    if letters not in _COLUMNS or not 0 < len(digits) <= 7:  # other than the plain form, "E7"
        match = _REF.match(ref)
        if not match:
            raise FileRejected(f"工作表“{sheet}”中有无法识别的单元格地址，{SAVE_AS_XLSX}")
        letters, digits = match.group(1).upper(), match.group(2)
    column, row = _COLUMNS.get(letters), int(digits)
    if column is None or row > MAX_ROWS:
        raise _too_large(sheet)
    return row, column


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace"))


@dataclass
class _SheetScan:
    cells: int = 0
    formulas: dict[str, str] = field(default_factory=dict)  # cell -> "=…", in sheet order
    written: dict[str, str] = field(default_factory=dict)  # cell -> its formula or error value
    percent: dict[str, str] = field(default_factory=dict)  # cell -> its percent number format


def _scan_sheet(
    archive: zipfile.ZipFile, part: str, sheet: str, budget: int, percent_styles: dict[int, str]
) -> _SheetScan:
    """Refuse cells beyond the limits or the budget; note formulas, error values and percent cells.

    A row or cell without an address follows the one before, as spreadsheet readers count them.
    """
    scan = _SheetScan()
    row = column = cells = 0
    # The row's number as written in its r="…", when a cell's address may end with it.
    row_digits, row_width = b"", 0
    for block in _blocks(archive, part):
        for tag, raw, ref, style, kind, others, formula_tag, formula, value in _SHEET_TAG.findall(block):
            if others and _RST_ELSEWHERE.search(others):
                attributes = _attributes(raw)
                ref, style, kind = (attributes.get(name, b"") for name in (b"r", b"s", b"t"))
            if tag == b"c":
                cells += 1
                if cells > budget:
                    raise FileRejected(
                        f"文件内容过多（各工作表合计超过 {MAX_CELLS} 个单元格），请删除多余的工作表或内容后重新保存"
                    )
                # Most addresses are an allowed column and the number of their row, already
                # checked: "E7" in row 7 is known without taking it apart.
                if row_width and ref[-row_width:] == row_digits and (known := _COLUMNS.get(ref[:-row_width])):
                    cell_row, column = row, known
                elif ref:
                    cell_row, column = _check_ref(ref, sheet)
                else:
                    cell_row, column = row, column + 1
                    if column > MAX_COLUMN:
                        raise _too_large(sheet)
                percent = percent_styles.get(int(style)) if percent_styles and style.isdigit() else None
                if not (formula_tag or kind == b"e" or percent) or raw.endswith(b"/"):
                    continue  # a plain or empty cell
                cell = f"{_column_letters(column)}{cell_row}"
                if formula_tag:
                    text = "" if formula_tag.endswith(b"/>") else _text(formula)
                    scan.formulas[cell] = scan.written[cell] = "=" + text
                elif kind == b"e":
                    scan.written[cell] = _text(value)
                if percent:
                    scan.percent[cell] = percent
            elif tag == b"row":
                row = row + 1 if not ref else int(ref) if ref.isdigit() else 0
                if not 1 <= row <= MAX_ROWS:
                    raise _too_large(sheet)
                column = 0
                row_digits, row_width = (ref, len(ref)) if ref and len(ref) <= 7 else (b"", 0)
            elif tag == b"dimension":
                for ref in _attributes(raw).get(b"ref", b"A1").split(b":"):
                    _check_ref(ref, sheet)
            else:  # mergeCell, hyperlink: a reader may make a cell for every cell these ranges cover
                for ref in _RANGE_SEPARATOR.split(_attributes(raw).get(b"ref", b"").strip()):
                    if ref:
                        _check_ref(ref, sheet)
    scan.cells = cells
    return scan
