"""Readers of the task breakdown table (序号 | 主要任务 | 责任领导 | 责任单位).

The table comes as the text rendering of the 2023 notice, as a Word document or as an Excel
workbook. Each reader gives the same thing: the table's rows below the header, each row a tuple
of cells, each cell its paragraphs (lines) with where they stand. ``registry.parser`` applies
the one set of row rules to what any of them read.

Where a paragraph stands is a line number in the text rendering, the table's row number in a
Word document (the header is row 1) and the sheet's row number in a workbook. A cell merged over
several rows gives its content to each of them (a leader cell merged over tasks 1–9 is read as
those leaders for every one of them); a cell merged across columns is one cell of its row.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from core.text import unit_name

HEADER = ("序号", "主要任务", "责任领导", "责任单位")
END_NOTE = "备注"
SUFFIXES = (".txt", ".docx", ".xlsx")

MAX_FILE_MB = 10  # counted like the browser and Explorer count: 1 MB = 1,000,000 bytes
MAX_FILE_BYTES = MAX_FILE_MB * 1000 * 1000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # all parts of a .docx or .xlsx together, once unpacked
MAX_SHEET_CELLS = 200_000

_NUMERALS = "一二三四五六七八九"
_SECTION = re.compile(r"^[（(]([一二三四五六七八九十]{1,3})[）)]")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PDF_MAGIC = b"%PDF"
_RTF_MAGIC = b"{\\rtf"


@dataclass(frozen=True)
class Problem:
    """Something to fix in the file: where it is, which task and cell, what it says."""

    message: str
    row: int | None = None  # line of the text rendering, row of the table or of the sheet
    place: str = ""  # ``row`` in words, e.g. 表格第12行
    task: int | None = None
    field: str = ""  # a header name, or empty for the file or a whole row
    value: str = ""
    unknown_unit: bool = False  # a name the catalogue does not know (may be created as a unit)

    def __str__(self) -> str:
        where = "".join(
            (
                self.place,
                f"（第{self.task}项）" if self.task is not None else "",
                f"{self.field}栏" if self.field else "",
            )
        )
        return f"{where}：{self.message}" if where else self.message

    def as_json(self) -> dict[str, object]:
        return {"row": self.row, "task": self.task, "field": self.field, "value": self.value, "message": self.message}


class TableError(ValueError):
    """The file gives no breakdown table at all; the message says what to do."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.problem = Problem(message, row=row)


@dataclass(frozen=True)
class Cell:
    lines: tuple[tuple[int, str], ...]  # (where, text) for each paragraph or line

    @property
    def text(self) -> str:
        return "".join(text.strip() for _, text in self.lines)


@dataclass(frozen=True)
class Row:
    at: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    rows: tuple[Row, ...]
    place: str  # how a row is named, with {} for its number: 第{}行, 表格第{}行
    preamble: tuple[tuple[int | None, str], ...] = ()  # the text before the table
    # Rows put together from a flat rendering: once a row comes out shifted, those after it are too.
    flat: bool = False

    def where(self, row: int | None) -> str:
        return self.place.format(row) if row is not None else ""


def section_number(text: str) -> int | None:
    """The number of a category heading such as （一）… or （十二）…, else None."""
    match = _SECTION.match(text)
    if match is None:
        return None
    numeral = match.group(1)
    tens, _, ones = numeral.rpartition("十")
    if "十" not in numeral:
        return _NUMERALS.index(numeral) + 1 if len(numeral) == 1 else None
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_NUMERALS.index(tens) + 1 if tens else 1) * 10 + (_NUMERALS.index(ones) + 1 if ones else 0)


def is_note(text: str) -> bool:
    return text.startswith(END_NOTE)


# --- the text rendering -----------------------------------------------------------


def read_text(text: str) -> Table:
    """The text rendering of a Word table: every cell starts on a line beginning with a TAB,
    further lines of the same cell do not, and blank lines carry no meaning. A task row is four
    cells; a category heading and the closing note are one cell each."""
    lines = text.split("\n")
    start = next(
        (number for number, line in enumerate(lines, 1) if line.startswith("\t") and line.strip() == HEADER[0]),
        None,
    )
    if start is None:
        raise TableError(f"找不到任务分解表的表头（“{HEADER[0]}”一栏）")
    cells: list[Cell] = []
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if line.startswith("\t"):
            cells.append(Cell(((number, line[1:]),)))
        elif line.strip() and cells:
            cells[-1] = Cell((*cells[-1].lines, (number, line)))
    found = tuple(cell.text for cell in cells[: len(HEADER)])
    if found != HEADER:
        raise TableError(f"表头应为“{' | '.join(HEADER)}”，实际为“{' | '.join(found)}”", start)
    preamble = tuple((number, line) for number, line in enumerate(lines[: start - 1], 1))
    return Table(tuple(_text_rows(cells[len(HEADER) :])), "第{}行", preamble, flat=True)


def _text_rows(cells: list[Cell]) -> Iterator[Row]:
    index = 0
    while index < len(cells):
        cell = cells[index]
        if is_note(cell.text):
            # The note ends the table: what follows it, line by line, is for the rules to refuse.
            first, *rest = cell.lines
            yield Row(first[0], (Cell((first,)),))
            yield from (Row(number, (Cell(((number, line),)),)) for number, line in rest)
            for later in cells[index + 1 :]:
                yield Row(later.lines[0][0], (later,))
            return
        size = 1 if section_number(cell.text) is not None else len(HEADER)
        row = tuple(cells[index : index + size])
        yield Row(cell.lines[0][0], row)
        index += size


# --- Word and Excel -----------------------------------------------------------------


def read_docx(data: bytes) -> Table:
    """The first table of a Word document whose header row is 序号 | 主要任务 | 责任领导 | 责任单位,
    wherever it sits (also inside another table)."""
    from docx import Document
    from docx.table import Table as WordTable

    _check_package(data, "word/document.xml", "Word")
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a damaged package
        raise TableError(_damaged("Word")) from exc

    def tables(found: Iterable[WordTable]) -> Iterator[WordTable]:
        for table in found:
            yield table
            for row in table.rows:
                for cell in row.cells:
                    yield from tables(cell.tables)

    for table in tables(document.tables):
        grid: list[list[tuple[object, Cell]]] = []
        for number, row in enumerate(table.rows, 1):
            placed: list[tuple[object, Cell]] = [(None, Cell(()))] * row.grid_cols_before
            for cell in row.cells:
                lines = tuple((number, line) for p in cell.paragraphs for line in p.text.split("\n"))
                placed.append((cell._tc, Cell(lines)))
            grid.append(placed)
        found = _from_grid(grid, "表格第{}行")
        if found is not None:
            paragraphs = tuple((None, p.text) for p in document.paragraphs)
            return Table(found.rows, found.place, paragraphs)
    raise TableError(_no_table("Word 文档"))


def read_xlsx(data: bytes) -> Table:
    """The first sheet of a workbook with the header row 序号 | 主要任务 | 责任领导 | 责任单位.
    Line breaks in a cell (Alt+Enter) separate its paragraphs; a merged range reads as the value
    of its top-left cell."""
    from openpyxl import load_workbook

    _check_package(data, "xl/workbook.xml", "Excel")
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged package
        raise TableError(_damaged("Excel")) from exc
    for sheet in workbook.worksheets:
        if sheet.max_row * sheet.max_column > MAX_SHEET_CELLS:
            raise TableError(
                f"工作表“{sheet.title}”过大（超过 {MAX_SHEET_CELLS} 个单元格），不像任务分解表；请核对文件"
            )
        anchors: dict[tuple[int, int], tuple[int, int]] = {}
        for merged in sheet.merged_cells.ranges:
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    anchors[(r, c)] = (merged.min_row, merged.min_col)
        grid: list[list[tuple[object, Cell]]] = []
        for r in range(1, sheet.max_row + 1):
            placed: list[tuple[object, Cell]] = []
            for c in range(1, sheet.max_column + 1):
                anchor = anchors.get((r, c), (r, c))
                value = sheet.cell(*anchor).value
                lines = tuple((r, line) for line in _cell_text(value).split("\n"))
                # A range merged across columns is one cell of each of its rows.
                placed.append(((r, anchor[1]) if anchor != (r, c) else (r, c), Cell(lines)))
            grid.append(placed)
        found = _from_grid(grid, f"工作表“{sheet.title}”第{{}}行")
        if found is not None:
            return found
    raise TableError(_no_table("Excel 工作簿"))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _from_grid(grid: list[list[tuple[object, Cell]]], place: str) -> Table | None:
    """The rows below the header, each the distinct cells under the four header columns; None
    when no row is the header. ``grid`` holds, for each row, every layout column's cell with a
    key that is the same for the columns one merged cell covers."""
    for index, row in enumerate(grid):
        texts = [unit_name(cell.text) for _, cell in row]
        for start in range(len(texts) - len(HEADER) + 1):
            if tuple(texts[start : start + len(HEADER)]) == HEADER:
                rows = tuple(
                    Row(number, _distinct(later[start : start + len(HEADER)]))
                    for number, later in enumerate(grid[index + 1 :], index + 2)
                )
                return Table(rows, place)
    return None


def _distinct(columns: list[tuple[object, Cell]]) -> tuple[Cell, ...]:
    cells: list[Cell] = []
    last: object = object()
    for key, cell in columns:
        if key is None or key != last:
            cells.append(cell)
        last = key
    return tuple(cells)


def _check_package(data: bytes, main_part: str, kind: str) -> None:
    """Refuse, by content, what is not a Word or Excel package: an old .doc/.xls, a PDF (a
    scan), an RTF file renamed; and packages that unpack to more than a table could need."""
    if len(data) > MAX_FILE_BYTES:
        raise TableError(f"文件超过 {MAX_FILE_MB} MB，不像任务分解表；请核对文件")
    suffix = {"Word": ".docx", "Excel": ".xlsx"}[kind]
    save_as = f"请用 {kind} 或 WPS 打开后“另存为” {suffix} 格式再导入"
    if data.startswith(_OLE2_MAGIC):
        raise TableError(f"这是旧版 {kind} 文件（.doc / .xls）或加密文件，不是 {suffix}：{save_as}")
    if data.startswith(_PDF_MAGIC):
        raise TableError(
            f"这是 PDF 文件（可能是扫描件），不是 {suffix}：扫描件无法读取文字，请向发文单位索取 Word 或 Excel 原件"
        )
    if data.startswith(_RTF_MAGIC):
        raise TableError(f"这是 RTF 文件，不是 {suffix}：{save_as}")
    if not data.startswith(_ZIP_MAGIC):
        raise TableError(f"文件内容不是 {suffix} 格式（可能是改了扩展名的其他文件）：{save_as}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            unpacked = sum(info.file_size for info in package.infolist())
    except zipfile.BadZipFile as exc:
        raise TableError(_damaged(kind)) from exc
    if main_part not in names:
        other = "Excel 工作簿" if kind == "Word" else "Word 文档"
        swapped = "xl/workbook.xml" in names or "word/document.xml" in names
        hint = f"这是{other}，请把扩展名改对" if swapped else save_as
        raise TableError(f"文件内容不是 {suffix} 格式：{hint}")
    if unpacked > MAX_UNPACKED_BYTES:
        raise TableError("文件解压后过大，不像任务分解表；请核对文件")


def _damaged(kind: str) -> str:
    return f"文件已损坏，无法作为 {kind} 文件打开；请用 {kind} 或 WPS 打开确认后重新保存"


def _no_table(what: str) -> str:
    return f"{what}中找不到表头为“{' | '.join(HEADER)}”的表格；请确认任务分解表在文件中，且表头是这四栏"


def read_file(file_name: str, data: bytes) -> Table:
    """The table of an uploaded file, by its extension: .txt (UTF-8 text rendering), .docx, .xlsx."""
    suffix = file_name[file_name.rfind(".") :].lower() if "." in file_name else ""
    if suffix == ".docx":
        return read_docx(data)
    if suffix == ".xlsx":
        return read_xlsx(data)
    if suffix == ".txt":
        if len(data) > MAX_FILE_BYTES:
            raise TableError(f"文件超过 {MAX_FILE_MB} MB，不像任务分解表；请核对文件")
        try:
            return read_text(data.decode("utf-8-sig").replace("\r\n", "\n"))
        except UnicodeDecodeError as exc:
            raise TableError("文本文件须为 UTF-8 编码；请另存为 UTF-8 后再导入") from exc
    raise TableError(f"只能导入 {' / '.join(SUFFIXES)} 文件，不能导入“{file_name}”")


# --- the blank workbook ----------------------------------------------------------------

_EXAMPLE = (
    ("", "（示例）地区生产总值增长8.5%以上。", "▲黄劼\n洪晓波", "区发改委"),
    ("（一）抓转型、促升级，让工业脊梁更加挺拔", "", "", ""),
    ("", "（示例）围绕主导产业开展精准招商。", "▲程丽群\n万顺利", "开发区管委会\n区发改委 区财政局"),
)
_INSTRUCTIONS = (
    "填写说明",
    "1. 表头“序号 | 主要任务 | 责任领导 | 责任单位”不要改动；示例行请替换为本年度的任务。",
    "2. 分类标题（如“（一）……”）单独占一行，写在“序号”栏或合并整行；第一个分类之前的任务归入“主要预期目标”。",
    "3. 序号可以留空（按顺序自动编号）；填写时须与顺序一致。",
    "4. 责任领导每人一行（Alt+Enter 换行）或用空格分开，牵头领导前加▲；多位领导时必须标出牵头领导。"
    "领导与上一项相同时可以留空或合并单元格（不跨越分类）。",
    "5. 责任单位每个一行或用空格分开，第一个为牵头单位，其余为配合单位；请使用单位全称或已登记的别名。",
)


def blank_workbook() -> bytes:
    """An empty breakdown sheet for offices that draw up the list in Excel: the header row,
    example rows (a task, a category row, a task) and the instructions on a second sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "任务分解表"
    sheet.append(HEADER)
    for example in _EXAMPLE:
        sheet.append(example)
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for cells in sheet.iter_rows(min_row=2):
        for one in cells:
            one.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCD", (8, 60, 14, 30), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    for line in _INSTRUCTIONS:
        notes.append((line,))
    notes.column_dimensions["A"].width = 110
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
