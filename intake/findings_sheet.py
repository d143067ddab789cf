"""The findings list (督查发现问题清单) the office's inspectors fill in: its blank workbook, and
reading one back, every problem with its cell, through the same guard and cell rules as a
monthly report (``intake.validation``)."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlmodel import Session, col, select

from core.vocab import UnitKind
from db.ids import id_of
from db.models import Task
from db.queries import resolve_unit
from intake.limits import MAX_TEXT_CHARS
from intake.validation import (
    FirstSheet,
    Problem,
    RawCell,
    cell_text,
    is_blank,
    parse_task_no,
    read_first_sheet,
    squash,
)

SHEET = "督查发现问题"
DATE, TASK, UNIT, TEXT, REQUIREMENT, DUE = "检查日期", "任务序号", "责任单位", "发现问题", "整改要求", "整改时限"
COLUMNS = (DATE, TASK, UNIT, TEXT, REQUIREMENT, DUE)
_HEADER_SEARCH_ROWS = 10
_DATE_TEXT = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?$")


class FindingsRefused(ValueError):
    """The workbook has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"督查问题清单有 {len(problems)} 处问题，未导入任何数据")
        self.problems = problems


@dataclass(frozen=True)
class FindingRow:
    line: int  # the Excel row
    inspected_on: date
    task_id: int
    task_no: int
    unit_id: int
    text: str
    requirement: str
    due_on: date


def blank_workbook() -> bytes:
    """The sheet to fill in: its header row, one finding a row below it."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append(list(COLUMNS))
    for column, width in zip("ABCDEF", (14, 10, 22, 48, 48, 14), strict=True):
        ws.column_dimensions[column].width = width
        ws[f"{column}1"].font = Font(bold=True)
        ws[f"{column}1"].alignment = Alignment(horizontal="center")
    for row in range(2, 202):
        for column in "AF":
            ws[f"{column}{row}"].number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    for line in (
        "每行填写一个问题；各列顺序可以调整，但表头须为：" + "、".join(COLUMNS) + "。",
        "检查日期、整改时限：日期，例如 2023-05-10；整改时限不能早于检查日期。",
        "任务序号：检查日期所在年度任务清单中的序号（1、2、3……）。",
        "责任单位：单位全称或简称（别名），须为具体单位，不能是群组。",
        "同一检查日期的问题记为同一次督查（不定期督查），导入后可在“督查督导”页查看。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def parse_date(value: object) -> date:
    """A date cell, or what people type for one (2023-05-10, 2023/5/10, 2023年5月10日)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if is_blank(value):
        raise ValueError("请填写日期，例如 2023-05-10")
    if isinstance(value, str):
        match = _DATE_TEXT.match(unicodedata.normalize("NFKC", value).strip())
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                pass
    raise ValueError(f"无法识别日期“{cell_text(value)}”：请写成 2023-05-10 这样的日期")


def _header(sheet: FirstSheet) -> tuple[int, dict[str, int]] | None:
    """The header row (the first of the top rows naming most of the columns) and column → index."""
    best: tuple[int, dict[str, int]] | None = None
    for row in range(1, min(_HEADER_SEARCH_ROWS, sheet.sheet.height) + 1):
        found: dict[str, int] = {}
        for column in range(1, len(sheet.sheet.grid[row - 1]) + 1):
            label = squash(sheet.sheet.value(row, column))
            if label in COLUMNS and label not in found:
                found[label] = column
        if found and (best is None or len(found) > len(best[1])):
            best = (row, found)
        if len(found) == len(COLUMNS):
            break
    return best


def read_findings(session: Session, data: bytes) -> list[FindingRow]:
    """Every finding of the workbook, or ``FindingsRefused`` with every problem."""
    sheet = read_first_sheet(data)
    if isinstance(sheet, list):
        raise FindingsRefused(sheet)
    header = _header(sheet)
    if header is None:
        sheet.add(None, f"找不到表头行：第一个工作表的表头须为 {'、'.join(COLUMNS)}（顺序不限）")
        raise FindingsRefused(sheet.problems.errors)
    header_row, columns = header
    missing = [name for name in COLUMNS if name not in columns]
    if missing:
        first = sheet.cell(header_row, 1)
        for name in missing:
            sheet.add(first, f"表头行（第 {header_row} 行）缺少“{name}”列：表头须有 {'、'.join(COLUMNS)}（顺序不限）")
        raise FindingsRefused(sheet.problems.errors)
    rows = []
    for line in range(header_row + 1, sheet.sheet.height + 1):
        cells = {name: sheet.cell(line, column) for name, column in columns.items()}
        if all(is_blank(cell.value) for cell in cells.values()):
            continue
        row = _row(session, sheet, line, cells)
        if row is not None:
            rows.append(row)
    if not rows and not sheet.problems.errors:
        sheet.add(None, f"表中没有问题记录：请在表头（第 {header_row} 行）下方每行填写一个问题")
    if sheet.problems.errors:
        raise FindingsRefused(sheet.problems.errors)
    return rows


def _date(sheet: FirstSheet, cell: RawCell) -> date | None:
    try:
        return parse_date(cell.value)
    except ValueError as exc:
        sheet.add(cell, str(exc))
        return None


def _row(session: Session, sheet: FirstSheet, line: int, cells: dict[str, RawCell]) -> FindingRow | None:
    inspected_on = _date(sheet, cells[DATE])
    due_on = _date(sheet, cells[DUE])
    if inspected_on is not None and due_on is not None and due_on < inspected_on:
        sheet.add(cells[DUE], f"整改时限 {due_on.isoformat()} 早于检查日期 {inspected_on.isoformat()}")
    task = None
    try:
        no = parse_task_no(cells[TASK].value)
    except ValueError:
        sheet.add(cells[TASK], "任务序号应为任务清单中的序号（整数，例如 12）")
    else:
        if inspected_on is not None:
            task = session.exec(select(Task).where(Task.year == inspected_on.year, col(Task.no) == no)).first()
            if task is None:
                sheet.add(cells[TASK], f"{inspected_on.year} 年的任务清单中没有第 {no} 项任务")
    unit_id = None
    unit_name = cell_text(cells[UNIT].value)
    if not unit_name:
        sheet.add(cells[UNIT], "请填写责任单位（全称或简称）")
    else:
        unit = resolve_unit(session, unit_name)
        if unit is None:
            sheet.add(cells[UNIT], f"不认识的单位“{unit_name}”：请填写单位全称或简称（简称可在“单位管理”中添加为别名）")
        elif unit.kind == UnitKind.GROUP:
            sheet.add(cells[UNIT], f"“{unit.name}”是群组：请填写具体的责任单位")
        else:
            unit_id = id_of(unit)
    texts = {}
    for name in (TEXT, REQUIREMENT):
        value = sheet.text(cells[name], MAX_TEXT_CHARS)
        if value == "":
            sheet.add(cells[name], f"请填写{name}")
        texts[name] = value
    text, requirement = texts[TEXT], texts[REQUIREMENT]
    if inspected_on is None or due_on is None or task is None or unit_id is None or not text or not requirement:
        return None
    return FindingRow(line, inspected_on, id_of(task), task.no, unit_id, text, requirement, due_on)
