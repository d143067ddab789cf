"""Importing a year's breakdown from Word, Excel and the text rendering: the same registry as the
2023 document, task by task; every problem named by its row; nothing written on refusal."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import func, select

from accounts.access import SYSTEM
from db.engine import read_revision, read_session, write_session
from db.models import AuditLog, Category, Period, Task, Unit, UnitObligation
from db.queries import tasks
from registry import importer
from registry.importer import ImportRefused, Preview, import_breakdown, preview
from registry.parser import DEFAULT_DOCUMENT, ParsedRegistry
from registry.tables import HEADER, Problem, blank_workbook, read_docx, read_xlsx
from tests.factories import add_submission
from tests.registry.breakdown_files import Rows, docx_2023, task_row, xlsx_2023

TEXT_2023 = DEFAULT_DOCUMENT.read_bytes()


def _preview(data: bytes, name: str, year: int = 2024, **options: bool) -> Preview:
    with read_session() as session:
        return preview(session, data=data, file_name=name, year=year, **options)


def _import(data: bytes, name: str, year: int = 2024, **options: bool) -> importer.ImportResult:
    with write_session() as session:
        return import_breakdown(session, actor=SYSTEM, data=data, file_name=name, year=year, **options)


def _same_tasks(found: Preview, registry: ParsedRegistry) -> None:
    assert [(c.seq, c.name, c.short) for c in found.categories] == [
        (c.seq, c.name, c.short) for c in registry.categories
    ]
    assert len(found.tasks) == len(registry.tasks) == 125
    for read, expected in zip(found.tasks, registry.tasks, strict=True):
        assert (read.no, read.category, read.text, read.leaders, read.lead_leader, read.units) == (
            expected.no,
            expected.category,
            expected.text,
            expected.leaders,
            expected.lead_leader,
            expected.units,
        ), read.no


@pytest.mark.parametrize(
    ("build", "name"),
    [
        pytest.param(docx_2023, "任务分解表.docx", id="word"),
        pytest.param(lambda: docx_2023(merge_leaders=False), "任务分解表.docx", id="word-blank-leaders"),
        pytest.param(xlsx_2023, "任务分解表.xlsx", id="excel"),
        pytest.param(lambda: TEXT_2023, "huizhou-2023.txt", id="text"),
    ],
)
def test_every_rendering_reads_as_the_2023_registry(
    loaded: str, registry: ParsedRegistry, build: object, name: str
) -> None:
    assert callable(build)
    data = build()
    for_2023 = _preview(data, name, 2023)
    assert for_2023.ok, for_2023.problems
    _same_tasks(for_2023, registry)
    assert for_2023.action == importer.SAME
    assert _preview(data, name, 2024).action == importer.NEW


def test_word_table_is_found_by_its_header_and_merged_cells_read_right() -> None:
    table = read_docx(docx_2023())
    assert table.place == "表格第{}行"
    first, second = table.rows[0], table.rows[1]
    assert [c.text for c in first.cells][1:3] == ["地区生产总值增长8.5%以上。", "▲黄  劼洪晓波万顺利何建中程丽群"]
    assert second.cells[2].text == first.cells[2].text  # merged vertically: the same leaders
    assert {at for at, _ in second.cells[2].lines} == {3}
    category = table.rows[9]
    assert len(category.cells) == 1 and category.cells[0].text.startswith("（一）")


def test_excel_sheet_is_found_below_title_rows() -> None:
    table = read_xlsx(xlsx_2023())
    assert table.place == "工作表“任务分解”第{}行"
    assert table.rows[0].at == 4
    assert table.rows[9].cells[0].text.startswith("（一）") and len(table.rows[9].cells) == 1


def test_import_writes_the_year_beside_2023(loaded: str) -> None:
    result = _import(docx_2023(), "任务分解表.docx")
    assert result.changed and result.message().startswith("已导入 2024 年任务 125 项（10 个分类）")
    with read_session() as session:
        old, new = tasks(session, 2023), tasks(session, 2024)
        assert [t.as_json() for t in new] == [t.as_json() for t in old]
        periods = session.exec(select(Period.code).where(Period.year == 2024)).all()
        obliged = session.exec(select(func.count()).select_from(UnitObligation).where(UnitObligation.year == 2024))
        assert (
            obliged.one()
            == session.exec(select(func.count()).select_from(UnitObligation).where(UnitObligation.year == 2023)).one()
        )
        (entry,) = session.exec(select(AuditLog).where(AuditLog.action == "registry_imported")).all()
    assert len(periods) == 12
    assert '"年份": 2024' in entry.detail


def test_same_content_again_changes_nothing(loaded: str) -> None:
    _import(docx_2023(), "任务分解表.docx")
    with read_session() as session:
        ids = session.exec(select(Task.id).where(Task.year == 2024)).all()
    again = _import(xlsx_2023(), "同一内容.xlsx")  # another file, the same content
    assert not again.changed
    assert again.message() == "2024 年的任务清单与文件内容完全相同，未作任何改动。"
    with read_session() as session:
        assert session.exec(select(Task.id).where(Task.year == 2024)).all() == ids
        assert len(session.exec(select(AuditLog).where(AuditLog.action == "registry_imported")).all()) == 1


def _retext(rows: Rows) -> None:
    task_row(rows, 3)[1] = ["城镇新增就业3000人以上。"]


def test_different_content_replaces_a_year_without_reports(loaded: str) -> None:
    _import(docx_2023(), "任务分解表.docx")
    result = _import(docx_2023(_retext), "修订版.docx")
    assert result.preview.action == importer.REPLACE
    with read_session() as session:
        new = tasks(session, 2024)
        assert len(new) == 125 and new[2].text == "城镇新增就业3000人以上。"
        assert session.exec(select(func.count()).select_from(Category).where(Category.year == 2024)).one() == 10
        assert tasks(session, 2023)[2].text != new[2].text


def test_different_content_is_refused_once_the_year_has_reports(loaded: str) -> None:
    add_submission("区发改委", "2023-03", datetime(2023, 4, 3, 10))
    found = _preview(docx_2023(_retext), "修订版.docx", 2023)
    (problem,) = found.problems
    assert "2023 年已有 1 份月报，不能再用内容不同的任务分解表替换" in problem.message
    with pytest.raises(ImportRefused):
        _import(docx_2023(_retext), "修订版.docx", 2023)
    assert _import(docx_2023(), "原版.docx", 2023).changed is False  # the same content is fine


# --- broken files ---------------------------------------------------------------------


def _no_units(rows: Rows) -> None:
    task_row(rows, 5)[3] = []


def _unknown_unit(rows: Rows) -> None:
    task_row(rows, 110)[3] = ["区法务局"]


def _two_leads(rows: Rows) -> None:
    task_row(rows, 93)[2] = ["▲黄劼", "▲方虹"]


def _typed_out_of_order(rows: Rows) -> None:
    task_row(rows, 40)[0] = ["41"]  # the notice types 序号 from task 37 on


def _no_lead_mark(rows: Rows) -> None:
    task_row(rows, 15)[2] = ["何建中", "方红雨"]


def _row_of(task: int) -> int:
    """The Word table row of task ``task``: the header, then tasks and one row per category."""
    categories = sum(1 for start in (10, 27, 37, 47, 56, 69, 87, 97, 117) if start <= task)
    return 1 + task + categories


@pytest.mark.parametrize(
    ("edit", "task", "field", "message"),
    [
        pytest.param(_no_units, 5, "责任单位", "第5项任务缺少责任单位", id="task-without-units"),
        pytest.param(_unknown_unit, 110, "责任单位", "无法识别的责任单位“区法务局”", id="unknown-unit"),
        pytest.param(_two_leads, 93, "责任领导", "第93项任务有两个牵头领导", id="two-lead-marks"),
        pytest.param(_typed_out_of_order, 40, "序号", "序号应为40，实际印的是41", id="typed-number-out-of-order"),
        pytest.param(_no_lead_mark, 15, "责任领导", "没有用▲标出牵头领导", id="several-leaders-without-mark"),
    ],
)
def test_broken_word_table_is_refused_naming_the_row(
    loaded: str, edit: object, task: int, field: str, message: str
) -> None:
    assert callable(edit)
    data = docx_2023(edit)
    found = _preview(data, "任务分解表.docx")
    (problem,) = found.problems
    row = _row_of(task)
    assert (problem.row, problem.field, problem.place) == (row, field, f"表格第{row}行")
    assert message in problem.message
    assert str(problem).startswith(f"表格第{row}行（第{task}项）{field}栏：")
    _refused_and_nothing_written(data, "任务分解表.docx")


def test_unknown_unit_lists_the_closest_names_and_may_be_created(loaded: str) -> None:
    data = xlsx_2023(_unknown_unit)
    (problem,) = _preview(data, "任务分解表.xlsx").problems
    assert problem.as_json() == {
        "row": problem.row,
        "task": 110,
        "field": "责任单位",
        "value": "区法务局",
        "message": problem.message,
    }
    assert "最接近的已知名称：" in problem.message and "区司法局" in problem.message
    assert "添加为该单位的别名" in problem.message
    assert problem.place.startswith("工作表“任务分解”第")
    result = _import(data, "任务分解表.xlsx", create_units=True)
    assert "新建单位 1 个：区法务局（部门）" in result.message()
    with read_session() as session:
        assert tasks(session, 2024)[109].units == ["区法务局"]


def test_an_alias_added_in_the_app_resolves_the_name(loaded: str) -> None:
    from registry.units_admin import add_alias

    data = docx_2023(_unknown_unit)
    with write_session() as session:
        add_alias(session, actor=SYSTEM, unit="区司法局", alias="区法务局")
    assert _preview(data, "任务分解表.docx").ok
    _import(data, "任务分解表.docx")
    with read_session() as session:
        assert tasks(session, 2024)[109].units == ["区司法局"]


def test_every_problem_is_listed(loaded: str) -> None:
    def many(rows: Rows) -> None:
        for edit in (_no_units, _unknown_unit, _two_leads, _typed_out_of_order, _no_lead_mark):
            edit(rows)

    found = _preview(docx_2023(many), "任务分解表.docx")
    assert sorted({p.task for p in found.problems if p.task}) == [5, 15, 40, 93, 110]


def test_file_without_the_table(loaded: str) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("关于印发重点任务分解方案的通知")
    table = document.add_table(rows=2, cols=4)
    for column, name in enumerate(("序号", "任务", "领导", "单位")):
        table.cell(0, column).text = name
    import io

    out = io.BytesIO()
    document.save(out)
    (problem,) = _preview(out.getvalue(), "通知.docx").problems
    assert "找不到表头为“序号 | 主要任务 | 责任领导 | 责任单位”的表格" in problem.message
    _refused_and_nothing_written(out.getvalue(), "通知.docx")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "任务分解表.docx", "旧版 Word 文件", id="doc-renamed"
        ),
        pytest.param(b"%PDF-1.4\n%scan\n" + b"\0" * 600, "任务分解表.docx", "PDF 文件（可能是扫描件）", id="pdf-docx"),
        pytest.param(b"%PDF-1.7\n" + b"\0" * 600, "任务分解表.xlsx", "PDF 文件", id="pdf-xlsx"),
        pytest.param("<html><body>表</body></html>".encode(), "任务分解表.xlsx", "不是 .xlsx 格式", id="html-renamed"),
        pytest.param(b"PK\x03\x04broken", "任务分解表.docx", "文件已损坏", id="broken-zip"),
    ],
)
def test_files_that_are_not_what_they_say(loaded: str, data: bytes, name: str, message: str) -> None:
    (problem,) = _preview(data, name).problems
    assert message in problem.message
    assert problem.row is None
    _refused_and_nothing_written(data, name)


def test_word_file_named_xlsx_says_so(loaded: str) -> None:
    (problem,) = _preview(docx_2023(), "任务分解表.xlsx").problems
    assert "这是Word 文档，请把扩展名改对" in problem.message


def _refused_and_nothing_written(data: bytes, name: str) -> None:
    with read_session() as session:
        revision = read_revision(session)
        units = session.exec(select(func.count()).select_from(Unit)).one()
    with pytest.raises(ImportRefused) as caught:
        _import(data, name)
    assert caught.value.problems
    with read_session() as session:
        assert session.exec(select(Task.id).where(Task.year == 2024)).first() is None
        assert session.exec(select(Period.id).where(Period.year == 2024)).first() is None
        assert session.exec(select(func.count()).select_from(Unit)).one() == units
        assert read_revision(session) == revision


def test_usage_errors() -> None:
    with pytest.raises(importer.ImportUsageError, match="年份"):
        importer.check_year(1999)
    with pytest.raises(importer.ImportUsageError, match=r"\.doc"):
        importer.check_file_name("任务分解表.doc")


def test_blank_workbook_reads_as_a_table(loaded: str) -> None:
    table = read_xlsx(blank_workbook())
    assert len(table.rows) == 3
    found = _preview(blank_workbook(), "空白任务分解表.xlsx")
    assert found.ok, found.problems
    assert found.counts() == [("主要预期目标", 1), ("（一）抓转型、促升级，让工业脊梁更加挺拔", 1)]
    assert found.tasks[1].units == ("开发区管委会", "区发改委", "区财政局")


def test_new_unit_kinds() -> None:
    kinds = {name: importer.kind_for_new_unit(name).value for name in ("呈坎镇", "区某某集团", "区档案馆", "各村")}
    assert kinds == {"呈坎镇": "乡镇", "区某某集团": "国企", "区档案馆": "部门", "各村": "群组"}


def test_problem_as_text() -> None:
    problem = Problem("第5项任务缺少责任单位", 7, "表格第7行", 5, HEADER[3])
    assert str(problem) == "表格第7行（第5项）责任单位栏：第5项任务缺少责任单位"
