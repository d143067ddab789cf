"""The monthly template shows beside each task the milestones of its plan due this month or
next (read-only, column J); the validator ignores the column."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook

from accounts.access import SYSTEM
from intake.ingest import ingest_upload
from intake.template import MILESTONE_COLUMN, MILESTONE_TITLE
from tests.factories import add_plan
from tests.monthly_kit import SMALL_UNIT, filled, template_for

PLAN_78 = [(date(2023, 3, 31), 20.0), (date(2023, 4, 30), 30.0), (date(2023, 6, 30), 50.0), (date(2023, 12, 31), 100.0)]


def _column(period: str) -> dict[int, str | None]:
    ws = load_workbook(io.BytesIO(template_for(SMALL_UNIT, period)))["月报"]
    assert ws.cell(6, MILESTONE_COLUMN).value == MILESTONE_TITLE
    assert ws.cell(7, MILESTONE_COLUMN).protection.locked
    return {ws.cell(row, 1).value: ws.cell(row, MILESTONE_COLUMN).value for row in range(7, ws.max_row + 1)}


def test_the_milestones_due_this_month_or_next_are_shown_and_ignored(loaded) -> None:
    add_plan(SMALL_UNIT, {78: PLAN_78})
    march = _column("2023-03")
    assert march[78] == "2023-03-31 节点1（计划进度 20%）\n2023-04-30 节点2（计划进度 30%）"
    assert march[53] is None  # a co-unit's task without a plan
    assert _column("2023-05")[78] == "2023-06-30 节点3（计划进度 50%）"
    assert _column("2023-07")[78] is None  # nothing due in July or August
    result = ingest_upload(
        filled(SMALL_UNIT, "2023-03"),
        file_name="3月.xlsx",
        unit=SMALL_UNIT,
        actor=SYSTEM,
        received_at=datetime(2023, 4, 3, 10),
    )
    assert result.accepted, result.errors
