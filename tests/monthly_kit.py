"""Workbooks for the monthly reporting tests: the real template, filled as a clerk would."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from db.engine import read_session
from db.queries import resolve_unit
from intake.template import build_template, fill_workbook
from registry.obligations import unit_obligations

# A unit with four tasks (53, 69, 75, 78), lead on 78: rows 7 to 10 of its template.
SMALL_UNIT = "区交通运输局"
SMALL_ALIAS = "区交通局"
HEADER = {"填报人": "张三", "联系电话": "0559-3512345", "单位主要负责人": "李四"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def task_numbers(unit: str, year: int = 2023) -> list[int]:
    with read_session() as session:
        unit_row = resolve_unit(session, unit)
        assert unit_row is not None, unit
        return [o.task_no for o in unit_obligations(session, unit_row.id, year)]


def template_for(unit: str, period: str) -> bytes:
    with read_session() as session:
        unit_row = resolve_unit(session, unit)
        assert unit_row is not None, unit
        return build_template(session, unit_row.id, period)


def filled(
    unit: str = SMALL_UNIT,
    period: str = "2023-03",
    rows: Mapping[int, Mapping[str, object]] | None = None,
    *,
    progress: object = 60,
    text: str = "本月完成方案编制并召开推进会",
) -> bytes:
    """A valid report: every task 序时推进 at ``progress`` unless ``rows`` says otherwise."""
    values: dict[int, dict[str, object]] = {
        no: {"status": "序时推进", "progress": progress, "progress_text": f"{text}（第{no}项）"}
        for no in task_numbers(unit)
    }
    for no, override in (rows or {}).items():
        values.setdefault(no, {}).update(override)
    return fill_workbook(template_for(unit, period), values, HEADER)


def edit(data: bytes, change: Callable[[Workbook], None]) -> bytes:
    """Open the workbook in openpyxl, apply ``change``, save: any edit a user could make."""
    wb = load_workbook(io.BytesIO(data))
    change(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


def open_document(mimetype: str = ODS_MIME) -> bytes:
    """An OpenDocument file as LibreOffice and WPS write one: the ``mimetype`` member first and
    uncompressed, then the manifest and the content (a spreadsheet by default: an .ods)."""
    parts = {
        "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest/>',
        "content.xml": b'<?xml version="1.0"?><office:document-content/>',
        "styles.xml": b'<?xml version="1.0"?><office:document-styles/>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", mimetype.encode(), compress_type=zipfile.ZIP_STORED)
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()
