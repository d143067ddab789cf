"""Workbooks for the plan tests: the real plan template, filled as a clerk would."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date

from openpyxl import load_workbook

from db.engine import read_session
from db.queries import resolve_unit
from intake.plans import FIRST_ROW, SHEET_PLAN, build_plan_template

# Leads tasks 84 and 85 (template rows 5–8 and 9–12), co-unit of 70, 77 and 79.
PLAN_UNIT = "区城管局"
Row = tuple[object, object, object]  # 完成时限, 节点目标, 计划进度(%)
GOOD: dict[int, list[Row]] = {
    84: [
        (date(2023, 3, 31), "完成实施方案", 20),
        (date(2023, 6, 30), "完成一半点位", 50),
        (date(2023, 12, 31), "全部完成", 100),
    ],
    85: [(date(2023, 12, 31), "通过验收", 100)],
}


def plan_template(unit: str = PLAN_UNIT, year: int = 2023) -> bytes:
    with read_session() as session:
        row = resolve_unit(session, unit)
        assert row is not None and row.id is not None, unit
        return build_plan_template(session, unit_id=row.id, year=year)


def plan_filled(
    milestones: Mapping[int, Sequence[Row]] | None = None,
    *,
    unit: str = PLAN_UNIT,
    year: int = 2023,
    extra: Sequence[tuple[object, object, object, object, object]] = (),
    cells: Mapping[str, object] | None = None,
) -> bytes:
    """The template with each task's rows filled in order (``GOOD`` by default; a task's rows
    beyond the prefilled ones are copied below the table), ``extra`` rows (all five columns)
    appended, and any ``cells`` set last."""
    wb = load_workbook(io.BytesIO(plan_template(unit, year)))
    ws = wb[SHEET_PLAN]
    rows_of: dict[int, list[int]] = {}
    for row in range(FIRST_ROW, ws.max_row + 1):
        no = ws.cell(row, 1).value
        if isinstance(no, int):
            rows_of.setdefault(no, []).append(row)
            for column in (3, 4, 5):
                ws.cell(row, column).value = None
    end = ws.max_row + 1
    for no, values in (GOOD if milestones is None else milestones).items():
        for index, value in enumerate(values):
            if index < len(rows_of[no]):
                row = rows_of[no][index]
            else:
                row, end = end, end + 1
                ws.cell(row, 1, no)
                ws.cell(row, 2, ws.cell(rows_of[no][0], 2).value)
            for column, cell_value in zip((3, 4, 5), value, strict=True):
                ws.cell(row, column, cell_value)
    for values in extra:
        for column, cell_value in enumerate(values, start=1):
            ws.cell(end, column, cell_value)
        end += 1
    for coord, cell_value in (cells or {}).items():
        ws[coord] = cell_value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
