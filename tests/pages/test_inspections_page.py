"""督查督导 through AppTest: a unit answers its own finding, the office verifies and closes it,
another unit sees nothing of it, a leader reads without forms; 任务详情 and 按领导 show the
task's findings and the leader's instructions; the office issues a 督办单 from the page."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from streamlit.testing.v1 import AppTest

from accounts.access import SYSTEM
from core import clock
from core.vocab import FindingState
from db.engine import read_session, write_session
from office import inspections, instructions, notices
from tests.conftest import ROOT
from tests.factories import add_submission

NOW = datetime(2023, 5, 10, 10, 0)
LEAD = "区交通运输局"


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def finding(loaded: str) -> int:
    add_submission(LEAD, "2023-04", datetime(2023, 5, 3, 9), {78: ("滞后", 20.0)})
    with write_session() as session:
        inspections.record_inspection(
            session,
            SYSTEM,
            inspected_on=date(2023, 5, 8),
            kind="暗访",
            year=2023,
            findings=[inspections.NewFinding(78, LEAD, "现场无人施工", "立即复工", date(2023, 5, 9))],
        )
        instructions.record_instruction(
            session, SYSTEM, year=2023, task_no=78, leader="方红雨", text="务必年底通车", given_on=date(2023, 5, 9)
        )
    with read_session() as session:
        (view,) = inspections.findings(session, SYSTEM)
    return view.id


def _page(login_as, name: str = "inspections.py", role: str = "admin", **kw: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at, role, **kw)
    at.query_params["year"] = "2023"
    at.switch_page(f"pages/{name}")
    return _ok(at.run())


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _state(finding_id: int) -> FindingState:
    with read_session() as session:
        return next(v.state for v in inspections.findings(session, SYSTEM) if v.id == finding_id)


def _frames(at: AppTest, column: str) -> list:
    return [d.value for d in at.dataframe if column in d.value.columns]


def test_a_unit_replies_and_the_office_closes(finding, login_as) -> None:
    at = _page(login_as, role="unit", unit=LEAD)
    (own,) = [f for f in _frames(at, "发现问题")]
    assert list(own["状态"]) == ["待整改（逾期）"]
    at.text_area(key="finding_reply_text").input("已复工，增派两个班组")
    at.button(key="FormSubmitter:finding_reply-提交整改情况").click()
    at = _ok(at.run())
    assert _state(finding) == FindingState.REPLIED
    assert "待督查室核实" in at.success[0].value

    other = _page(login_as, role="unit", unit="岩寺镇")
    assert all(frame.empty for frame in _frames(other, "发现问题")) and not other.dataframe
    assert not [f for f in other.selectbox if f.key == "reply_pick"]

    office = _page(login_as)
    assert office.selectbox(key="finding_verify_pick").value.id == finding
    office.button(key="finding_verify_close").click()
    office = _ok(office.run())
    assert _state(finding) == FindingState.CLOSED
    assert "已销号" in office.success[0].value


def test_a_leader_reads_everything_and_has_no_office_forms(finding, login_as) -> None:
    at = _page(login_as, role="leader", leader="方红雨")
    assert any(list(frame["发现问题"]) == ["现场无人施工"] for frame in _frames(at, "发现问题"))
    keys = {widget.key for widget in [*at.button, *at.selectbox]}
    assert not keys & {"finding_verify_close", "instr_close", "notice_verify_close", "notice_task"}
    assert "FormSubmitter:instruction_record-登记批示" in keys  # their own instructions


def test_task_detail_and_by_leader_show_the_loop(finding, login_as) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at)
    at.query_params.update({"year": "2023", "period": "2023-04", "task": "78"})
    at.switch_page("pages/task_detail.py")
    at = _ok(at.run())
    (found,) = _frames(at, "发现问题")
    assert list(found["状态"]) == ["待整改（逾期）"]
    (given,) = _frames(at, "批示内容")
    assert list(given["领导"]) == ["方红雨"]

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at, "leader", leader="方红雨")
    at.query_params.update({"year": "2023", "period": "2023-04"})
    at.switch_page("pages/by_leader.py")
    at = _ok(at.run())
    (given,) = _frames(at, "批示内容")
    assert list(given["批示内容"]) == ["务必年底通车"]


def test_the_office_issues_a_notice_from_the_page(finding, login_as) -> None:
    at = _page(login_as)
    assert at.selectbox(key="notice_task").value == 78
    at.button(key="FormSubmitter:notice_issue-印发督办单").click()
    at = _ok(at.run())
    with read_session() as session:
        (issued,) = notices.notices(session, SYSTEM)
    assert issued.number == "督办〔2023〕1号" and issued.unit == LEAD
    assert any(list(frame["文号"]) == ["督办〔2023〕1号"] for frame in _frames(at, "文号"))


def test_the_office_records_an_inspection_and_a_finding_with_the_forms(loaded, login_as) -> None:
    at = _page(login_as)
    at.text_input(key="insp_people").input("王五")
    at.selectbox(key="insp_kind").select("专项")
    at.multiselect(key="insp_tasks").select(78)
    at.button(key="FormSubmitter:inspection_record-登记督查").click()
    at = _ok(at.run())
    with read_session() as session:
        (record,) = inspections.inspections(session)
    assert (record.kind, record.inspectors, record.task_nos) == ("专项", "王五", [78])

    def add(requirement: str) -> AppTest:
        at.selectbox(key="finding_task").select(78)
        at.selectbox(key="finding_unit").select(LEAD)
        at.date_input(key="finding_due").set_value(date(2023, 5, 31))
        at.text_area(key="finding_text").input("资料不全")
        at.text_area(key="finding_requirement").input(requirement)
        at.button(key="FormSubmitter:finding_add-添加问题").click()
        return at.run()

    at = add("")
    assert [e.value for e in at.error] == ["请填写整改要求"]
    with read_session() as session:
        assert inspections.findings(session, SYSTEM) == []
    at = _ok(add("补齐台账"))
    with read_session() as session:
        (view,) = inspections.findings(session, SYSTEM)
    assert (view.task_no, view.unit, view.due, view.requirement) == (78, LEAD, date(2023, 5, 31), "补齐台账")
