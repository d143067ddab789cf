"""Validation of an uploaded monthly report: every problem is collected, each with its cell.

``read_upload`` needs no database: the file-level guard, then python-calamine on bytes that
passed it (openpyxl only writes: the annotated copy).
``check`` compares what was read with the registry and the unit's earlier reports. The upload
page and ``python cli.py ingest`` both go through ``intake.ingest``, which uses these two.
"""

from __future__ import annotations

import difflib
import functools
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from string import ascii_uppercase
from typing import NamedTuple

import sqlalchemy
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import coordinate_to_tuple, get_column_letter
from python_calamine import CalamineWorkbook
from sqlalchemy import BindParameter, bindparam
from sqlmodel import Session, col, select

from core.period import Month, PeriodError
from core.text import clean, formula_like
from core.vocab import TaskStatus
from cycle.periods import get_period, month_of
from db import queries
from db.ids import id_of
from db.models import Period, Submission, SubmissionRow, Unit
from intake.guard import SAVE_AS_XLSX, FileRejected, GuardReport, inspect
from intake.limits import MAX_HEADER_CHARS, MAX_REMARK_CHARS, MAX_ROWS, MAX_TEXT_CHARS
from intake.template import (
    COLUMNS,
    HEADER_LABELS,
    LABEL_FILLER,
    LABEL_HEAD,
    LABEL_PERIOD,
    LABEL_PHONE,
    LABEL_UNIT,
    SHEET_META,
    SHEET_REPORT,
    TEMPLATE_VERSION,
)
from registry.obligations import Obligation, unit_obligations, unit_obligations_in
from status.engine import is_current

REPORTABLE = TaskStatus.reportable()
STATUS_CHOICES = f"{'、'.join(s.label for s in REPORTABLE[:-1])} 或 {REPORTABLE[-1].label}"
DONE, LAGGING, NOT_STARTED = TaskStatus.DONE, TaskStatus.LAGGING, TaskStatus.NOT_STARTED
_HEADER_SEARCH_ROWS = 30
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)\s*%?$")
_TASK_NO = re.compile(r"^(\d+)(?:\.0+)?$")
_PERIOD_TEXT = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:月份?)?(?:\s*[-/.]?\s*\d{1,2}\s*日?)?$")


@dataclass(frozen=True)
class Problem:
    """One problem found in an upload; ``cell`` is like ``E7``, empty for the file as a whole."""

    sheet: str
    cell: str
    value: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"sheet": self.sheet, "cell": self.cell, "value": self.value, "message": self.message}

    def __str__(self) -> str:
        if self.cell:
            return f"{self.sheet}!{self.cell}: {self.message}"
        return f"{self.sheet or '文件'}: {self.message}"


class RawCell(NamedTuple):
    coord: str
    value: object
    number_format: str = "General"


@dataclass
class ParsedUpload:
    """What was read from the workbook, before comparing it with the registry."""

    problems: list[Problem] = field(default_factory=list)
    readable: bool = False  # passed the guard, opened, and the report table was found
    header: dict[str, RawCell] = field(default_factory=dict)
    rows: list[tuple[RawCell, ...]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    formula_cells: set[str] = field(default_factory=set)


class ReportRow(NamedTuple):
    task_id: int
    task_no: int
    role: str
    status: str
    progress: float
    progress_text: str
    problems: str
    next_steps: str
    remarks: str
    line: int  # the Excel row it came from


class StoredVersion(NamedTuple):
    """A version the unit has already stored for the month of the upload."""

    id: int
    version: int
    sha256: str
    current: bool  # by the rule of ``status.engine``


@dataclass
class Checked:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows: list[ReportRow] = field(default_factory=list)
    period: Period | None = None
    filler: str = ""
    phone: str = ""
    head: str = ""
    # When the upload passed: the unit's versions of the month so far, read in the same query as
    # the earlier reports the warnings compare with (``intake.ingest`` numbers the new version).
    versions: list[StoredVersion] = field(default_factory=list)


# --- reading ------------------------------------------------------------------


def read_upload(data: bytes) -> ParsedUpload:
    """The monthly report's sheet, header cells and task rows."""
    return read_table(data, sheet=SHEET_REPORT, columns=COLUMNS, labels=HEADER_LABELS)


def read_table(data: bytes, *, sheet: str, columns: Sequence[str], labels: Sequence[str]) -> ParsedUpload:
    """A workbook of this system's making: the file guard, then sheet ``sheet`` with its header
    cells ``labels`` (each value right of its label) above a table whose header row is exactly
    ``columns``, and the non-blank rows below it; the hidden meta sheet's keys."""
    parsed = ParsedUpload()
    try:
        report = inspect(data)
    except FileRejected as exc:
        parsed.problems.append(Problem("", "", "", str(exc)))
        return parsed
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            names = book.sheet_names
            meta = Sheet.read(book, SHEET_META, report, rows=20) if SHEET_META in names else None
            ws = Sheet.read(book, sheet, report, rows=MAX_ROWS) if sheet in names else None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # any failure on damaged parts, also a Rust panic (not an Exception)
        parsed.problems.append(Problem("", "", "", f"文件已损坏，无法读取：{SAVE_AS_XLSX}"))
        return parsed
    if meta is not None:
        for row in range(1, 21):
            key = meta.value(row, 1)
            if not is_blank(key):
                parsed.meta[str(key).strip()] = cell_text(meta.value(row, 2))
    if ws is None:
        parsed.problems.append(
            Problem(sheet, "", "", f"找不到“{sheet}”工作表：请使用本系统下载的模板填写，不要改工作表名称")
        )
        return parsed
    parsed.formula_cells = set(report.formula_cells.get(sheet, []))
    header_row = _find_table_header(ws, columns[0])
    if header_row is None:
        parsed.problems.append(
            Problem(sheet, "", "", f"找不到表格的表头行（{'、'.join(columns[:2])}……）：请使用下载的模板，不要删改表头")
        )
        return parsed
    for column, expected in enumerate(columns, start=1):
        cell = ws.cell(header_row, column)
        if squash(cell.value) != squash(expected):
            parsed.problems.append(
                Problem(sheet, cell.coord, shown(cell.value), f"此列表头应为“{expected}”，请不要修改表头")
            )
    parsed.header = _read_header(ws, header_row, labels, len(columns))
    for row in range(header_row + 1, min(ws.height, MAX_ROWS) + 1):
        if any(not is_blank(value) for value in ws.grid[row - 1][: len(columns)]):
            parsed.rows.append(ws.row_cells(row, len(columns)))
    parsed.readable = True
    return parsed


@dataclass
class FirstSheet:
    """The first sheet of a workbook the office reads (not a monthly report): its cells, read
    after the same guard, and a collector of problems that checks text cells the same way."""

    name: str
    sheet: Sheet
    problems: Collector

    def cell(self, row: int, column: int) -> RawCell:
        return self.sheet.cell(row, column)

    def text(self, cell: RawCell, limit: int) -> str | None:
        return self.problems.text(cell, limit)

    def add(self, cell: RawCell | None, message: str) -> None:
        self.problems.add(cell, message)


def read_first_sheet(data: bytes) -> FirstSheet | list[Problem]:
    """The workbook's first sheet after the guard, or the problems that stop it being read."""
    try:
        report = inspect(data)
    except FileRejected as exc:
        return [Problem("", "", "", str(exc))]
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            names = book.sheet_names
            if not names:
                return [Problem("", "", "", "工作簿中没有工作表")]
            ws = Sheet.read(book, names[0], report, rows=MAX_ROWS)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # as in read_upload: any failure on damaged parts
        return [Problem("", "", "", f"文件已损坏，无法读取：{SAVE_AS_XLSX}")]
    parsed = ParsedUpload(formula_cells=set(report.formula_cells.get(names[0], [])))
    return FirstSheet(names[0], ws, Collector(parsed, names[0]))


@dataclass
class Sheet:
    """A sheet's values as the user sees them in Excel, addressed like Excel (row and column from 1)."""

    grid: list[list[object]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]  # 0-based (first row, first column), (last …)
    percent: dict[str, str]

    @classmethod
    def read(cls, book: CalamineWorkbook, name: str, report: GuardReport, rows: int) -> Sheet:
        sheet = book.get_sheet_by_name(name)
        grid: list[list[object]] = sheet.to_python(skip_empty_area=False, nrows=rows)  # type: ignore[assignment]
        merged = sheet.merged_cell_ranges or []
        # As in Excel, only the first cell of a merged range holds a value.
        for (top, left), (bottom, right) in merged:
            for r in range(top, min(bottom + 1, len(grid))):
                for c in range(left, min(right + 1, len(grid[r]))):
                    if (r, c) != (top, left):
                        grid[r][c] = None
        # Where the value would hide what is written (a formula, an error value), take what is written.
        for coord, written in report.written.get(name, {}).items():
            r, c = coordinate_to_tuple(coord)
            if r <= len(grid) and c <= len(grid[r - 1]):
                grid[r - 1][c - 1] = written
        return cls(grid, merged, report.percent_formats.get(name, {}))

    @property
    def height(self) -> int:
        return len(self.grid)

    def value(self, row: int, column: int) -> object:
        values = self.grid[row - 1] if row <= len(self.grid) else ()
        return _number(values[column - 1]) if column <= len(values) else None

    def cell(self, row: int, column: int) -> RawCell:
        coord = f"{get_column_letter(column)}{row}"
        return RawCell(coord, self.value(row, column), self.percent.get(coord, "General"))

    def row_cells(self, row: int, count: int) -> tuple[RawCell, ...]:
        """The row's first ``count`` cells (``cell`` for each, in one go)."""
        values = self.grid[row - 1][:count]
        values += [None] * (count - len(values))
        number = str(row)
        coords = [letter + number for letter in _letters(count)]
        percent = self.percent
        if not percent:  # the common case: no cell of the sheet shows a percentage
            return tuple(map(RawCell, coords, map(_number, values)))
        return tuple(
            [
                RawCell(coord, _number(value), percent.get(coord, "General"))
                for coord, value in zip(coords, values, strict=True)
            ]
        )

    def merged_end(self, row: int, column: int) -> int:
        """The last column of the merged range the cell is in (its own column if none)."""
        end = column
        for (top, left), (bottom, right) in self.merged:
            if top < row <= bottom + 1 and left < column <= right + 1:
                end = right + 1
        return end


@functools.cache
def _letters(count: int) -> tuple[str, ...]:
    """The letters of columns 1 to ``count``."""
    return tuple(get_column_letter(column) for column in range(1, count + 1))


def _number(value: object) -> object:
    """Whole numbers as int, as Excel shows them (the reader gives every number as a float)."""
    if type(value) is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _find_table_header(ws: Sheet, first: str) -> int | None:
    for row in range(1, _HEADER_SEARCH_ROWS + 1):
        if squash(ws.value(row, 1)) == first:
            return row
    return None


def _read_header(ws: Sheet, header_row: int, labels: Sequence[str], width: int) -> dict[str, RawCell]:
    """label -> the cell right of the label (past the label's merged range)."""
    found: dict[str, RawCell] = {}
    for row in range(1, header_row):
        for column in range(1, width + 1):
            label = squash(ws.value(row, column)).rstrip(":：")
            if label in labels and label not in found:
                found[label] = ws.cell(row, ws.merged_end(row, column) + 1)
    return found


# --- cell values ------------------------------------------------------------------


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def squash(value: object) -> str:
    """Text with every kind of whitespace and every control character removed (for labels,
    titles, names, the status)."""
    return "".join(clean(str(value)).split()) if value is not None else ""


def cell_text(value: object) -> str:
    if isinstance(value, str):  # by far the most common
        return clean(value).strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return cell_text(str(value))


def shown(value: object) -> str:
    text = cell_text(value)
    return text if len(text) <= 200 else text[:200] + "…"


def parse_progress(value: object, number_format: str = "General", label: str = "完成进度") -> float:
    """The progress percentage (the column called ``label``), or ValueError with what to write instead."""
    if is_blank(value):
        raise ValueError(f"请填写{label}（0 到 100 之间的数字，例如 80）")
    if isinstance(value, bool | date):
        raise ValueError(f"{label}应为 0 到 100 之间的数字，例如 80")
    if isinstance(value, int | float):
        number = float(value)
        if "%" in number_format:
            number = round(number * 100, 4)
        elif 0 < number < 1:
            raise ValueError(f"{label}“{value:g}”含义不明确：如表示 {number * 100:g}%，请填写 {number * 100:g}")
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        match = _NUMBER.match(text)
        if not match:
            raise ValueError(f"无法识别{label}“{str(value).strip()}”：请只填写一个 0 到 100 之间的数字，例如 80")
        number = float(match.group(1))
    if not 0 <= number <= 100:
        raise ValueError(f"{label}应在 0 到 100 之间，收到 {number:g}")
    return number


def parse_task_no(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    match = _TASK_NO.match(unicodedata.normalize("NFKC", str(value)).strip())
    if not match:
        raise ValueError
    return int(match.group(1))


def parse_period(value: object) -> str:
    """``YYYY-MM`` from what people type (2023-03, 2023-3, 2023年3月, 2023/03, 2023.03, a date)."""
    if isinstance(value, datetime | date):
        return Month.of(value).code
    if isinstance(value, str):
        match = _PERIOD_TEXT.match(unicodedata.normalize("NFKC", value).strip())
        if match and 1 <= int(match.group(2)) <= 12:
            return Month(int(match.group(1)), int(match.group(2))).code
    if is_blank(value):
        raise ValueError("请填写填报月份，例如 2023-03")
    raise ValueError(f"无法识别填报月份“{cell_text(value)}”：请写成 2023-03 这样的格式（文本）")


# --- checking ---------------------------------------------------------------------


class Collector:
    """The problems of one upload, each on its cell of ``sheet`` (or of the sheet given)."""

    def __init__(self, parsed: ParsedUpload, sheet: str = SHEET_REPORT) -> None:
        self.errors: list[Problem] = list(parsed.problems)
        self.formulas = parsed.formula_cells
        self.sheet = sheet

    def add(self, cell: RawCell | None, message: str, sheet: str | None = None) -> None:
        sheet = sheet or self.sheet
        if cell is None:
            self.errors.append(Problem(sheet, "", "", message))
        else:
            self.errors.append(Problem(sheet, cell.coord, shown(cell.value), message))

    def text(self, cell: RawCell, limit: int) -> str | None:
        """The cell's text if it is acceptable free text; otherwise record why and return None."""
        if cell.coord in self.formulas:
            self.add(cell, "请直接填写内容，不要使用公式")
            return None
        text = cell_text(cell.value)
        if formula_like(text):
            self.add(cell, f"内容开头的“{text[0]}”可能被当作公式执行：请删去开头的符号，或在前面加上文字")
            return None
        if len(text) > limit:
            self.add(cell, f"内容过长（{len(text)} 字），请精简到 {limit} 字以内")
            return None
        return text


def _meta_year(parsed: ParsedUpload) -> int | None:
    """The year of the month the template was made for, when the header names no usable month."""
    try:
        return Month.parse(parsed.meta.get("period", "")).year
    except PeriodError:
        return None


def check(session: Session, parsed: ParsedUpload, unit: Unit, period_code: str | None = None) -> Checked:
    """Compare a read upload with the registry; ``period_code`` is the period the caller expects."""
    found = Collector(parsed)
    result = Checked()
    if not parsed.readable:
        result.errors = found.errors
        return result
    wrong = _wrong_template(session, parsed, unit, period_code)
    if wrong is not None:
        # Another unit's or another month's report: one message, not a row error for every task.
        result.errors = [*found.errors, wrong]
        return result
    result.period = _check_header(session, parsed, unit, period_code, found, result)
    if parsed.meta and parsed.meta.get("version") != TEMPLATE_VERSION:
        found.add(None, "模板版本已过期，请重新下载模板并把内容复制过去", sheet=SHEET_META)
    year = result.period.year if result.period else _meta_year(parsed) or queries.current_year(session)
    month = month_of(result.period) if result.period else None
    closed: frozenset[int] = frozenset()
    if month is not None:
        tasks, closed = unit_obligations_in(session, id_of(unit), month)
    else:
        tasks = unit_obligations(session, id_of(unit), year) if year else []
    if not tasks and closed and month:
        found.add(None, f"{unit.name} 的任务均已办结，{month.code} 起不再报送月报")
    elif not tasks:
        found.add(None, f"{unit.name} 在 {year} 年没有需要报送的任务")
    else:
        result.rows = _check_rows(parsed, tasks, found, closed)
    result.errors = found.errors
    if not result.errors and result.period is not None:
        result.versions, earlier = _month_and_earlier(session, id_of(unit), result.period)
        result.warnings = _warnings(session, result.period, result.rows, parsed, earlier)
    return result


def wrong_unit(session: Session, parsed: ParsedUpload, unit: Unit, *, sheet: str, what: str) -> Problem | None:
    """The one problem of a file made for another unit than ``unit`` (``what`` names the kind
    of workbook); None otherwise.

    The header's 填报单位 decides (a borrowed template with it changed is fine); the hidden
    meta sheet names the unit only when the header names none that is known."""
    unit_cell = parsed.header.get(LABEL_UNIT)
    other: str | None = None
    if unit_cell is not None and unit_cell.coord not in parsed.formula_cells:
        name = squash(unit_cell.value)
        named = None if name in ("", unit.name) else queries.resolve_unit(session, name)
        if named is not None and named.id != unit.id:
            other = named.name
        elif named is None and name != unit.name and parsed.meta.get("unit_id") not in (None, str(unit.id)):
            by_meta = queries.resolve_unit(session, parsed.meta.get("unit", ""))
            other = by_meta.name if by_meta is not None and by_meta.id != unit.id else None
    if other is None:
        return None
    return Problem(
        sheet,
        unit_cell.coord if unit_cell else "",
        shown(unit_cell.value) if unit_cell else "",
        f"这是{other}的{what}，不是{unit.name}的；请下载本单位的模板重新填写",
    )


def _wrong_template(session: Session, parsed: ParsedUpload, unit: Unit, period_code: str | None) -> Problem | None:
    """The one problem of a file that is another unit's report, or another month's than the one
    chosen; None otherwise."""
    wrong = wrong_unit(session, parsed, unit, sheet=SHEET_REPORT, what="月报模板")
    if wrong is not None:
        return wrong
    cells = parsed.header
    period_cell = cells.get(LABEL_PERIOD)
    if period_code and period_cell is not None and period_cell.coord not in parsed.formula_cells:
        try:
            code = parse_period(period_cell.value)
        except ValueError:
            return None
        if code != period_code:
            return Problem(
                SHEET_REPORT,
                period_cell.coord,
                shown(period_cell.value),
                f"这是 {code} 的月报，当前选择的是 {period_code}：请选择 {code} 后重新上传，"
                f"或下载 {period_code} 的模板重新填写",
            )
    return None


def _check_header(
    session: Session, parsed: ParsedUpload, unit: Unit, period_code: str | None, found: Collector, result: Checked
) -> Period | None:
    cells = parsed.header
    for label in HEADER_LABELS:
        if label not in cells:
            found.add(None, f"找不到“{label}”一栏：请使用下载的模板，不要删改表头部分")
    for label in HEADER_LABELS:
        cell = cells.get(label)
        if cell is not None and cell.coord in found.formulas:
            found.add(cell, "请直接填写内容，不要使用公式")
    unit_cell = cells.get(LABEL_UNIT)
    if unit_cell is not None and unit_cell.coord not in found.formulas:
        name = squash(unit_cell.value)
        named = unit if name == unit.name else queries.resolve_unit(session, name) if name else None
        if not name:
            found.add(unit_cell, f"请填写填报单位：{unit.name}")
        elif named is None:
            found.add(unit_cell, f"填报单位“{name}”不是已登记的单位名称，请填写“{unit.name}”")
        # another unit's name: ``_wrong_template`` has already refused the file

    period: Period | None = None
    period_cell = cells.get(LABEL_PERIOD)
    if period_cell is not None and period_cell.coord not in found.formulas:
        try:
            code = parse_period(period_cell.value)
            period = get_period(session, code)
        except (ValueError, PeriodError) as exc:
            found.add(period_cell, str(exc))
        else:
            if period.closed:
                found.add(period_cell, f"{period.code} 已停止接收报送；如需补报，请联系督查室")
    if period is None and period_code:
        period = session.exec(select(Period).where(Period.code == period_code)).first()

    for label, attr in ((LABEL_FILLER, "filler"), (LABEL_PHONE, "phone"), (LABEL_HEAD, "head")):
        cell = cells.get(label)
        if cell is None or cell.coord in found.formulas:
            continue
        text = found.text(cell, MAX_HEADER_CHARS)
        if text is None:
            continue
        if not text:
            found.add(cell, f"请填写{label}")
        elif label == LABEL_PHONE and sum(ch.isdigit() for ch in unicodedata.normalize("NFKC", text)) < 7:
            found.add(cell, "联系电话无法识别：请填写可以联系到的电话号码，例如 0559-3512345 或 13812345678")
        setattr(result, attr, text)
    return period


def _check_rows(
    parsed: ParsedUpload, tasks: list[Obligation], found: Collector, closed: frozenset[int] = frozenset()
) -> list[ReportRow]:
    """Every row's every problem in one round: a row whose 序号 is unreadable is still checked
    (and known by its task text, if that is unchanged); only rows to delete are not.
    ``closed``: the numbers of the unit's tasks closed (办结) before the month."""
    assigned = {t.task_no: t for t in tasks}
    texts = {t.task_no: squash(t.task_text) for t in tasks}
    by_text = {texts[t.task_no]: t for t in tasks}
    seen: dict[int, str] = {}
    rows: list[ReportRow] = []
    for raw in parsed.rows:
        no_cell, text_cell, role_cell, *value_cells = raw
        line = int(no_cell.coord.lstrip(ascii_uppercase))
        if is_blank(no_cell.value):
            found.add(no_cell, "此行没有序号：请不要在表格中增加行；补充说明请写在该任务的备注栏")
            continue
        task: Obligation | None
        try:
            no = parse_task_no(no_cell.value)
        except ValueError:
            found.add(no_cell, f"序号应为任务编号（整数），收到“{shown(no_cell.value)}”：请不要修改序号")
            task = by_text.get(squash(text_cell.value))
            if task is not None and task.task_no not in seen:
                seen[task.task_no] = no_cell.coord  # the row is there, only its 序号 is wrong
            _check_values(value_cells, found)
            continue
        task = assigned.get(no)
        if task is None and no in closed:
            found.add(no_cell, f"第 {no} 项任务已办结，本月起不再报送：请删除此行（或重新下载本月模板）")
            continue
        if task is None:
            found.add(no_cell, f"第 {no} 项不是本单位需要报送的任务：请删除此行（请使用本单位的模板）")
            continue
        if no in seen:
            found.add(no_cell, f"序号 {no} 重复出现（第一次在 {seen[no]}）：每项任务只填一行，请删除重复的行")
            continue
        seen[no] = no_cell.coord
        ok = True
        if squash(text_cell.value) != texts[no]:
            found.add(text_cell, f"第 {no} 项的主要任务与任务清单不一致：请不要修改此列（可重新下载模板）")
            ok = False
        if squash(role_cell.value) != task.role:
            found.add(role_cell, f"第 {no} 项的责任类型应为“{task.role}”：请不要修改此列")
            ok = False
        values = _check_values(value_cells, found)
        if ok and values is not None:
            rows.append(ReportRow(task.task_id, no, task.role, *values, line=line))
    missing = [str(no) for no in assigned if no not in seen]
    if missing:
        found.add(None, f"缺少第 {'、'.join(missing)} 项任务：每项任务都要填报，请补齐（可重新下载模板）")
    return rows


def _check_values(cells: Sequence[RawCell], found: Collector) -> tuple[str, float, str, str, str, str] | None:
    """A row's 完成状态 to 备注, every check at once; None if any is wrong.

    The checks that depend on the status also run on the status the clerk probably meant
    (``suggest_status``), so fixing a misspelt status never brings up a new problem."""
    status_cell, progress_cell, *text_cells = cells
    status, meant = _check_status(status_cell, found)
    judged = status or meant
    when = "" if judged is None else f"完成状态为“{judged}”时" if status else f"如完成状态改为“{judged}”"
    progress = _check_progress(progress_cell, found, judged, when)
    progress_text, problems, next_steps, remarks = (
        found.text(cell, MAX_REMARK_CHARS if i == 3 else MAX_TEXT_CHARS) for i, cell in enumerate(text_cells)
    )
    if progress_text == "":
        found.add(text_cells[0], "请填写本月工作进展")
    if progress is not None and judged in _FIXED_PROGRESS and progress != _FIXED_PROGRESS[judged]:
        found.add(progress_cell, f"{when}，完成进度应为 {_FIXED_PROGRESS[judged]}")
    if judged == LAGGING:
        if problems == "":
            found.add(text_cells[1], f"{when}，请填写存在问题")
        if next_steps == "":
            found.add(text_cells[2], f"{when}，请填写下步打算")
    if status is None or progress is None or progress_text is None or problems is None:
        return None
    if next_steps is None or remarks is None:
        return None
    return status, progress, progress_text, problems, next_steps, remarks


_FIXED_PROGRESS = {DONE: 100, NOT_STARTED: 0}
_REPORTABLE_BY_VALUE: dict[str, TaskStatus] = {s.value: s for s in REPORTABLE}
# What clerks write for a status in their own words; a misspelling is matched by similarity.
_STATUS_WORDS: dict[str, TaskStatus] = {
    **{s.code: s for s in REPORTABLE},
    "完成": DONE,
    TaskStatus.CLOSED.label: DONE,  # 办结 is the office's to confirm; the clerk means 已完成
    "办结": DONE,
    "已完工": DONE,
    "正常推进": TaskStatus.ON_TRACK,
    "按序时推进": TaskStatus.ON_TRACK,
    "有序推进": TaskStatus.ON_TRACK,
    "推进中": TaskStatus.ON_TRACK,
    "正在推进": TaskStatus.ON_TRACK,
    "进行中": TaskStatus.ON_TRACK,
    "落后": LAGGING,
    "进度滞后": LAGGING,
    "未开始": NOT_STARTED,
    "尚未启动": NOT_STARTED,
    "未开展": NOT_STARTED,
}


def suggest_status(text: str) -> TaskStatus | None:
    """The allowed status closest to what was written (a misspelling, a word of one's own), if any."""
    key = unicodedata.normalize("NFKC", squash(text)).lower()
    if key in _STATUS_WORDS:
        return _STATUS_WORDS[key]
    words = {s.label: s for s in REPORTABLE} | _STATUS_WORDS
    close = difflib.get_close_matches(key, list(words), n=1, cutoff=0.5)
    return words[close[0]] if close else None


def _check_status(cell: RawCell, found: Collector) -> tuple[TaskStatus | None, TaskStatus | None]:
    """(the status, None) if allowed; else (None, the status probably meant, if one is close)."""
    if cell.coord in found.formulas:
        found.add(cell, "请直接填写内容，不要使用公式")
        return None, None
    status = squash(cell.value)
    if not status:
        found.add(cell, f"请填写完成状态：从下拉列表选择 {STATUS_CHOICES}")
        return None, None
    reportable = _REPORTABLE_BY_VALUE.get(status)
    if reportable is None:
        meant = suggest_status(status)
        hint = f"您是否要填“{meant}”？" if meant else ""
        found.add(cell, f"完成状态“{status}”不在可选范围内：{hint}请从下拉列表选择 {STATUS_CHOICES}")
        return None, meant
    return reportable, None


def _check_progress(cell: RawCell, found: Collector, status: TaskStatus | None, when: str) -> float | None:
    if cell.coord in found.formulas:
        found.add(cell, "请直接填写内容，不要使用公式")
        return None
    try:
        return parse_progress(cell.value, cell.number_format)
    except ValueError as exc:
        fixed = _FIXED_PROGRESS.get(status) if status is not None else None
        found.add(cell, str(exc) + (f"（{when}应填 {fixed}）" if fixed is not None else ""))
        return None


def _warnings(
    session: Session,
    period: Period,
    rows: list[ReportRow],
    parsed: ParsedUpload,
    earlier_reports: list[tuple[int, str]],
) -> list[Problem]:
    warnings: list[Problem] = []
    meta_period = parsed.meta.get("period")
    if meta_period and meta_period != period.code:
        warnings.append(
            Problem(
                SHEET_REPORT,
                parsed.header[LABEL_PERIOD].coord,
                period.code,
                f"本表是用 {meta_period} 的模板填写的，填报月份写的是 {period.code}：请确认月份无误",
            )
        )
    earlier = _rows_of(session, earlier_reports, {row.task_id for row in rows})
    for row in rows:
        before = earlier.get(row.task_id)
        if before is None:
            continue
        code, previous = before
        if row.progress < previous.progress:
            warnings.append(
                Problem(
                    SHEET_REPORT,
                    f"E{row.line}",
                    f"{row.progress:g}",
                    f"第 {row.task_no} 项完成进度 {row.progress:g} 低于上次报送"
                    f"（{code}：{previous.progress:g}），请确认",
                )
            )
        if same_text(row.progress_text, previous.progress_text):
            warnings.append(
                Problem(
                    SHEET_REPORT,
                    f"F{row.line}",
                    shown(row.progress_text),
                    f"第 {row.task_no} 项本月工作进展与 {code} 报送的完全相同，督查室将作为可能的“无实质内容”复核",
                )
            )
    return warnings


def same_text(one: str, other: str) -> bool:
    """Whether two texts are the same but for whitespace and control characters (how the
    无实质内容 warning compares a month's 本月工作进展 with the month before)."""
    return squash(one) == squash(other)


def stored_warnings(session: Session, unit: Unit, period_code: str, content: bytes) -> list[Problem]:
    """The warnings of an accepted version, as ``check`` gives them for its stored file: what
    the clerk was told to verify, for the office's review. Empty when the file no longer passes
    (the registry changed since it was accepted)."""
    checked = check(session, read_upload(content), unit, period_code)
    return [] if checked.errors else checked.warnings


class EarlierRow(NamedTuple):
    progress: float
    progress_text: str
    status: str = ""


def previous_rows(
    session: Session, unit_id: int, period: Period, task_ids: set[int] | None = None
) -> dict[int, tuple[str, EarlierRow]]:
    """task id -> (period code, row) from the unit's current report of the latest earlier period
    that has the task.

    With ``task_ids``, only those tasks, and no further back than needed to find them.
    """
    _, earlier = _month_and_earlier(session, unit_id, period)
    return _rows_of(session, earlier, task_ids)


def _rows_of(
    session: Session, reports: list[tuple[int, str]], task_ids: set[int] | None
) -> dict[int, tuple[str, EarlierRow]]:
    """What ``previous_rows`` gives, from ``reports`` (submission id, period code; latest first)."""
    found: dict[int, tuple[str, EarlierRow]] = {}
    for sub_id, code in reports:
        if task_ids is not None and task_ids <= found.keys():
            break
        for task_id, progress, progress_text, status in session.execute(_report_rows(), {"submission_id": sub_id}):
            if task_ids is None or task_id in task_ids:
                found.setdefault(task_id, (code, EarlierRow(progress, progress_text, status)))
    return found


def _month_and_earlier(
    session: Session, unit_id: int, period: Period
) -> tuple[list[StoredVersion], list[tuple[int, str]]]:
    """The unit's versions of ``period``, and its current report of each earlier period (the
    reports of ``previous_rows``: submission id, period code; latest first), in one query."""
    params = {"unit_id": unit_id, "period_id": id_of(period), "year": period.year, "month": period.month}
    versions: list[StoredVersion] = []
    earlier: list[tuple[int, str]] = []
    for sub_id, code, period_id, version, sha256, current in session.execute(_unit_reports(), params):
        if period_id == period.id:
            versions.append(StoredVersion(sub_id, version, sha256, current))
        else:
            earlier.append((sub_id, code))
    return versions, earlier


@functools.cache
def _unit_reports() -> sqlalchemy.Select[int | None, str, int, int, str, bool]:
    """The query of ``_month_and_earlier``: the unit's submissions of the month (each marked
    whether it is current) and the current ones of the months before it, latest month first."""
    year: BindParameter[int] = bindparam("year")
    month: BindParameter[int] = bindparam("month")
    period_id: BindParameter[int] = bindparam("period_id")
    current = is_current(as_of=None)
    earlier = sqlalchemy.or_(
        col(Period.year) < year, sqlalchemy.and_(col(Period.year) == year, col(Period.month) < month)
    )
    return (
        sqlalchemy.select(
            col(Submission.id),
            col(Period.code),
            col(Submission.period_id),
            col(Submission.version),
            col(Submission.sha256),
            current,
        )
        .join(Period, col(Period.id) == col(Submission.period_id))
        .where(
            col(Submission.unit_id) == bindparam("unit_id"),
            sqlalchemy.or_(col(Submission.period_id) == period_id, sqlalchemy.and_(earlier, current)),
        )
        .order_by(col(Period.year).desc(), col(Period.month).desc())
    )


@functools.cache
def _report_rows() -> sqlalchemy.Select[int, float, str, str]:
    return sqlalchemy.select(
        col(SubmissionRow.task_id),
        col(SubmissionRow.progress),
        col(SubmissionRow.progress_text),
        col(SubmissionRow.status),
    ).where(col(SubmissionRow.submission_id) == bindparam("submission_id"))


# --- annotated copy ----------------------------------------------------------------

_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")


def annotate(data: bytes, problems: Sequence[Problem]) -> bytes | None:
    """The user's own workbook with each problem cell filled red and the message as a comment.

    None when nothing can be marked: the file itself is unreadable, or no problem has a cell.
    """
    by_cell: dict[tuple[str, str], list[str]] = defaultdict(list)
    for problem in problems:
        if problem.sheet and problem.cell:
            by_cell[(problem.sheet, problem.cell)].append(problem.message)
    if not by_cell:
        return None
    try:
        inspect(data)
        wb = load_workbook(io.BytesIO(data))
    except Exception:  # a file that cannot be read has no cells to mark
        return None
    for (sheet, coord), messages in by_cell.items():
        if sheet not in wb.sheetnames:
            continue
        cell = wb[sheet][coord]
        cell.fill = _ERROR_FILL
        comment = Comment("\n".join(messages), "督办系统")
        comment.width, comment.height = 300, 40 + 40 * len(messages)
        cell.comment = comment
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
