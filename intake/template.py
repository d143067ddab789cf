"""The monthly report workbook a unit downloads, fills in Excel or WPS, and uploads again.

Sheet ``月报`` holds a header block of labelled cells and the task table; ``填报说明`` explains
the rules; the very hidden ``_meta`` sheet records unit, period and template version so an
upload can be matched. Sheet protection (no password) only guards against accidental edits of
the prefilled columns: the server checks them again on upload.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree import ElementTree
from xml.sax.saxutils import escape as xml_escape

import sqlalchemy
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, col, select

from core import clock
from core.period import Month
from core.vocab import Lateness, TaskStatus, UnitKind
from cycle.periods import get_period, month_of
from db.ids import id_of
from db.models import Period, SubmissionRow, Task, Unit
from intake.limits import MAX_HEADER_CHARS, MAX_REMARK_CHARS, MAX_TEXT_CHARS
from registry.obligations import unit_obligations
from status.engine import current_reports, current_submission
from status.plans import confirmed_milestones

TEMPLATE_VERSION = "1"
SHEET_REPORT = "月报"
SHEET_GUIDE = "填报说明"
SHEET_META = "_meta"

COLUMNS = ("序号", "主要任务", "责任类型", "完成状态", "完成进度(%)", "本月工作进展", "存在问题", "下步打算", "备注")
# The keys a filled row uses (see ``fill_workbook``), for the columns after 责任类型.
FILL_KEYS = ("status", "progress", "progress_text", "problems", "next_steps", "remarks")
# What a clerk can type into a cell of a filled report (see ``fill_workbook``).
CellValue = str | int | float | date | datetime | None
COLUMN_WIDTHS = (6, 46, 9, 11, 10, 40, 28, 28, 16)
# Beside the table, read-only: the milestones of the task's plan due this month or next, to
# write against. Right of column I, so the validator never reads it.
MILESTONE_COLUMN = len(COLUMNS) + 1
MILESTONE_TITLE = "本月及下月节点（只读）"
MILESTONE_WIDTH = 30
TABLE_HEADER_ROW = 6
FIRST_TASK_ROW = TABLE_HEADER_ROW + 1

LABEL_UNIT = "填报单位"
LABEL_PERIOD = "填报月份"
LABEL_FILLER = "填报人"
LABEL_PHONE = "联系电话"
LABEL_HEAD = "单位主要负责人"
HEADER_LABELS = (LABEL_UNIT, LABEL_PERIOD, LABEL_FILLER, LABEL_PHONE, LABEL_HEAD)
# label -> (label cell, value cell); each label on columns A:B or F, its value right of it.
HEADER_CELLS = {
    LABEL_UNIT: ("A2", "C2"),
    LABEL_PERIOD: ("F2", "G2"),
    LABEL_FILLER: ("A3", "C3"),
    LABEL_PHONE: ("F3", "G3"),
    LABEL_HEAD: ("A4", "C4"),
}
DUE_CELL = "G4"
META_PERIOD = "period"  # the key in the meta sheet's column A; its value is in META_PERIOD_CELL
META_PERIOD_CELL = "B3"
_MERGES = ("A1:I1", "A2:B2", "C2:E2", "G2:I2", "A3:B3", "C3:E3", "G3:I3", "A4:B4", "C4:E4", "G4:I4", "A5:I5")

# 宋体: on every Chinese Windows, in Excel and in WPS alike (openpyxl's default, Calibri, has no
# Chinese characters, so each program substitutes a font of its own).
FONT_NAME = "宋体"
FONT_SIZE = 11
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LOCKED_FILL = PatternFill("solid", fgColor="EDEFF2")
_HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _font(*, size: float = FONT_SIZE, bold: bool = False, color: str | None = None) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, color=color)


def _workbook() -> Workbook:
    """A workbook whose default font, the one of every cell without a font of its own, is 宋体."""
    wb = Workbook()
    body = _font()
    wb._fonts = IndexedList([body])  # type: ignore[attr-defined]  # font 0: of every unstyled cell
    wb._named_styles["Normal"].font = body  # type: ignore[attr-defined]
    return wb


class TemplateError(ValueError):
    """No template can be made for this unit and period; the message is for the user."""


def guide_lines(due_text: str) -> list[str]:
    statuses = "、".join(TaskStatus.reportable())
    done, lagging, not_started = TaskStatus.DONE, TaskStatus.LAGGING, TaskStatus.NOT_STARTED
    return [
        "填报说明",
        "",
        f"1. 报送时间：每月报送上月工作进展，本月报的截止时间为 {due_text}（北京时间）。"
        f"逾期报送计为{Lateness.LATE.label}，截止后仍未报送计为{Lateness.MISSING.label}。",
        "2. 报送方式：在本系统“上传月报”页面上传本表（.xlsx 格式），或在该页“在线填报”中直接填写；"
        "同时将单位主要负责人签字的纸质件报送区督查室。",
        "3. 表头：请填写填报人、联系电话和单位主要负责人；填报单位和填报月份已预先填好，请勿改动。",
        "4. 序号、主要任务、责任类型三列（灰色）由系统预填并锁定，请勿修改、删除或增加行；每项任务只填一行。",
        f"5. 完成状态：从下拉列表选择 {statuses} 之一。",
        "6. 完成进度(%)：填写 0 到 100 之间的一个数字，例如 80（写 80% 也可以）；不要写“约80”“80-90”等。"
        f"完成状态为“{done.label}”时填 100，“{not_started.label}”时填 0。",
        f"7. 本月工作进展：每项任务必填，写清本月具体做了什么、取得了什么进展（不超过 {MAX_TEXT_CHARS} 字）。"
        "与上月内容完全相同的，督查室将作为可能的“无实质内容”复核。",
        f"8. 完成状态为“{lagging.label}”时，必须填写存在问题和下步打算。",
        f"9. 备注选填（不超过 {MAX_REMARK_CHARS} 字）。请直接填写文字，不要使用公式，内容不要以“=”“@”等符号开头。",
        "10. 上传后系统会逐项检查：有问题的单元格会被一一列出，并可下载标红批注的副本，改正后重新上传即可。",
        "11. 同一月份可以多次上传，以最后一次通过的版本为准；是否按时以第一次通过的时间为准。",
        f"12. 最右侧“{MILESTONE_TITLE}”列列出已确认的节点计划中本月和下月到期的节点，供对照填写，无需改动。"
        f"已办结的任务不再列入模板。",
    ]


# task no -> the values of its row for ``FILL_KEYS`` (a report's, last month's, the online form's)
RowValues = Mapping[int, Mapping[str, CellValue]]


def report_values(
    session: Session, unit_id: int, period: Period
) -> tuple[dict[int, dict[str, CellValue]], dict[str, str]]:
    """What the unit's current report for ``period`` says (``status.engine``'s rule for which
    version is current), by task no, with its header (填报人, 联系电话, 单位主要负责人);
    nothing when it has not reported."""
    current = current_submission(session, unit_id=unit_id, period_id=id_of(period), as_of=None)
    if current is None:
        return {}, {}
    rows = session.execute(
        sqlalchemy.select(
            col(Task.no),
            col(SubmissionRow.status),
            col(SubmissionRow.progress),
            col(SubmissionRow.progress_text),
            col(SubmissionRow.problems),
            col(SubmissionRow.next_steps),
            col(SubmissionRow.remarks),
        )
        .join(Task, col(Task.id) == SubmissionRow.task_id)
        .where(col(SubmissionRow.submission_id) == current.id)
    ).all()
    values = {no: dict(zip(FILL_KEYS, rest, strict=True)) for no, *rest in rows}
    header = {LABEL_FILLER: current.filler, LABEL_PHONE: current.phone, LABEL_HEAD: current.head}
    return values, header


def last_month_values(session: Session, unit_id: int, period_code: str) -> dict[int, dict[str, CellValue]]:
    """The unit's current report for the month before ``period_code``, by task no, for the tasks
    it has this year too (prefilling: 带入上月填报内容); nothing in January or when it did not report."""
    month = Month.parse(period_code)
    previous = session.exec(select(Period).where(Period.code == month.previous().code)).first()
    if previous is None or previous.year != month.year:
        return {}
    return report_values(session, unit_id, previous)[0]


def last_header(session: Session, unit_id: int) -> dict[str, str]:
    """填报人, 联系电话, 单位主要负责人 as in the unit's last report (of any month), to start from."""
    last = current_reports(session, as_of=None, period_id=None, unit_id=unit_id).get(unit_id)
    return {
        LABEL_FILLER: last.filler if last else "",
        LABEL_PHONE: last.phone if last else "",
        LABEL_HEAD: last.head if last else "",
    }


@dataclass(frozen=True)
class FormStart:
    """What the online form shows before the unit edits it: the template's rows and header."""

    tasks: list[tuple[int, str, str]]  # (序号, 主要任务, 责任类型) in the template's order
    rows: dict[int, dict[str, CellValue]]  # task no -> values for ``FILL_KEYS``
    header: dict[str, str]
    source: str  # where the values come from, in words; "" when the rows are blank


def form_start(session: Session, unit_id: int, period_code: str, *, prefill: bool = False) -> FormStart:
    """The online form for the unit and month: its current version of the month if it has one
    (to correct it), else blank rows, or last month's report with ``prefill``."""
    unit = session.get(Unit, unit_id)
    if unit is None or unit.kind == UnitKind.GROUP:
        raise TemplateError("请选择具体的单位（群组由其成员单位分别报送）")
    period = get_period(session, period_code)
    tasks = unit_obligations(session, unit_id, period.year)
    if not tasks:
        raise TemplateError(f"{unit.name} 在 {period.year} 年没有需要报送的任务")
    rows, header = report_values(session, unit_id, period)
    source = f"{period.code} 当前版本" if rows else ""
    if not rows and prefill:
        rows = last_month_values(session, unit_id, period.code)
        source = f"{Month.parse(period.code).previous().code} 报送的内容" if rows else ""
    return FormStart(
        [(t.task_no, t.task_text, t.role) for t in tasks], rows, header or last_header(session, unit_id), source
    )


def build_template(
    session: Session,
    unit_id: int,
    period_code: str,
    *,
    prefill: bool = False,
    rows: RowValues | None = None,
    header: Mapping[str, str] | None = None,
) -> bytes:
    """The unit's template for the period, prefilled with its tasks (as .xlsx bytes).

    ``prefill`` fills each task's row with last month's report (``last_month_values``); ``rows``
    and ``header`` fill it with given values (the online form), as a clerk would type them."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise TemplateError("没有这个单位")
    if unit.kind == UnitKind.GROUP:
        raise TemplateError(f"“{unit.name}”是群组，请为其成员单位分别下载模板")
    period = get_period(session, period_code)
    tasks = unit_obligations(session, unit_id, period.year, month_of(period))
    if not tasks:
        if unit_obligations(session, unit_id, period.year):
            raise TemplateError(f"{unit.name} 的任务均已办结，{period.code} 起不再报送月报")
        raise TemplateError(f"{unit.name} 在 {period.year} 年没有需要报送的任务")
    soon = milestones_due(session, month_of(period), [t.task_id for t in tasks])
    filled = rows if rows is not None else last_month_values(session, unit_id, period.code) if prefill else {}
    by_period = period_cells(period)

    wb = _workbook()
    ws = wb.worksheets[0]
    ws.title = SHEET_REPORT
    _header_block(ws)
    values = {LABEL_UNIT: unit.name, LABEL_PERIOD: period.code, **last_header(session, unit_id), **(header or {})}
    for label, (_, value_cell) in HEADER_CELLS.items():
        _type(ws[value_cell], values[label])
    ws[HEADER_CELLS[LABEL_PERIOD][1]].number_format = "@"
    ws[HEADER_CELLS[LABEL_PHONE][1]].number_format = "@"

    for column, title in enumerate((*COLUMNS, MILESTONE_TITLE), start=1):
        cell = ws.cell(TABLE_HEADER_ROW, column, title)
        cell.font = _font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BORDER
    ws.row_dimensions[TABLE_HEADER_ROW].height = 30
    first_row: list[Cell] = []
    for offset, task in enumerate(tasks):
        row = FIRST_TASK_ROW + offset
        prefilled: tuple[int | str, ...] = (task.task_no, task.task_text, task.role)
        for column, value in enumerate(prefilled, start=1):
            ws.cell(row, column, value)
        for column in range(1, len(COLUMNS) + 1):
            table_cell = ws.cell(row, column)
            assert isinstance(table_cell, Cell)
            if offset:  # the style of the first task row's cell: set once, then copied (much faster)
                table_cell._style = copy(first_row[column - 1]._style)  # type: ignore[attr-defined]
                continue
            first_row.append(table_cell)
            table_cell.border = _BORDER
            if column <= 3:
                table_cell.fill = _LOCKED_FILL
                table_cell.alignment = _WRAP_TOP if column == 2 else _CENTER
            else:
                table_cell.protection = Protection(locked=False)
                table_cell.alignment = _CENTER if column in (4, 5) else _WRAP_TOP
        near = ws.cell(row, MILESTONE_COLUMN, "\n".join(soon.get(task.task_id, [])))
        near.fill = _LOCKED_FILL
        near.alignment = _WRAP_TOP
        near.border = _BORDER
        ws.row_dimensions[row].height = max(45, 15 * math.ceil(len(task.task_text) / 22) + 6)
        for key, entry in filled.get(task.task_no, {}).items():
            _type(ws.cell(row, 4 + FILL_KEYS.index(key)), entry)
    last_row = FIRST_TASK_ROW + len(tasks) - 1
    _validations(ws, last_row)
    _page_setup(ws)

    guide = wb.create_sheet(SHEET_GUIDE)
    guide.column_dimensions["A"].width = 110
    for coord in by_period[SHEET_GUIDE]:
        cell = guide[coord]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if coord == "A1":
            cell.font = _font(bold=True, size=14)
    guide.protection = SheetProtection(sheet=True)

    meta = wb.create_sheet(SHEET_META)
    for row, (key, value) in enumerate(
        (("unit", unit.name), ("unit_id", str(unit.id)), (META_PERIOD, period.code), ("version", TEMPLATE_VERSION)),
        start=1,
    ):
        meta.cell(row, 1, key)
        meta.cell(row, 2, value).number_format = "@"
    meta.sheet_state = "veryHidden"
    meta.protection = SheetProtection(sheet=True)
    wb.security = WorkbookProtection(lockStructure=True)
    for sheet, cells in by_period.items():
        for coord, text in cells.items():
            wb[sheet][coord] = text
    return _to_bytes(wb)


def _type(cell: Cell | MergedCell, value: CellValue) -> None:
    """Put ``value`` in the cell as typed into it: text is text even when it starts with "="
    (so the check says it could be taken for a formula, as it would for a typed one)."""
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"


def form_workbook(
    session: Session, unit_id: int, period_code: str, rows: RowValues, header: Mapping[str, str]
) -> bytes:
    """The template filled with what a unit entered in the online form: the file of that
    version, checked and stored as any upload. The same entries always give the same bytes
    (fixed times inside), so submitting them again makes no new version."""
    return _stable(build_template(session, unit_id, period_code, rows=rows, header=header))


def form_file_name(unit_name: str, period_code: str) -> str:
    """The file name of a version filled in the online form (the way it came in, at a glance)."""
    return f"{unit_name}_{period_code}_在线填报.xlsx"


_FIXED_TIME = (2000, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")


def _stable(data: bytes) -> bytes:
    """The workbook with the times openpyxl writes (in the zip and the document properties) fixed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            target.writestr(zipfile.ZipInfo(info.filename, _FIXED_TIME), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def place(coord: str, task_numbers: Sequence[int]) -> tuple[str, str]:
    """Where a cell of a template made by ``build_template`` is, in the words of the online
    form: ("第 53 项", "完成进度(%)") for a task's cell, ("表头", "填报人") for a header cell,
    ("", "") for the file as a whole (``task_numbers`` in the template's order)."""
    if not coord:
        return "", ""
    for label, (_, value_cell) in HEADER_CELLS.items():
        if value_cell == coord:
            return "表头", label
    column, row = coordinate_from_string(coord)
    index = row - FIRST_TASK_ROW
    number = f"第 {task_numbers[index]} 项" if 0 <= index < len(task_numbers) else f"第 {row} 行"
    position = column_index_from_string(column) - 1
    return number, COLUMNS[position] if position < len(COLUMNS) else column


def milestones_due(session: Session, month: Month, task_ids: list[int]) -> dict[int, list[str]]:
    """task id → its plan's milestones (the plan that counts, ``status.plans``) due in ``month``
    or the next, as lines: ``2023-06-30 主体完工（计划进度 50%）``."""
    wanted = (month, month.next())
    found = confirmed_milestones(session, year=month.year, task_ids=task_ids)
    return {
        task_id: [f"{m.due.isoformat()} {m.text}（计划进度 {m.target:g}%）" for m in items if Month.of(m.due) in wanted]
        for task_id, items in found.items()
    }


def period_cells(period: Period) -> dict[str, dict[str, str]]:
    """Everything in a unit's template that depends on the period: sheet -> cell -> text.

    ``build_template`` writes these; ``Prefilled.fill`` writes them into a unit's template made
    for another month, which then reads as this month's own."""
    due_text = clock.fmt(period.due_at) + (f"（{period.due_note}）" if period.due_note else "")
    return {
        SHEET_REPORT: {
            "A1": f"{month_of(period).label} 重点任务推进情况月报",
            HEADER_CELLS[LABEL_PERIOD][1]: period.code,
            DUE_CELL: due_text,
        },
        SHEET_GUIDE: {f"A{row}": line for row, line in enumerate(guide_lines(due_text), start=1)},
        SHEET_META: {META_PERIOD_CELL: period.code},
    }


def _header_block(ws: Worksheet) -> None:
    for rng in _MERGES:
        ws.merge_cells(rng)
    ws["A1"].font = _font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    for label, (label_cell, value_cell) in HEADER_CELLS.items():
        ws[label_cell] = label
        ws[label_cell].font = _font(bold=True)
        ws[label_cell].alignment = Alignment(horizontal="right", vertical="center")
        ws[value_cell].protection = Protection(locked=False)
        ws[value_cell].alignment = Alignment(horizontal="left", vertical="center")
        ws[value_cell].border = Border(bottom=_THIN)
    ws["F4"] = "报送截止"
    ws["F4"].font = _font(bold=True)
    ws["F4"].alignment = Alignment(horizontal="right", vertical="center")
    ws["A5"] = (
        "说明：灰色单元格由系统预填，请勿修改；请在白色单元格中填写。完成状态从下拉列表选择，完成进度填 0–100 的数字。"
        "详见“填报说明”工作表。"
    )
    ws["A5"].alignment = Alignment(wrap_text=True, vertical="center")
    ws["A5"].font = _font(color="595959", size=10)
    for row in (2, 3, 4):
        ws.row_dimensions[row].height = 22
    ws.row_dimensions[5].height = 30


def percent_validation(title: str, example: int) -> DataValidation:
    """Excel's own check for a percentage cell (0–100), as every workbook of ours asks for it."""
    return DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error=f"请填写 0 到 100 之间的数字，例如 {example}",
    )


def _validations(ws: Worksheet, last_row: int) -> None:
    status = DataValidation(
        type="list",
        formula1='"' + ",".join(TaskStatus.reportable()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成状态",
        error="请从下拉列表中选择：" + "、".join(TaskStatus.reportable()),
        promptTitle="完成状态",
        prompt="请从下拉列表中选择",
        showInputMessage=True,
    )
    status.add(f"D{FIRST_TASK_ROW}:D{last_row}")
    progress = percent_validation("完成进度", 80)
    progress.add(f"E{FIRST_TASK_ROW}:E{last_row}")
    header_text = DataValidation(
        type="textLength", operator="lessThanOrEqual", formula1=str(MAX_HEADER_CHARS), allow_blank=True
    )
    for label in (LABEL_FILLER, LABEL_PHONE, LABEL_HEAD):
        header_text.add(HEADER_CELLS[label][1])
    for validation in (status, progress, header_text):
        ws.add_data_validation(validation)


def _page_setup(ws: Worksheet) -> None:
    for column, width in enumerate((*COLUMN_WIDTHS, MILESTONE_WIDTH), start=1):
        ws.column_dimensions[chr(64 + column)].width = width
    ws.freeze_panes = f"A{FIRST_TASK_ROW}"
    ws.print_title_rows = f"{TABLE_HEADER_ROW}:{TABLE_HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    footer = HeaderFooterItem()
    footer.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter = footer
    ws.protection = SheetProtection(sheet=True, formatRows=False, formatColumns=False, formatCells=False)


def _to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def fill_workbook(
    template: bytes, rows: Mapping[int, Mapping[str, CellValue]], header: Mapping[str, str] | None = None
) -> bytes:
    """Fill a template as a clerk would in Excel.

    ``rows`` maps a task number to values for ``FILL_KEYS`` (status, progress, progress_text,
    problems, next_steps, remarks); ``header`` maps header labels such as 填报人 to values.
    """
    wb = load_workbook(io.BytesIO(template))
    ws = wb[SHEET_REPORT]
    row_of = {
        ws.cell(row, 1).value: row
        for row in range(FIRST_TASK_ROW, ws.max_row + 1)
        if isinstance(ws.cell(row, 1).value, int)
    }
    for no, values in rows.items():
        if no not in row_of:
            raise KeyError(f"模板中没有第 {no} 项任务")
        for key, value in values.items():
            ws.cell(row_of[no], 4 + FILL_KEYS.index(key), value)
    for label, value in (header or {}).items():
        ws[HEADER_CELLS[label][1]] = value
    return _to_bytes(wb)


_CELL_XML = re.compile(r'<c r="([A-Z]+\d+)"(?: s="(\d+)")?[^>]*?(?:/>|>.*?</c>)', re.DOTALL)
_TASK_NO_XML = re.compile(r'<c r="A(\d+)"[^>]*><v>(\d+)</v></c>')
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_WORKBOOK, _WORKBOOK_RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class Prefilled:
    """A unit's template, filled again and again in memory: for a batch of reports (the demo,
    the benchmark) where building and saving each workbook with openpyxl would cost far more
    than checking and storing it.

    ``fill`` writes values into cells of the template's sheet XML, as openpyxl writes them
    (numbers as numbers, text inline, each cell keeping its style), and zips the parts again.
    With ``period_cells`` of another month, the copy is that month's template, but for the
    read-only column of milestones due soon, which stays as built (the checks never read it)."""

    def __init__(self, template: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(template)) as archive:
            self._parts = {info.filename: archive.read(info) for info in archive.infolist()}
        targets = {rel.get("Id"): rel.get("Target", "") for rel in ElementTree.fromstring(self._parts[_WORKBOOK_RELS])}
        self._sheet_parts = {
            sheet.get("name", ""): "xl/" + targets[sheet.get(_REL_ID)].removeprefix("/xl/")
            for sheet in ElementTree.fromstring(self._parts[_WORKBOOK]).iter(f"{_MAIN_NS}sheet")
        }
        report = self._parts[self._sheet_parts[SHEET_REPORT]].decode()
        self.rows = {
            int(no): int(row) for row, no in _TASK_NO_XML.findall(report) if int(row) >= FIRST_TASK_ROW
        }  # task no -> row of the report table

    def fill(
        self,
        rows: Mapping[int, Mapping[str, CellValue]],
        header: Mapping[str, str] | None = None,
        cells: Mapping[str, Mapping[str, str]] | None = None,
    ) -> bytes:
        """The workbook with ``rows`` and ``header`` as in ``fill_workbook``, and ``cells``
        (sheet -> cell -> text, e.g. ``period_cells``) written over the template's own."""
        by_sheet: dict[str, dict[str, CellValue]] = {name: dict(c) for name, c in (cells or {}).items()}
        report = by_sheet.setdefault(SHEET_REPORT, {})
        for label, text in (header or {}).items():
            report[HEADER_CELLS[label][1]] = text
        for no, values in rows.items():
            if no not in self.rows:
                raise KeyError(f"模板中没有第 {no} 项任务")
            for key, value in values.items():
                report[f"{get_column_letter(4 + FILL_KEYS.index(key))}{self.rows[no]}"] = value
        parts = dict(self._parts)
        for sheet, values in by_sheet.items():
            part = self._sheet_parts[sheet]
            parts[part] = _write_cells(parts[part].decode(), values).encode()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
        return buffer.getvalue()


def _write_cells(xml: str, values: Mapping[str, CellValue]) -> str:
    left = dict(values)

    def replace(match: re.Match[str]) -> str:
        coord, style = match.group(1), match.group(2)
        if coord not in left:
            return match.group(0)
        value = left.pop(coord)
        opening = f'<c r="{coord}"' + (f' s="{style}"' if style else "")
        if value is None or value == "":
            return opening + "/>"
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError(f"{coord}: {value!r}")
        if isinstance(value, str):
            space = ' xml:space="preserve"' if value != value.strip() else ""
            return f'{opening} t="inlineStr"><is><t{space}>{xml_escape(value)}</t></is></c>'
        return f'{opening} t="n"><v>{value!r}</v></c>'

    written = _CELL_XML.sub(replace, xml)
    if left:
        raise KeyError(f"模板中没有这些单元格：{'、'.join(sorted(left))}")
    return written
