"""节点计划 through AppTest: a unit uploads and edits its plan, the office confirms and returns,
co-units and leaders read."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from accounts.access import SYSTEM
from core import clock
from db.engine import read_session, write_session
from db.models import TaskPlan
from db.queries import resolve_unit
from intake.plans import ingest_plan
from office.plans import return_plan
from tests.monthly_kit import XLSX_MIME
from tests.plan_kit import GOOD, PLAN_UNIT, plan_filled

ROOT = Path(__file__).resolve().parents[2]


def _page(login_as, role: str = "unit", unit: str = PLAN_UNIT) -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at, role, unit=unit)
    at.query_params["year"] = "2023"
    at.switch_page("pages/plans.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, content: bytes, name: str = "计划.xlsx") -> AppTest:
    at.file_uploader(key="plan_file").set_value((name, content, XLSX_MIME)).run()
    at.button(key="plan_upload").click().run()
    assert not at.exception, at.exception
    return at


def _plans() -> list[tuple[int, str, str]]:
    with read_session() as session:
        return [(p.version, p.state, p.source) for p in session.exec(select(TaskPlan).order_by(TaskPlan.version))]


def test_before_the_deadline_a_missing_plan_is_not_overdue(loaded, login_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(clock, "now", lambda: datetime(2023, 2, 28, 18))
    at = _page(login_as)
    assert [w.value for w in at.warning] == ["尚未报送本年度节点计划。报送截止：2023年2月28日。"]


def test_unit_uploads_sees_problems_then_its_version(loaded, login_as) -> None:  # type: ignore[no-untyped-def]
    at = _page(login_as)
    assert [w.value for w in at.warning] == ["尚未报送本年度节点计划。报送截止：2023年2月28日，已逾期，请尽快报送。"]
    assert "下载 区城管局 2023 年度节点计划模板" in [b.label for b in at.download_button]
    _upload(at, plan_filled({**GOOD, 85: [(date(2023, 12, 31), "通过验收", 80)]}))
    assert at.error[0].value.startswith("未通过校验：共 1 处问题")
    problems = at.dataframe[0].value
    assert list(problems["单元格"]) == ["E9"] and "应为 100" in problems["问题"][0]
    assert "下载标注副本（问题单元格已标红并附批注）" in [b.label for b in at.download_button]
    assert _plans() == []
    _upload(at, plan_filled())
    assert [s.value for s in at.success] == ["已报送：区城管局 2023 年度节点计划第 1 版，共 4 个节点，待督查室确认。"]
    assert at.info[0].value.startswith("第 1 版已于") and at.info[0].value.endswith("报送，待督查室确认。")
    assert _plans() == [(1, "submitted", "upload")]


def test_unit_edits_on_the_page(loaded, login_as) -> None:  # type: ignore[no-untyped-def]
    at = _page(login_as)
    (editor,) = [d for d in at.dataframe if "no" in d.value.columns]  # the page's editor
    assert list(editor.value["no"]) == [84] * 4 + [85] * 4
    at.button(key="plan_form_submit").click().run()
    assert not at.exception, at.exception
    problems = at.dataframe[0].value
    assert list(problems["位置"]) == ["第 1 行 完成时限", "第 5 行 完成时限"]
    assert _plans() == []


def test_office_confirms_and_returns(loaded, login_as) -> None:  # type: ignore[no-untyped-def]
    ingest_plan(plan_filled(), file_name="v1.xlsx", unit=PLAN_UNIT, actor=SYSTEM, on_behalf=True)
    at = _page(login_as, "admin")
    assert "待确认" in [m.label for m in at.metric]
    chase = [c.value for c in at.code]
    assert chase and chase[0].startswith(
        "2023年度节点计划报送截止时间为2023年2月28日，以下 37 个单位尚未报送或计划被退回"
    )
    at.number_input[0].set_value(3)
    next(b for b in at.button if b.label == "保存截止月份").click().run()
    assert [s.value for s in at.success] == ["节点计划报送截止已改为每年 3 月底"]
    assert at.code[0].value.startswith("2023年度节点计划报送截止时间为2023年3月31日")
    at.selectbox(key="plan_review_unit").set_value(at.selectbox(key="plan_review_unit").options[0])
    assert at.selectbox(key="plan_review_unit").value is not None
    at.button(key="plan_return").click().run()
    assert [e.value for e in at.error] == ["请填写退回原因，告诉单位需要怎样修改"]
    at.text_input(key="plan_return_reason").input("节点过粗").run()
    at.button(key="plan_return").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已退回：区城管局 第 1 版"]
    assert _plans() == [(1, "returned", "upload")]
    ingest_plan(
        plan_filled({**GOOD, 85: [(date(2023, 9, 30), "初验", 90), (date(2023, 12, 31), "验收", 100)]}),
        file_name="v2.xlsx",
        unit=PLAN_UNIT,
        actor=SYSTEM,
        on_behalf=True,
    )
    at.run()
    assert "第 2 版与上一版本相比的变化（2 处）" in [e.label for e in at.expander]
    at.button(key="plan_confirm").click().run()
    assert [s.value for s in at.success] == ["已确认：区城管局 第 2 版"]
    assert _plans() == [(1, "returned", "upload"), (2, "confirmed", "upload")]


def test_unit_sees_return_reason_and_co_tasks(loaded, login_as) -> None:  # type: ignore[no-untyped-def]
    ingest_plan(plan_filled(), file_name="v1.xlsx", unit=PLAN_UNIT, actor=SYSTEM, on_behalf=True)
    with write_session() as session:
        unit = resolve_unit(session, PLAN_UNIT)
        assert unit is not None and unit.id is not None
        return_plan(session, unit_id=unit.id, year=2023, reason="请细化到季度", actor=SYSTEM)
    at = _page(login_as)
    assert [e.value for e in at.error] == [
        "第 1 版已被督查室退回：请细化到季度。请修改后重新报送（报送截止：2023年2月28日，已逾期，请尽快报送）。"
    ]
    co = at.dataframe[-1].value
    assert {70, 77, 79} <= set(co["序号"]) and not {84, 85} & set(co["序号"])
    assert set(co["计划状态"]) == {"未报送"}


def test_leader_reads_only(loaded, login_as) -> None:  # type: ignore[no-untyped-def]
    ingest_plan(plan_filled(), file_name="v1.xlsx", unit=PLAN_UNIT, actor=SYSTEM, on_behalf=True)
    at = _page(login_as, "leader")
    at.toggle(key="plan_own").set_value(False).run()
    plans = at.dataframe[0].value
    assert len(plans) == 125
    assert list(plans[plans["序号"] == 84]["计划状态"]) == ["待确认"]
    assert not at.file_uploader and not [b for b in at.button if b.key and b.key.startswith("plan_")]
