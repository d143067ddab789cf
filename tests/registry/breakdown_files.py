"""Word and Excel renderings of the 2023 task breakdown, built the way offices write them.

The cells come from the text rendering of the notice, line for line, so every name broken over
two lines, glued to the next, or written with stray spaces (“黄  劼”) is in them as in the
original. On top of that the files use what Word and Excel offer: the leader cell of tasks 1–9
merged vertically, category rows merged across the table, a cell's lines as paragraphs (Word)
or Alt+Enter line breaks (Excel), some cells written on one line with runs of spaces instead,
blank and typed 序号.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from docx import Document
from docx.table import _Cell
from openpyxl import Workbook

from registry.parser import DEFAULT_DOCUMENT
from registry.tables import HEADER, read_text

# Tasks whose unit cell repairs a name broken over two lines: kept on separate lines.
_BROKEN = {25, 40, 66, 67, 109}

Cells = list[list[str]]  # the paragraphs of each cell of one row
Rows = list[Cells]
Edit = Callable[[Rows], None]


def rows_2023() -> Rows:
    """The table's rows below the header: [paragraphs] per cell; one cell for a category row."""
    table = read_text(DEFAULT_DOCUMENT.read_text(encoding="utf-8"))
    rows: Rows = []
    no = 0
    for row in table.rows:
        cells = [[text.strip() for _, text in cell.lines if text.strip()] for cell in row.cells]
        if not any(cells):
            continue
        if len(cells) == len(HEADER):
            no += 1
            number, text, leaders, units = cells
            if no % 2 == 0 and len(leaders) > 1:
                leaders = ["   ".join(leaders)]  # several leaders on one line
            if no % 3 == 0 and len(units) > 1 and no not in _BROKEN:
                units = ["  ".join(units)]  # several units on one line
            if no <= 9:
                number = []  # Word's automatic numbering leaves the cell empty
            cells = [number, text, leaders, units]
        rows.append(cells)
    return rows


def task_row(rows: Rows, no: int) -> Cells:
    """The row of task ``no`` (1-based) in ``rows``."""
    tasks = [row for row in rows if len(row) == len(HEADER)]
    return tasks[no - 1]


def docx_2023(edit: Edit | None = None, *, merge_leaders: bool = True) -> bytes:
    rows = rows_2023()
    if edit:
        edit(rows)
    document = Document()
    document.add_paragraph("关于印发《政府工作报告》重点任务分解方案的通知")
    document.add_paragraph("根据区委部署，2023年共9个方面125项重点工作。")
    other = document.add_table(rows=1, cols=2)  # a table that is not the breakdown
    other.cell(0, 0).text, other.cell(0, 1).text = "抄送", "区委办"
    document.add_paragraph("附件")
    table = document.add_table(rows=1 + len(rows), cols=len(HEADER))
    # A row's own cells: ``table.cell`` lays out the whole grid on every call (slow on 140 rows).
    header, *body = (row.cells for row in table.rows)
    for cell, name in zip(header, HEADER, strict=True):
        cell.text = name[:2]
        cell.add_paragraph(name[2:])  # 责任 / 领导 on two lines, as in the notice
    leader_block: list[_Cell] = []
    for row, cells in zip(rows, body, strict=True):
        if len(row) == 1:
            merged = cells[0].merge(cells[-1])
            merged.text = row[0][0]
            continue
        for cell, paragraphs in zip(cells, row, strict=True):
            _fill(cell, paragraphs)
        if merge_leaders and len(leader_block) < 9:
            leader_block.append(cells[2])
    if merge_leaders:
        leader_block[0].merge(leader_block[-1])  # tasks 1–9: one leader cell, merged vertically
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _fill(cell: _Cell, paragraphs: list[str]) -> None:
    cell.text = paragraphs[0] if paragraphs else ""
    for text in paragraphs[1:]:
        cell.add_paragraph(text)


def xlsx_2023(edit: Edit | None = None) -> bytes:
    rows = rows_2023()
    if edit:
        edit(rows)
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = "说明"
    cover.append(("本表为任务分解表",))
    sheet = workbook.create_sheet("任务分解")
    sheet.append(("附件",))
    sheet.append(("2023年政府工作报告重点任务分解表",))
    sheet.append(HEADER)
    first_task = sheet.max_row + 1
    for row in rows:
        if len(row) == 1:
            sheet.append((row[0][0],))
            sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=len(HEADER))
            continue
        number, *rest = ("\n".join(paragraphs) for paragraphs in row)
        sheet.append((int(number) if number.isdigit() else None, *rest))  # typed 序号 as numbers
    sheet.merge_cells(start_row=first_task, start_column=3, end_row=first_task + 8, end_column=3)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
