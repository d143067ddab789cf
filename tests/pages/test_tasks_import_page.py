"""任务导入 through AppTest: the office uploads a breakdown, sees the preview and the problems,
imports it; other roles cannot open the page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from db.engine import read_session
from db.queries import tasks
from tests.registry.breakdown_files import Rows, docx_2023, task_row

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "tasks_import.py")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Login = Callable[..., object]


def _page(login_as: Login, role: str = "admin") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    login_as(at, role)
    at.run()
    assert not at.exception, at.exception
    return at


def _unknown(rows: Rows) -> None:
    task_row(rows, 110)[3] = ["区法务局"]


def test_office_previews_and_imports_a_new_year(loaded: str, login_as: Login) -> None:
    at = _page(login_as)
    assert [h.value for h in at.header] == ["任务导入"]
    assert at.number_input(key="import_year").value == 2024
    assert at.get("download_button")
    at.file_uploader(key="import_file").set_value(("任务分解表.docx", docx_2023(_unknown), DOCX_MIME)).run()
    assert not at.exception, at.exception
    problems = at.dataframe[2].value.to_dict("records")
    assert [(p["序号"], p["栏目"], p["内容"]) for p in problems] == [(110, "责任单位", "区法务局")]
    assert problems[0]["位置"].startswith("表格第")
    assert at.button(key="import_submit").disabled
    counts = at.dataframe[0].value.to_dict("records")
    assert counts[0] == {"分类": "主要预期目标", "任务数": 9}

    at.checkbox(key="import_create_units").check().run()
    assert "将新建单位：区法务局（部门）" in [i.value for i in at.info]
    at.button(key="import_submit").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("已导入 2024 年任务 125 项（10 个分类）。新建单位 1 个")
    with read_session() as session:
        assert len(tasks(session, 2024)) == 125


def test_the_same_content_needs_no_import(loaded: str, login_as: Login) -> None:
    at = _page(login_as)
    at.number_input(key="import_year").set_value(2023).run()
    at.file_uploader(key="import_file").set_value(("任务分解表.docx", docx_2023(), DOCX_MIME)).run()
    assert not at.exception, at.exception
    assert "2023 年的任务清单与文件内容完全相同，无需导入。" in [s.value for s in at.success]


def test_other_roles_cannot_open_it(loaded: str, login_as: Login) -> None:
    at = _page(login_as, "unit")
    assert [e.value for e in at.error] == ["无权访问：当前账号不能查看此页面。"]
