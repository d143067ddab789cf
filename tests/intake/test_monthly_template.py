"""The per-unit template: layout, prefilled and locked columns, dropdowns, print setup, hidden meta."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

import cli
from accounts.access import SYSTEM
from cycle.periods import get_period
from db import queries
from db.engine import read_session
from db.queries import resolve_unit
from intake.ingest import ingest_upload
from intake.template import (
    COLUMNS,
    MILESTONE_TITLE,
    Prefilled,
    TemplateError,
    build_template,
    fill_workbook,
    period_cells,
)
from tests.monthly_kit import SMALL_UNIT, filled, task_numbers, template_for


def test_template_layout_for_a_unit_and_period(loaded) -> None:
    wb = load_workbook(io.BytesIO(template_for(SMALL_UNIT, "2023-03")))
    assert wb.sheetnames == ["月报", "填报说明", "_meta"]
    ws = wb["月报"]
    assert [ws[c].value for c in ("A2", "C2", "F2", "G2")] == ["填报单位", SMALL_UNIT, "填报月份", "2023-03"]
    assert [ws[c].value for c in ("A3", "F3", "A4")] == ["填报人", "联系电话", "单位主要负责人"]
    assert ws["G4"].value == "2023-04-05 23:59"
    assert tuple(c.value for c in ws[6]) == (*COLUMNS, MILESTONE_TITLE)
    assert [ws.cell(r, 1).value for r in range(7, 11)] == [53, 69, 75, 78]
    assert [ws.cell(r, 3).value for r in range(7, 11)] == ["配合", "配合", "配合", "牵头"]
    with read_session() as session:
        registry = {t.no: t.text for t in queries.tasks(session)}
    assert [ws.cell(r, 2).value for r in range(7, 11)] == [registry[no] for no in (53, 69, 75, 78)]
    assert ws.max_row == 10

    assert ws.protection.sheet
    assert ws["A7"].protection.locked and ws["B7"].protection.locked and ws["C7"].protection.locked
    assert not any(ws.cell(7, col).protection.locked for col in range(4, 10))
    assert not ws["C3"].protection.locked and not ws["G3"].protection.locked
    assert ws["B7"].alignment.wrap_text and ws["F7"].alignment.wrap_text

    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert rules["D7:D10"].type == "list" and rules["D7:D10"].formula1 == '"已完成,序时推进,滞后,未启动"'
    progress = rules["E7:E10"]
    assert (progress.type, progress.operator) == ("decimal", "between")
    assert (progress.formula1, progress.formula2) == ("0", "100")

    assert ws.freeze_panes == "A7"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$6:$6"
    assert ws.column_dimensions["B"].width >= 40

    meta = wb["_meta"]
    assert meta.sheet_state == "veryHidden"
    assert {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 5)} == {
        "unit": SMALL_UNIT,
        "unit_id": str(resolve_id(SMALL_UNIT)),
        "period": "2023-03",
        "version": "1",
    }
    assert wb.security.lockStructure
    guide = "\n".join(str(c.value) for c in wb["填报说明"]["A"] if c.value)
    assert "2023-04-05 23:59" in guide and "已完成、序时推进、滞后、未启动" in guide


def resolve_id(name: str) -> int:
    with read_session() as session:
        unit = resolve_unit(session, name)
        assert unit is not None
        return unit.id  # type: ignore[return-value]


def test_group_members_get_group_tasks_and_contacts_are_prefilled_from_the_last_report(loaded) -> None:
    assert len(task_numbers("岩寺镇")) == 42
    ws = load_workbook(io.BytesIO(template_for("岩寺镇", "2023-04")))["月报"]
    assert ws.cell(7 + 41, 1).value == task_numbers("岩寺镇")[-1]
    assert ws["C3"].value is None

    ingest_upload(filled(), file_name="3月.xlsx", unit=SMALL_UNIT, actor=SYSTEM, received_at=datetime(2023, 4, 3))
    ws = load_workbook(io.BytesIO(template_for(SMALL_UNIT, "2023-04")))["月报"]
    assert [ws["C3"].value, ws["G3"].value, ws["C4"].value] == ["张三", "0559-3512345", "李四"]


def test_no_template_for_a_group_or_an_unknown_period(loaded) -> None:
    with read_session() as session:
        group = resolve_unit(session, "各乡镇")
        with pytest.raises(TemplateError, match="是群组"):
            build_template(session, group.id, "2023-03")  # type: ignore[union-attr,arg-type]
        with pytest.raises(ValueError, match="没有 2031-01 这个填报月份"):
            build_template(session, resolve_id(SMALL_UNIT), "2031-01")
        with pytest.raises(TemplateError, match="没有这个单位"):
            build_template(session, 99999, "2023-03")


def test_every_cell_of_the_template_and_of_a_filled_one_is_in_songti(loaded) -> None:
    for data in (template_for(SMALL_UNIT, "2023-03"), filled()):
        wb = load_workbook(io.BytesIO(data))
        fonts = {
            (sheet.title, cell.coordinate): cell.font.name
            for sheet in wb.worksheets
            for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row + 2, max_col=sheet.max_column + 2)
            for cell in row
        }
        assert set(fonts.values()) == {"宋体"}, {k: v for k, v in fonts.items() if v != "宋体"}
        ws = wb["月报"]
        assert ws["A1"].font.b and ws["A1"].font.sz == 16  # the title
        assert ws["A6"].font.b  # the table header
        assert ws["B7"].font.name == ws["D7"].font.name == "宋体"  # prefilled and to fill
        assert wb._named_styles["Normal"].font.name == "宋体"
    with zipfile.ZipFile(io.BytesIO(template_for(SMALL_UNIT, "2023-03"))) as archive:
        assert b"Calibri" not in archive.read("xl/styles.xml")


def test_prefilled_template_carries_last_months_report_and_still_warns(loaded, tmp_path, capsys) -> None:
    from intake.template import last_month_values

    february = filled(period="2023-02", rows={78: {"status": "滞后", "problems": "资金未到位", "next_steps": "协调"}})
    assert ingest_upload(february, file_name="二月.xlsx", unit=SMALL_UNIT, actor=SYSTEM).accepted
    with read_session() as session:
        unit = resolve_unit(session, SMALL_UNIT)
        march = build_template(session, unit.id, "2023-03", prefill=True)
        assert last_month_values(session, unit.id, "2023-01") == {}  # no December of the year before
        plain = build_template(session, unit.id, "2023-03")
    ws = load_workbook(io.BytesIO(march))["月报"]
    assert [ws.cell(r, 4).value for r in range(7, 11)] == ["序时推进", "序时推进", "序时推进", "滞后"]
    assert [ws.cell(r, 5).value for r in range(7, 11)] == [60, 60, 60, 60]
    assert ws["F7"].value == "本月完成方案编制并召开推进会（第53项）"
    assert (ws["G10"].value, ws["H10"].value) == ("资金未到位", "协调")
    assert ws["G2"].value == "2023-03" and ws["C3"].value == "张三"
    assert load_workbook(io.BytesIO(plain))["月报"]["D7"].value is None

    # Uploaded unchanged, it is March's report, and each unchanged text is still flagged.
    result = ingest_upload(march, file_name="三月.xlsx", unit=SMALL_UNIT, actor=SYSTEM, period="2023-03")
    assert result.accepted and result.version == 1
    assert [w.message for w in result.warnings if w.cell.startswith("F")] == [
        f"第 {no} 项本月工作进展与 2023-02 报送的完全相同，督查室将作为可能的“无实质内容”复核"
        for no in (53, 69, 75, 78)
    ]

    out = tmp_path / "四月.xlsx"
    assert cli.main(["template", "--unit", SMALL_UNIT, "--period", "2023-04", "--out", str(out), "--prefill"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "已带入上月填报内容：4 项任务"
    assert load_workbook(out)["月报"]["D10"].value == "滞后"  # March's current version: February's, carried
    assert cli.main(["template", "--unit", SMALL_UNIT, "--period", "2023-01", "--out", str(out), "--prefill"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "上月没有本单位的报送，未带入内容"


def _values(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_a_template_filled_in_memory_reads_as_one_filled_in_excel_for_any_month(loaded) -> None:
    rows = {
        no: {"status": "滞后", "progress": 12.5, "progress_text": f" <第{no}项> & “进展” "}
        | {"problems": "资金", "next_steps": "争取"}
        for no in task_numbers(SMALL_UNIT)
    }
    header = {"填报人": "张三", "联系电话": "0559-3512345", "单位主要负责人": "李四"}
    january = Prefilled(template_for(SMALL_UNIT, "2023-01"))
    with read_session() as session:
        march = period_cells(get_period(session, "2023-03"))
    assert _values(january.fill({}, cells=march)) == _values(template_for(SMALL_UNIT, "2023-03"))
    data = january.fill(rows, header, march)
    assert _values(data) == _values(fill_workbook(template_for(SMALL_UNIT, "2023-03"), rows, header))
    result = ingest_upload(data, file_name="3月.xlsx", unit=SMALL_UNIT, actor=SYSTEM, period="2023-03")
    assert result.accepted and result.rows == 4

    with pytest.raises(KeyError, match="没有第 1 项任务"):
        january.fill({1: {"status": "已完成"}})
    with pytest.raises(KeyError, match="Z99"):
        january.fill({}, cells={"月报": {"Z99": "x"}})
