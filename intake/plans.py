"""The plan (年度节点计划) a lead unit submits: its workbook, its checks, and how a version lands.

The workbook has one sheet ``节点计划``: a header block naming the unit (填报单位) and the year
(计划年度), then the table 序号, 主要任务, 完成时限, 节点目标, 计划进度(%), four rows for each
task the unit leads (序号 and 主要任务 prefilled and locked; blank rows are ignored, a row may be
copied to add more). The very hidden ``_meta`` sheet names unit, year and template version, as
the monthly template does. The same rows can be edited on the page (``check_form``).

The checks reuse the monthly report's reading (``intake.validation.read_table``: the file guard
and the table), its error table and annotated copy, and its versioned storing
(``intake.ingest``: the unit locked, the version numbered and stamped under the lock). A task
runs past the year when one of its 节点目标 says “跨年度”: then its last milestone need not
reach 100.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import re
import unicodedata
from calendar import monthrange
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from string import ascii_uppercase

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection
from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from accounts.access import Actor
from accounts.audit import audit
from core import clock
from core.vocab import PlanState, Responsibility, UnitKind
from db import queries
from db.engine import write_session
from db.ids import id_of
from db.models import PlanMilestone, Task, TaskPlan, Unit
from intake.ingest import UsageError, locked_unit, retried, target_unit
from intake.limits import MAX_TEXT_CHARS
from intake.template import LABEL_UNIT, SHEET_META, percent_validation
from intake.validation import (
    Collector,
    ParsedUpload,
    Problem,
    RawCell,
    cell_text,
    is_blank,
    parse_progress,
    parse_task_no,
    read_table,
    shown,
    squash,
    wrong_unit,
)
from registry.obligations import unit_obligations
from status.plans import Milestone, closed_task_ids, milestones_of, plan_due, planned_task_ids

PLAN_TEMPLATE_VERSION = "1"
SHEET_PLAN = "节点计划"
SHEET_PLAN_GUIDE = "填报说明"
PLAN_COLUMNS = ("序号", "主要任务", "完成时限", "节点目标", "计划进度(%)")
COLUMN_WIDTHS = (6, 50, 14, 50, 12)
LABEL_YEAR = "计划年度"
PLAN_LABELS = (LABEL_UNIT, LABEL_YEAR)
UNIT_CELL, YEAR_LABEL_CELL, YEAR_CELL = "B2", "D2", "E2"
TABLE_HEADER_ROW = 4
FIRST_ROW = TABLE_HEADER_ROW + 1
ROWS_PER_TASK = 4
MULTI_YEAR = "跨年度"  # written in a task's 节点目标: the task runs past the year
SOURCE_UPLOAD, SOURCE_FORM = "upload", "form"

_DATE_TEXT = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:(?:[-/.]|月)\s*(\d{1,2})\s*日?|月\s*(?:底|末)?)?$")
_YEAR_TEXT = re.compile(r"^(\d{4})\s*(?:年度?)?$")
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LOCKED_FILL = PatternFill("solid", fgColor="EDEFF2")
_HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


class PlanTemplateError(ValueError):
    """No plan template can be made for this unit and year; the message is for the user."""


# --- the workbook -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanTask:
    task_id: int
    no: int
    text: str


def plan_tasks(session: Session, *, unit_id: int, year: int) -> list[PlanTask]:
    """The tasks ``unit_id`` submits a plan for in ``year``, in task order: those it leads that
    are not closed."""
    closed = closed_task_ids(session, year=year)
    ids = [t for t in planned_task_ids(session, unit_id=unit_id, year=year) if t not in closed]
    rows = session.exec(select(Task.id, Task.no, Task.text).where(col(Task.id).in_(ids)).order_by(col(Task.no)))
    return [PlanTask(task_id, no, text) for task_id, no, text in rows if task_id is not None]


def plan_guide(year: int, due: date) -> list[str]:
    return [
        "填报说明",
        "",
        f"1. 报送时间：{year} 年度节点计划请于 {due:%Y年%-m月%-d日} 前报送；"
        "督查室确认后即作为判断任务是否按计划推进的依据。",
        "2. 报送方式：在本系统“节点计划”页面上传本表（.xlsx 格式），也可以直接在页面上填写。",
        "3. 序号、主要任务两列（灰色）由系统预填并锁定，请勿修改；每项牵头任务预留 4 行，用不完的行留空即可。"
        "不够时：“审阅”→“撤消工作表保护”（无密码），复制该任务的一整行（连同序号和主要任务）插入到该任务下方，"
        "填好后可重新保护；也可以直接在页面上填写。",
        f"4. 完成时限：填写 {year} 年内的日期，例如 {year}-06-30；同一任务的节点请按时间先后顺序填写。",
        "5. 节点目标：写清到该时限要完成的具体事项。",
        "6. 计划进度(%)：到该时限累计完成的进度，0 到 100 之间的数字，逐个节点不减少；最后一个节点应为 100。",
        f"7. 任务跨年度实施、本年度不能完成的，请在该任务某个节点目标中写明“{MULTI_YEAR}”"
        f"（例如“{MULTI_YEAR}：完成一期工程”），最后一个节点的计划进度即可小于 100。",
        "8. 上传后系统会逐项检查：有问题的单元格会被一一列出，并可下载标红批注的副本，改正后重新上传即可。",
        "9. 计划确认后如需调整，请修改后重新报送，经督查室再次确认后生效（计划调整）；此前的版本均保留。",
    ]


def build_plan_template(session: Session, *, unit_id: int, year: int) -> bytes:
    """The unit's plan workbook for ``year``: its lead tasks, each with its milestones of the
    latest version of its plan (if any) and blank rows up to four."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise PlanTemplateError("没有这个单位")
    if unit.kind == UnitKind.GROUP:
        raise PlanTemplateError(f"“{unit.name}”是群组，请为其成员单位分别下载节点计划模板")
    tasks = plan_tasks(session, unit_id=unit_id, year=year)
    if not tasks:
        raise PlanTemplateError(f"{unit.name} 在 {year} 年没有牵头的任务，无需报送节点计划")
    current = _latest_milestones(session, unit_id, year)

    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = SHEET_PLAN
    for rng in ("A1:E1", "A3:E3"):
        ws.merge_cells(rng)
    ws["A1"] = f"{year} 年度重点任务节点计划"
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    for label_cell, label, value_cell, header_value in (
        ("A2", LABEL_UNIT, UNIT_CELL, unit.name),
        (YEAR_LABEL_CELL, LABEL_YEAR, YEAR_CELL, str(year)),
    ):
        ws[label_cell] = label
        ws[label_cell].font = Font(bold=True)
        ws[label_cell].alignment = Alignment(horizontal="right", vertical="center")
        ws[value_cell] = header_value
        ws[value_cell].number_format = "@"
    ws["A3"] = (
        f"说明：灰色单元格由系统预填，请勿修改。完成时限填 {year} 年内的日期，计划进度填 0–100 的累计进度，"
        f"最后一个节点为 100（跨年度任务请在节点目标中注明“{MULTI_YEAR}”）。详见“填报说明”工作表。"
    )
    ws["A3"].alignment = Alignment(wrap_text=True, vertical="center")
    ws["A3"].font = Font(color="595959", size=10)
    ws.row_dimensions[3].height = 30
    for column, title in enumerate(PLAN_COLUMNS, start=1):
        cell = ws.cell(TABLE_HEADER_ROW, column, title)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BORDER
    row = FIRST_ROW
    for task in tasks:
        milestones = current.get(task.task_id, [])
        for index in range(max(ROWS_PER_TASK, len(milestones))):
            one = milestones[index] if index < len(milestones) else None
            values: tuple[str | int | float | date | None, ...] = (task.no, task.text) + (
                (one.due, one.text, one.target) if one else (None, None, None)
            )
            for column, value in enumerate(values, start=1):
                cell = ws.cell(row, column, value)
                cell.border = _BORDER
                if column <= 2:
                    cell.fill = _LOCKED_FILL
                    cell.alignment = _WRAP_TOP if column == 2 else _CENTER
                else:
                    cell.protection = Protection(locked=False)
                    cell.alignment = _WRAP_TOP if column == 4 else _CENTER
            ws.cell(row, 3).number_format = "yyyy-mm-dd"
            ws.row_dimensions[row].height = max(30, 15 * math.ceil(len(task.text) / 24) + 6)
            row += 1
    last_row = row - 1
    due = DataValidation(
        type="date",
        operator="between",
        formula1=f"DATE({year},1,1)",
        formula2=f"DATE({year},12,31)",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成时限",
        error=f"请填写 {year} 年内的日期，例如 {year}-06-30",
    )
    due.add(f"C{FIRST_ROW}:C{last_row}")
    target = percent_validation("计划进度", 50)
    target.add(f"E{FIRST_ROW}:E{last_row}")
    ws.add_data_validation(due)
    ws.add_data_validation(target)
    for column, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + column)].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.print_title_rows = f"{TABLE_HEADER_ROW}:{TABLE_HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.protection = SheetProtection(
        sheet=True, formatRows=False, formatColumns=False, formatCells=False, insertRows=False, deleteRows=False
    )

    guide = wb.create_sheet(SHEET_PLAN_GUIDE)
    guide.column_dimensions["A"].width = 110
    for number, line in enumerate(plan_guide(year, plan_due(session, year=year)), start=1):
        cell = guide.cell(number, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if number == 1:
            cell.font = Font(bold=True, size=14)
    guide.protection = SheetProtection(sheet=True)

    meta = wb.create_sheet(SHEET_META)
    for number, (key, value) in enumerate(
        (
            ("kind", "plan"),
            ("unit", unit.name),
            ("unit_id", str(unit.id)),
            ("year", str(year)),
            ("version", PLAN_TEMPLATE_VERSION),
        ),
        start=1,
    ):
        meta.cell(number, 1, key)
        meta.cell(number, 2, value).number_format = "@"
    meta.sheet_state = "veryHidden"
    meta.protection = SheetProtection(sheet=True)
    wb.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _latest_plan(session: Session, unit_id: int, year: int) -> TaskPlan | None:
    return session.exec(
        select(TaskPlan)
        .where(TaskPlan.unit_id == unit_id, TaskPlan.year == year)
        .order_by(col(TaskPlan.version).desc())
        .limit(1)
    ).first()


def _latest_milestones(session: Session, unit_id: int, year: int) -> dict[int, list[Milestone]]:
    latest = _latest_plan(session, unit_id, year)
    return {} if latest is None else milestones_of(session, id_of(latest))


# --- reading and checking -------------------------------------------------------------


def read_plan(data: bytes) -> ParsedUpload:
    """The plan sheet's header cells and rows (the file guard first)."""
    return read_table(data, sheet=SHEET_PLAN, columns=PLAN_COLUMNS, labels=PLAN_LABELS)


@dataclass(frozen=True)
class PlanRow:
    """One accepted milestone."""

    task_id: int
    task_no: int
    due: date
    target: float
    text: str
    multi_year: bool
    line: int  # the Excel row (or the page's row, counted the same way)


@dataclass
class CheckedPlan:
    errors: list[Problem] = field(default_factory=list)
    rows: list[PlanRow] = field(default_factory=list)
    year: int | None = None


def parse_due(value: object) -> date:
    """A date from what people type (a date cell, 2023-06-30, 2023/6/30, 2023年6月30日, 2023年6月底)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = _DATE_TEXT.match(unicodedata.normalize("NFKC", value).strip())
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12:
                day = int(match.group(3)) if match.group(3) else monthrange(year, month)[1]
                try:
                    return date(year, month, day)
                except ValueError:
                    pass
    raise ValueError(f"无法识别完成时限“{cell_text(value)}”：请填写日期，例如 2023-06-30")


def parse_year(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _YEAR_TEXT.match(unicodedata.normalize("NFKC", cell_text(value)))
    if not match:
        raise ValueError(f"无法识别计划年度“{cell_text(value)}”：请填写年份，例如 2023")
    return int(match.group(1))


def _file_year(parsed: ParsedUpload, found: Collector) -> int | None:
    cell = parsed.header.get(LABEL_YEAR)
    if cell is None:
        found.add(None, f"找不到“{LABEL_YEAR}”一栏：请使用下载的模板，不要删改表头部分")
        return None
    if cell.coord in found.formulas:
        found.add(cell, "请直接填写内容，不要使用公式")
        return None
    try:
        return parse_year(cell.value)
    except ValueError as exc:
        found.add(cell, str(exc))
        return None


@dataclass
class _Draft:
    """A row's readable parts, before the checks across a task's rows."""

    no_cell: RawCell
    due_cell: RawCell
    target_cell: RawCell
    due: date | None
    target: float | None
    text: str | None


def check_plan(session: Session, parsed: ParsedUpload, unit: Unit, year: int | None = None) -> CheckedPlan:
    """Compare a read plan with the registry; ``year`` is the year the caller expects (the
    file's own year otherwise)."""
    found = Collector(parsed, sheet=SHEET_PLAN)
    result = CheckedPlan()
    if not parsed.readable:
        result.errors = found.errors
        return result
    wrong = wrong_unit(session, parsed, unit, sheet=SHEET_PLAN, what="节点计划")
    if wrong is not None:
        result.errors = [*found.errors, wrong]
        return result
    file_year = _file_year(parsed, found)
    if year is not None and file_year is not None and file_year != year:
        cell = parsed.header[LABEL_YEAR]
        message = f"这是 {file_year} 年的节点计划，当前选择的是 {year} 年：请下载 {year} 年的模板重新填写"
        result.errors = [*found.errors, Problem(SHEET_PLAN, cell.coord, shown(cell.value), message)]
        return result
    year = year if year is not None else file_year
    if year is None:
        result.errors = found.errors
        return result
    result.year = year
    unit_cell = parsed.header.get(LABEL_UNIT)
    if unit_cell is None:
        found.add(None, f"找不到“{LABEL_UNIT}”一栏：请使用下载的模板，不要删改表头部分")
    elif unit_cell.coord in found.formulas:
        found.add(unit_cell, "请直接填写内容，不要使用公式")
    elif not squash(unit_cell.value):
        found.add(unit_cell, f"请填写填报单位：{unit.name}")
    elif squash(unit_cell.value) != unit.name and queries.resolve_unit(session, squash(unit_cell.value)) is None:
        found.add(unit_cell, f"填报单位“{squash(unit_cell.value)}”不是已登记的单位名称，请填写“{unit.name}”")
    if parsed.meta and parsed.meta.get("version") != PLAN_TEMPLATE_VERSION:
        found.add(None, "模板版本已过期，请重新下载模板并把内容复制过去", sheet=SHEET_META)
    tasks = {t.no: t for t in plan_tasks(session, unit_id=id_of(unit), year=year)}
    if not tasks:
        found.add(None, f"{unit.name} 在 {year} 年没有牵头的任务，无需报送节点计划")
        result.errors = found.errors
        return result
    result.rows = _check_rows(session, parsed, unit, year, tasks, found)
    result.errors = found.errors
    if result.errors:
        result.rows = []
    return result


def _check_rows(
    session: Session, parsed: ParsedUpload, unit: Unit, year: int, tasks: Mapping[int, PlanTask], found: Collector
) -> list[PlanRow]:
    roles = {o.task_no: o.role for o in unit_obligations(session, id_of(unit), year)}
    closed = closed_task_ids(session, year=year)
    closed_nos = set(session.exec(select(Task.no).where(col(Task.id).in_(closed)))) if closed else set()
    drafts: dict[int, list[_Draft]] = {}
    first_row: dict[int, RawCell] = {}
    for raw in parsed.rows:
        no_cell, text_cell, due_cell, goal_cell, target_cell = raw
        if all(is_blank(cell.value) for cell in (due_cell, goal_cell, target_cell)):
            if not is_blank(no_cell.value):
                with contextlib.suppress(ValueError):
                    first_row.setdefault(parse_task_no(no_cell.value), due_cell)
            continue  # a prefilled row left blank
        if is_blank(no_cell.value):
            found.add(no_cell, "此行没有序号：增加节点时请复制该任务的整行（连同序号和主要任务）")
            continue
        try:
            no = parse_task_no(no_cell.value)
        except ValueError:
            found.add(no_cell, f"序号应为任务编号（整数），收到“{shown(no_cell.value)}”：请不要修改序号")
            continue
        task = tasks.get(no)
        if task is None:
            if no in closed_nos:
                found.add(no_cell, f"第 {no} 项任务已办结，不再接收节点计划：请删除此行")
            elif roles.get(no) == Responsibility.CO:
                found.add(no_cell, f"第 {no} 项本单位是配合单位，节点计划由牵头单位报送：请删除此行")
            else:
                found.add(no_cell, f"第 {no} 项不是本单位牵头的任务，无需报送节点计划：请删除此行")
            continue
        first_row.setdefault(no, due_cell)
        if squash(text_cell.value) != squash(task.text):
            found.add(text_cell, f"第 {no} 项的主要任务与任务清单不一致：请不要修改此列（可重新下载模板）")
        drafts.setdefault(no, []).append(
            _Draft(
                no_cell,
                due_cell,
                target_cell,
                _due(due_cell, year, found),
                _target(target_cell, found),
                found.text(goal_cell, MAX_TEXT_CHARS),
            )
        )
        draft = drafts[no][-1]
        if draft.due is None and is_blank(due_cell.value) and not is_blank(target_cell.value):
            found.add(due_cell, f"第 {no} 项此节点填了计划进度，但没有填完成时限：请填写日期，例如 {year}-06-30")
        if draft.target is None and is_blank(target_cell.value) and not is_blank(due_cell.value):
            found.add(target_cell, f"第 {no} 项此节点填了完成时限，但没有填计划进度：请填写 0 到 100 之间的数字")
        if is_blank(due_cell.value) and is_blank(target_cell.value):
            found.add(due_cell, f"第 {no} 项此节点只有节点目标：请填写完成时限和计划进度")
        if draft.text == "":
            found.add(goal_cell, f"第 {no} 项此节点没有填写节点目标：请写明到该时限要完成的事项")
    rows: list[PlanRow] = []
    for no, task in tasks.items():
        task_drafts = drafts.get(no, [])
        if not task_drafts:
            cell = first_row.get(no)
            message = f"第 {no} 项还没有填写节点：每项牵头任务至少填写一个节点（完成时限、节点目标、计划进度）"
            found.add(cell, message)
            continue
        rows += _task_rows(task, task_drafts, found)
    return rows


def _due(cell: RawCell, year: int, found: Collector) -> date | None:
    if is_blank(cell.value):
        return None
    if cell.coord in found.formulas:
        found.add(cell, "请直接填写日期，不要使用公式")
        return None
    try:
        due = parse_due(cell.value)
    except ValueError as exc:
        found.add(cell, str(exc))
        return None
    if due.year != year:
        found.add(
            cell,
            f"完成时限 {due.isoformat()} 不在 {year} 年内：请填写 {year}-01-01 至 {year}-12-31 之间的日期"
            f"（跨年度任务只填本年度的节点，并在节点目标中注明“{MULTI_YEAR}”）",
        )
        return None
    return due


def _target(cell: RawCell, found: Collector) -> float | None:
    if is_blank(cell.value):
        return None
    if cell.coord in found.formulas:
        found.add(cell, "请直接填写数字，不要使用公式")
        return None
    try:
        return parse_progress(cell.value, cell.number_format, label="计划进度")
    except ValueError as exc:
        found.add(cell, str(exc))
        return None


def _task_rows(task: PlanTask, drafts: list[_Draft], found: Collector) -> list[PlanRow]:
    """The task's milestones in the order written: each no earlier and no lower than the one before."""
    multi_year = any(MULTI_YEAR in (d.text or "") for d in drafts)
    complete = all(d.due is not None and d.target is not None and d.text for d in drafts)
    previous: _Draft | None = None
    for draft in drafts:
        if previous is not None and draft.due is not None and previous.due is not None and draft.due < previous.due:
            found.add(
                draft.due_cell,
                f"第 {task.no} 项此节点的完成时限 {draft.due.isoformat()} 早于上一个节点"
                f"（{previous.due_cell.coord}：{previous.due.isoformat()}）：请按时间先后顺序填写节点",
            )
        if (
            previous is not None
            and draft.target is not None
            and previous.target is not None
            and draft.target < previous.target
        ):
            found.add(
                draft.target_cell,
                f"第 {task.no} 项计划进度 {draft.target:g} 低于上一个节点（{previous.target_cell.coord}："
                f"{previous.target:g}）：计划进度是累计进度，应逐个节点不减少",
            )
        if draft.due is not None and draft.target is not None:
            previous = draft
    last = drafts[-1]
    if last.target is not None and last.target < 100 and not multi_year:
        found.add(
            last.target_cell,
            f"第 {task.no} 项最后一个节点的计划进度为 {last.target:g}，应为 100；"
            f"如任务跨年度实施、本年度不能完成，请在节点目标中注明“{MULTI_YEAR}”",
        )
    if not complete:
        return []
    return [
        PlanRow(task.task_id, task.no, d.due, d.target, d.text, multi_year, _line(d.no_cell))  # type: ignore[arg-type]
        for d in drafts
    ]


def _line(cell: RawCell) -> int:
    return int(cell.coord.lstrip(ascii_uppercase))


# --- the rows edited on the page --------------------------------------------------------

FORM_KEYS = ("no", "task", "due", "text", "target")  # the page's columns, as PLAN_COLUMNS


def form_rows(session: Session, *, unit_id: int, year: int) -> list[dict[str, object]]:
    """The rows the page shows for editing: as the workbook would be prefilled."""
    current = _latest_milestones(session, unit_id, year)
    rows: list[dict[str, object]] = []
    for task in plan_tasks(session, unit_id=unit_id, year=year):
        milestones = current.get(task.task_id, [])
        for index in range(max(ROWS_PER_TASK, len(milestones))):
            one = milestones[index] if index < len(milestones) else None
            rows.append(
                {
                    "no": task.no,
                    "task": task.text,
                    "due": one.due if one else None,
                    "text": one.text if one else "",
                    "target": one.target if one else None,
                }
            )
    return rows


def form_upload(session: Session, rows: Sequence[Mapping[str, object]], unit: Unit, year: int) -> ParsedUpload:
    """The page's rows as if read from the workbook, each on the cells it would have there, so
    the same checks give the same messages. A row added on the page names its task by 序号
    only: its 主要任务 is the task's."""
    texts = {t.no: t.text for t in plan_tasks(session, unit_id=id_of(unit), year=year)}
    parsed = ParsedUpload(readable=True)
    parsed.header = {LABEL_UNIT: RawCell(UNIT_CELL, unit.name), LABEL_YEAR: RawCell(YEAR_CELL, year)}
    for index, row in enumerate(rows):
        line = FIRST_ROW + index
        values = [_form_value(row.get(key)) for key in FORM_KEYS]
        if is_blank(values[1]) and not is_blank(values[0]):
            with contextlib.suppress(ValueError):
                values[1] = texts.get(parse_task_no(values[0]), values[1])
        if any(not is_blank(v) for v in values):
            parsed.rows.append(tuple(RawCell(f"{c}{line}", v) for c, v in zip("ABCDE", values, strict=True)))
    return parsed


def _form_value(value: object) -> object:
    """A value of the page's editor as a cell's: no NaN, no pandas timestamps."""
    if value is None or value != value:  # NaN and NaT are not equal to themselves
        return None
    to_pydatetime = getattr(value, "to_pydatetime", None)
    if callable(to_pydatetime):
        value = to_pydatetime()
    return value


def form_cell(problem: Problem) -> str:
    """Where a problem of the page's rows is: 第 N 行 and the column (the rows counted from 1)."""
    if not problem.cell:
        return ""
    column = PLAN_COLUMNS[ascii_uppercase.index(problem.cell[0])]
    return f"第 {_line(RawCell(problem.cell, None)) - FIRST_ROW + 1} 行 {column}"


# --- storing a version --------------------------------------------------------------------


@dataclass
class PlanResult:
    accepted: bool
    duplicate: bool
    plan_id: int | None
    version: int | None
    rows: int
    errors: list[Problem]
    unit: str
    year: int | None

    def as_json(self) -> dict[str, object]:
        return {
            "accepted": self.accepted,
            "duplicate": self.duplicate,
            "unit": self.unit,
            "year": self.year,
            "version": self.version,
            "rows": self.rows,
        }


@dataclass(frozen=True)
class _Submitted:
    source: str
    file_name: str
    data: bytes | None
    actor: Actor
    on_behalf: bool


def ingest_plan(
    data: bytes, *, file_name: str, unit: str, actor: Actor, year: int | None = None, on_behalf: bool = False
) -> PlanResult:
    """Validate and store an uploaded plan workbook for ``unit`` (name or alias). The year is
    the file's own, or must be ``year`` when given."""
    target, _ = target_unit(unit, actor, on_behalf=on_behalf, received_at=None)
    parsed = read_plan(data)
    submitted = _Submitted(SOURCE_UPLOAD, file_name, data, actor, on_behalf)
    return retried(lambda: _store(submitted, id_of(target), year, lambda _session, _unit: parsed))


def save_plan_form(
    rows: Sequence[Mapping[str, object]], *, unit: str, actor: Actor, year: int, on_behalf: bool = False
) -> PlanResult:
    """Validate and store the rows edited on the page (keys ``FORM_KEYS``) as a new version."""
    target, _ = target_unit(unit, actor, on_behalf=on_behalf, received_at=None)
    submitted = _Submitted(SOURCE_FORM, "", None, actor, on_behalf)
    return retried(
        lambda: _store(submitted, id_of(target), year, lambda session, unit: form_upload(session, rows, unit, year))
    )


def _store(
    submitted: _Submitted, unit_id: int, year: int | None, read: Callable[[Session, Unit], ParsedUpload]
) -> PlanResult:
    with write_session() as session:
        unit = locked_unit(session, unit_id)
        received = clock.now()
        checked = check_plan(session, read(session, unit), unit, year)
        sha256 = hashlib.sha256(submitted.data).hexdigest() if submitted.data is not None else ""
        detail: dict[str, object] = {"单位": unit.name, "年度": checked.year or year or "", "方式": _how(submitted)}
        if submitted.file_name:
            detail |= {"文件": submitted.file_name, "sha256": sha256}
        latest = _latest_plan(session, id_of(unit), checked.year) if checked.year and not checked.errors else None
        same = latest is not None and _fingerprint(milestones_of(session, id_of(latest))) == _fingerprint(
            _as_milestones(checked.rows)
        )
        if latest is not None and same and latest.state == PlanState.RETURNED:
            checked.errors = [
                Problem(
                    SHEET_PLAN if submitted.source == SOURCE_UPLOAD else "",
                    "",
                    "",
                    f"内容与已退回的第 {latest.version} 版完全相同："
                    f"请按退回意见（{latest.return_reason}）修改后重新报送",
                )
            ]
        if checked.errors:
            audit(session, submitted.actor.username, "plan_rejected", {**detail, "问题数": len(checked.errors)})
            return PlanResult(False, False, None, None, 0, checked.errors, unit.name, checked.year)
        assert checked.year is not None
        if latest is not None and same:
            audit(session, submitted.actor.username, "plan_submitted", {**detail, "版本": latest.version, "重复": True})
            return PlanResult(True, True, latest.id, latest.version, len(checked.rows), [], unit.name, checked.year)
        last_version = session.exec(
            select(func.max(TaskPlan.version)).where(TaskPlan.unit_id == unit.id, TaskPlan.year == checked.year)
        ).one()
        plan = TaskPlan(
            unit_id=id_of(unit),
            year=checked.year,
            version=(last_version or 0) + 1,
            state=PlanState.SUBMITTED,
            received_at=received,
            submitted_by=submitted.actor.username,
            on_behalf=submitted.on_behalf,
            source=submitted.source,
            file_name=submitted.file_name,
            size=len(submitted.data) if submitted.data is not None else 0,
            sha256=sha256,
            content=submitted.data,
        )
        session.add(plan)
        session.flush()
        session.execute(
            insert(PlanMilestone),
            [
                {
                    "plan_id": plan.id,
                    "task_id": row.task_id,
                    "seq": seq,
                    "due": row.due,
                    "target": row.target,
                    "text": row.text,
                    "multi_year": row.multi_year,
                }
                for seq, row in _numbered(checked.rows)
            ],
        )
        audit(
            session,
            submitted.actor.username,
            "plan_submitted",
            {**detail, "版本": plan.version, "节点数": len(checked.rows)},
        )
        return PlanResult(True, False, plan.id, plan.version, len(checked.rows), [], unit.name, checked.year)


def _how(submitted: _Submitted) -> str:
    how = "上传" if submitted.source == SOURCE_UPLOAD else "页面填写"
    return how + ("（督查室代为录入）" if submitted.on_behalf else "")


def _numbered(rows: Sequence[PlanRow]) -> list[tuple[int, PlanRow]]:
    """Each row with its order within its task (1, 2, …), as written."""
    counts: dict[int, int] = {}
    numbered = []
    for row in rows:
        counts[row.task_id] = counts.get(row.task_id, 0) + 1
        numbered.append((counts[row.task_id], row))
    return numbered


def _as_milestones(rows: Sequence[PlanRow]) -> dict[int, list[Milestone]]:
    found: dict[int, list[Milestone]] = {}
    for row in rows:
        found.setdefault(row.task_id, []).append(Milestone(row.due, row.target, row.text, row.multi_year))
    return found


def _fingerprint(milestones: Mapping[int, Sequence[Milestone]]) -> dict[int, list[Milestone]]:
    return {task_id: sorted(ms, key=lambda m: (m.due, m.target, m.text)) for task_id, ms in milestones.items()}


def original_plan_file(session: Session, *, plan_id: int, actor: Actor) -> tuple[str, bytes]:
    """The file name and bytes of an uploaded version, for its own unit or the office."""
    plan = session.get(TaskPlan, plan_id)
    if plan is None or plan.content is None:
        raise UsageError("这个版本没有上传的文件（在页面上填写）")
    if not actor.may_act_for(plan.unit_id):
        raise UsageError("当前账号无权查看其他单位的文件")
    return plan.file_name, plan.content
