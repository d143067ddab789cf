"""上传月报's online form through AppTest, as a unit: last month's report as the starting point,
a submission that makes a version (with the 无实质内容 warning for an unchanged text), and
refusals shown by task and column."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from accounts.access import SYSTEM
from core import clock
from db.engine import read_session
from db.models import Submission
from intake.ingest import ingest_upload
from tests.monthly_kit import SMALL_UNIT, filled
from ui.upload_view import DRAFT_KEY, FormDraft

ROOT = Path(__file__).resolve().parents[2]
SUBMIT = "form_submit"


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2023, 4, 3, 9))


def _page(login_as) -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at, "unit", unit=SMALL_UNIT)
    at.switch_page("pages/upload.py")
    return _ok(at.run())


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def _frame(at: AppTest, *columns: str):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def _field(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(t for t in at.text_input if t.label == label)


def _february() -> None:
    report = filled(period="2023-02", progress=50, text="召开专题会")
    assert ingest_upload(report, file_name="二月.xlsx", unit=SMALL_UNIT, actor=SYSTEM, period="2023-02").accepted


def test_the_form_starts_from_last_month_and_makes_a_version(loaded, login_as) -> None:
    _february()
    at = _page(login_as)
    assert [t.label for t in at.tabs] == ["上传 Excel 文件", "在线填报"]
    editor = _frame(at, "序号", "完成状态", "完成进度(%)")
    assert list(editor["序号"]) == [53, 69, 75, 78] and editor["完成状态"].isna().all()
    at.checkbox(key="form_prefill").check().run()
    editor = _frame(at, "序号", "完成状态", "完成进度(%)")
    assert list(editor["完成状态"]) == ["序时推进"] * 4 and list(editor["完成进度(%)"]) == [50] * 4
    assert "表中已填入2023-02 报送的内容，请逐项核对修改后提交。" in [c.value for c in at.caption]
    assert _field(at, "填报人").value == "张三"

    at.button(key=SUBMIT).click().run()
    _ok(at)
    assert [s.value for s in at.success] == [f"已接收：{SMALL_UNIT} 2023-03 第 1 版，共 4 项任务。"]
    warnings = _frame(at, "单元格", "问题")
    assert list(warnings["问题"]) == [
        f"第 {no} 项本月工作进展与 2023-02 报送的完全相同，督查室将作为可能的“无实质内容”复核"
        for no in (53, 69, 75, 78)
    ]
    history = _frame(at, "结果", "文件")
    assert list(history["文件"]) == [f"{SMALL_UNIT}_2023-03_在线填报.xlsx"]
    assert list(history["结果"]) == ["通过（当前版本）"]
    with read_session() as session:
        stored = session.exec(select(Submission).where(Submission.version == 1).order_by(Submission.id)).all()
    assert [s.file_name for s in stored][-1] == f"{SMALL_UNIT}_2023-03_在线填报.xlsx"
    # Reopened, the form shows the current version (to correct it), not last month's.
    assert "表中已填入2023-03 当前版本，请逐项核对修改后提交。" in [c.value for c in at.caption]


def test_a_bad_row_and_a_blank_header_are_refused_with_the_message(loaded, login_as) -> None:
    _february()
    at = _page(login_as)
    at.checkbox(key="form_prefill").check().run()
    _field(at, "填报人").set_value("")
    at.button(key=SUBMIT).click().run()
    _ok(at)
    assert at.error[0].value.startswith("未通过校验：共 1 处问题，本次提交未保存任何内容")
    problems = _frame(at, "任务", "栏目", "问题")
    assert problems.to_dict("records") == [{"任务": "表头", "栏目": "填报人", "填写内容": "", "问题": "请填写填报人"}]

    # A row as the clerk left it in the grid: 已完成 at 60, 滞后 without its problems.
    rows = {no: {"status": "序时推进", "progress": 60.0, "progress_text": "推进"} for no in (53, 69, 75, 78)}
    rows[69] = {"status": "已完成", "progress": 60.0, "progress_text": "推进"}
    rows[78] = {"status": "滞后", "progress": 30.0, "progress_text": "推进", "next_steps": "加快"}
    unit_id = at.session_state[DRAFT_KEY].unit_id
    header = {"填报人": "张三", "联系电话": "0559-3512345", "单位主要负责人": "李四"}
    at.session_state[DRAFT_KEY] = FormDraft(unit_id, "2023-03", rows, header, 5)
    at.run()
    assert "以下为上次提交未通过的内容，请按问题修改后重新提交。" in [c.value for c in at.caption]
    at.button(key=SUBMIT).click().run()
    _ok(at)
    assert at.error[0].value.startswith("未通过校验：共 2 处问题")
    problems = _frame(at, "任务", "栏目", "问题")
    assert problems[["任务", "栏目", "问题"]].to_dict("records") == [
        {"任务": "第 69 项", "栏目": "完成进度(%)", "问题": "完成状态为“已完成”时，完成进度应为 100"},
        {"任务": "第 78 项", "栏目": "存在问题", "问题": "完成状态为“滞后”时，请填写存在问题"},
    ]
    with read_session() as session:
        assert session.exec(select(Submission).where(Submission.period_id != None)).all()[-1].file_name == "二月.xlsx"  # noqa: E711


def test_the_template_page_offers_last_months_texts(loaded, login_as) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at, "unit", unit=SMALL_UNIT)
    at.switch_page("pages/template.py")
    _ok(at.run())
    at.checkbox(key="template_prefill").check().run()
    assert "上月没有本单位的报送，模板中未带入内容。" in [c.value for c in at.caption]
    _february()
    _ok(at.run())
    assert "模板中已带入上月报送的 4 项任务的内容，请逐项修改为本月情况。" in [c.value for c in at.caption]
    assert [b.label for b in at.download_button] == [f"下载 {SMALL_UNIT} 2023-03 月报模板"]
