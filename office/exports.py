"""Excel exports for the office: the 台账 of all tasks, the 催报名单 and the deductions ledger.

Every cell goes through ``safe``: text that begins with = + - @ (or a tab or carriage return)
would be taken by Excel or WPS as a formula when the sheet is edited or saved as CSV, so it gets
a leading apostrophe. Any module that writes a workbook for download should use ``add_sheet``
or ``safe``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from core import clock
from core.text import clean
from core.vocab import Light, TaskStatus
from db import queries
from db.models import Period
from office.deductions import LAGGING, LATE, MISREPORTED, MISSING, Rules, UnitLedger
from office.workbench import ChaseRow, PeriodInfo
from status.engine import task_states

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\n")  # after core.text.clean a CR is a LF
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
_WRAP = Alignment(wrap_text=True, vertical="top")


def safe(value: Any) -> Any:
    """A value fit for a cell: text never starts like a formula and holds no control characters."""
    if isinstance(value, str):
        value = clean(value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    title: str
    width: int = 12
    wrap: bool = False
    number_format: str | None = None


def add_sheet(
    wb: Workbook, name: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, title: str = ""
) -> Worksheet:
    """A sheet with an optional title line, a header row and the rows, every value made safe."""
    ws: Worksheet = wb.create_sheet(name)
    header_row = 1
    if title:
        ws.cell(1, 1, safe(title)).font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
        header_row = 2
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(header_row, index, safe(column.title))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    for offset, values in enumerate(rows, start=1):
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            if isinstance(value, datetime):  # to the minute, as shown on screen (23:59, not 00:00)
                value = value.replace(second=0, microsecond=0)
            cell = ws.cell(header_row + offset, index, safe(value))
            cell.border = _BORDER
            if column.wrap:
                cell.alignment = _WRAP
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif column.number_format:
                cell.number_format = column.number_format
    ws.freeze_panes = ws.cell(header_row + 1, 1).coordinate
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{max(ws.max_row, header_row)}"
    _print_on_a4_landscape(ws, header_row)
    return ws


def _print_on_a4_landscape(ws: Worksheet, header_row: int) -> None:
    """Print on A4 landscape, all columns on one page width, the header rows on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True


def to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _new_workbook() -> Workbook:
    wb = Workbook()
    sheet = wb.active  # the empty sheet a new workbook starts with
    if sheet is not None:
        wb.remove(sheet)
    return wb


def _as_of_text(as_of: datetime) -> str:
    return f"截至 {clock.fmt(as_of)}"


# --- any table of the pages -----------------------------------------------------


def _width(values: Iterable[Any]) -> int:
    """A column width in Excel's units (a CJK character is two), between 6 and 50."""
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(v)) for v in values if v is not None), default=4)
    return max(6, min(50, longest + 2))


def table_workbook(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, as_of: datetime) -> bytes:
    """A table shown on a page, as the workbook its download button gives: a title line with the
    moment it was taken, the header and the rows, every cell made safe (``safe``)."""
    wb = _new_workbook()
    widths = [_width([header, *(row[i] for row in rows)]) for i, header in enumerate(headers)]
    columns = [Column(header, width, wrap=width >= 30) for header, width in zip(headers, widths, strict=True)]
    add_sheet(wb, "表格", columns, rows, title=f"{title}（{_as_of_text(as_of)}）")
    return to_bytes(wb)


# --- 台账 ---------------------------------------------------------------------

LEDGER_COLUMNS = (
    Column("序号", 6),
    Column("分类", 16, wrap=True),
    Column("主要任务", 50, wrap=True),
    Column("牵头领导", 9),
    Column("协助领导", 12, wrap=True),
    Column("牵头单位", 14, wrap=True),
    Column("配合单位", 20, wrap=True),
    Column("完成状态", 9),
    Column("完成进度(%)", 9, number_format="0"),
    Column("应达进度(%)", 9, number_format="0.0"),
    Column("进度依据", 8),
    Column("红黄绿灯", 8),
    Column("本月工作进展", 40, wrap=True),
    Column("存在问题", 28, wrap=True),
    Column("下步打算", 28, wrap=True),
    Column("备注", 14, wrap=True),
    Column("报送单位", 14, wrap=True),
    Column("报送时间", 16),
)


def task_ledger(session: Session, period: Period, as_of: datetime) -> bytes:
    """台账: every task of the period's year with its status and texts as its lead unit reported."""
    statuses = task_states(session, period, as_of=as_of)
    views = queries.tasks(session, period.year)
    rows = []
    for view in views:
        s = statuses[view.id]
        rows.append(
            (
                view.no,
                view.category_short,
                view.text,
                view.lead_leader,
                "、".join(view.assisting_leaders),
                view.lead_unit,
                "、".join(view.co_units),
                s.status.label,
                s.progress,
                s.expected,
                s.expected_source.label,
                s.light.label,
                s.progress_text,
                s.problems,
                s.next_steps,
                s.remarks,
                s.source.unit if s.source else "",
                s.source.received_at if s.source else None,
            )
        )
    wb = _new_workbook()
    title = f"{period.year}年{period.month}月《政府工作报告》重点任务推进台账（{_as_of_text(as_of)}）"
    ws = add_sheet(wb, "台账", LEDGER_COLUMNS, rows, title=title)
    titles = [c.title for c in LEDGER_COLUMNS]
    for title, colors in (("完成状态", TaskStatus.colors()), ("红黄绿灯", Light.colors())):
        column = titles.index(title) + 1
        for row in ws.iter_rows(min_row=3, min_col=column, max_col=column):
            for cell in row:
                color = colors.get(str(cell.value))
                if color:
                    cell.font = Font(bold=True, color=color.lstrip("#"))
    return to_bytes(wb)


# --- 催报名单 -----------------------------------------------------------------

CHASE_COLUMNS = (
    Column("序号", 6),
    Column("单位", 22),
    Column("类别", 8),
    Column("状态", 8),
    Column("联系人", 12),
    Column("联系电话", 16),
)


def chase_workbook(period: Period | PeriodInfo, rows: Sequence[ChaseRow], as_of: datetime) -> bytes:
    wb = _new_workbook()
    title = f"{period.year}年{period.month}月月报催报名单（{_as_of_text(as_of)}）"
    add_sheet(
        wb,
        "催报名单",
        CHASE_COLUMNS,
        ((i, r.unit, r.kind, r.status.label, r.filler, r.phone) for i, r in enumerate(rows, 1)),
        title=title,
    )
    return to_bytes(wb)


# --- 扣分台账 -----------------------------------------------------------------

SUMMARY_COLUMNS = (
    Column("单位", 22),
    Column("类别", 8),
    Column("迟报次数", 9),
    Column("漏报次数", 9),
    Column("年末滞后任务数", 12),
    Column("报送失实处数", 12),
    Column("应扣分", 9, number_format="0.00"),
    Column("申诉核减", 9, number_format="0.00"),
    Column("推进工作落实扣分", 14, number_format="0.00"),
)
DETAIL_COLUMNS = (
    Column("单位", 22),
    Column("扣分事项", 10),
    Column("月份", 9),
    Column("任务序号", 8),
    Column("事由", 40, wrap=True),
    Column("截止时间", 16),
    Column("报送时间", 16),
    Column("扣分", 8, number_format="0.00"),
    Column("申诉", 8),
    Column("申诉理由", 30, wrap=True),
    Column("决定人", 10),
    Column("决定说明", 24, wrap=True),
    Column("实扣", 8, number_format="0.00"),
)


def deductions_workbook(year: int, ledgers: Sequence[UnitLedger], rules: Rules, as_of: datetime) -> bytes:
    wb = _new_workbook()
    ranked = sorted(ledgers, key=lambda one: -one.net)
    add_sheet(
        wb,
        "汇总",
        SUMMARY_COLUMNS,
        (
            (
                one.unit,
                one.kind,
                one.count(LATE),
                one.count(MISSING),
                one.count(LAGGING),
                one.count(MISREPORTED),
                one.gross,
                one.reduced,
                one.net,
            )
            for one in ranked
        ),
        title=f"{year}年“推进工作落实”考核扣分汇总（{_as_of_text(as_of)}）",
    )
    details = []
    for one in ledgers:
        for item in one.items:
            appeal = item.appeal
            details.append(
                (
                    one.unit,
                    item.label,
                    item.period,
                    item.task_no,
                    item.reason,
                    item.due,
                    item.received,
                    item.amount,
                    appeal.state if appeal else "",
                    appeal.reason if appeal else "",
                    (appeal.decided_by or "") if appeal else "",
                    appeal.decision_note if appeal else "",
                    item.net,
                )
            )
    add_sheet(wb, "明细", DETAIL_COLUMNS, details, title=f"{year}年考核扣分明细")
    add_sheet(
        wb,
        "扣分标准",
        (Column("事项", 24), Column("每次/每项扣分", 14, number_format="0.00")),
        (
            ("迟报（每次）", rules.late),
            ("漏报（每次）", rules.missing),
            ("年末仍滞后任务（每项）", rules.lagging),
            ("报送内容失实（每处）", rules.misreported),
        ),
    )
    return to_bytes(wb)
