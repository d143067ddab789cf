"""督查督导, 整改, 领导批示 and 督办单 through the services, on the 2023 registry: the loop of a
finding (reply → close, reply → return), overdue items, attachments typed by content, a 督办单
checked with python-docx, and every refusal of a unit acting on another unit's items."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from docx import Document
from sqlmodel import select

from accounts.access import SYSTEM, AccessDenied, Actor
from accounts.audit import entries
from core import clock
from core.vocab import FindingState
from db.engine import read_session, write_session
from db.models import Leader
from db.queries import resolve_unit
from intake.attachments import AttachmentRejected
from office import inspections, instructions, notices
from office.tracking import TrackingError
from tests.factories import add_submission

NOW = datetime(2023, 5, 10, 10, 0)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03" + b"\x00" * 64
LEAD = "区交通运输局"  # lead unit of task 78 (leader 方红雨)


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def unit_actor(name: str) -> Actor:
    with read_session() as session:
        unit = resolve_unit(session, name)
        assert unit is not None
        return Actor(name, "unit", unit_id=unit.id)


def leader_actor(name: str) -> Actor:
    with read_session() as session:
        leader = session.exec(select(Leader).where(Leader.name == name)).one()
        return Actor(name, "leader", leader_id=leader.id)


LEADER = Actor("黄劼", "leader")


def _inspect(findings: list[inspections.NewFinding], **extra: object) -> int:
    with write_session() as session:
        return inspections.record_inspection(
            session,
            SYSTEM,
            inspected_on=date(2023, 5, 8),
            kind="专项",
            year=2023,
            inspectors="王五、赵六",
            summary="实地查看风景道施工现场",
            task_nos=[78],
            units=["区交通局"],
            findings=findings,
            **extra,  # type: ignore[arg-type]
        )


def _finding(due: date = date(2023, 5, 20)) -> inspections.NewFinding:
    return inspections.NewFinding(78, "区交通局", "施工进度慢于计划", "加快施工，5月底前完成路基", due)


def _views(actor: Actor = SYSTEM, **kw: object) -> list[inspections.FindingView]:
    with read_session() as session:
        return inspections.findings(session, actor, **kw)  # type: ignore[arg-type]


def test_a_finding_is_replied_and_closed_and_every_step_audited(loaded) -> None:
    inspection_id = _inspect([_finding()], attachments=[("现场.png", PNG)])
    (view,) = _views()
    assert (view.task_no, view.unit, view.state, view.overdue) == (78, LEAD, FindingState.OPEN, False)
    assert view.as_json() == {
        "id": view.id,
        "inspection_date": "2023-05-08",
        "task": 78,
        "unit": LEAD,
        "text": "施工进度慢于计划",
        "due": "2023-05-20",
        "state": "open",
        "overdue": False,
    }
    with read_session() as session:
        (record,) = inspections.inspections(session, year=2023)
    assert (record.id, record.kind, record.task_nos, record.units, record.findings) == (
        inspection_id,
        "专项",
        [78],
        [LEAD],
        1,
    )
    assert [name for _, name in record.attachments] == ["现场.png"]

    unit = unit_actor(LEAD)
    with write_session() as session:
        inspections.reply_finding(
            session, unit, finding_id=view.id, text="已增派施工队伍，路基完成80%", attachments=[("整改.jpg", JPEG)]
        )
    (view,) = _views(unit)
    assert view.state == FindingState.REPLIED and view.reply.startswith("已增派")
    assert [name for _, name in view.attachments] == ["整改.jpg"]
    with read_session() as session:
        name, mime, content = inspections.attachment(session, unit, view.attachments[0][0])
    assert (name, mime, content) == ("整改.jpg", "image/jpeg", JPEG)

    with pytest.raises(AccessDenied), write_session() as session:
        inspections.close_finding(session, LEADER, finding_id=view.id)
    with pytest.raises(AccessDenied), write_session() as session:
        inspections.close_finding(session, unit, finding_id=view.id)
    with write_session() as session:
        inspections.close_finding(session, SYSTEM, finding_id=view.id)
    (view,) = _views(LEADER)  # leaders read all
    assert view.state == FindingState.CLOSED and view.closed_by == SYSTEM.username
    with pytest.raises(TrackingError, match="销号"), write_session() as session:
        inspections.reply_finding(session, unit, finding_id=view.id, text="再补充")
    with read_session() as session:
        actions = [e.action for e in entries(session)]
    assert {"inspection_recorded", "finding_replied", "finding_closed"} <= set(actions)


def test_a_finding_sent_back_is_open_again_with_the_reason(loaded) -> None:
    _inspect([_finding()])
    (view,) = _views()
    unit = unit_actor(LEAD)
    with pytest.raises(TrackingError, match="尚未反馈"), write_session() as session:
        inspections.close_finding(session, SYSTEM, finding_id=view.id)
    with write_session() as session:
        inspections.reply_finding(session, unit, finding_id=view.id, text="正在推进")
    with pytest.raises(TrackingError, match="退回理由"), write_session() as session:
        inspections.return_finding(session, SYSTEM, finding_id=view.id, reason=" ")
    with write_session() as session:
        inspections.return_finding(session, SYSTEM, finding_id=view.id, reason="未附现场照片")
    (view,) = _views(unit)
    assert (view.state, view.returned_reason) == (FindingState.OPEN, "未附现场照片")


def test_a_unit_cannot_see_or_answer_another_units_finding(loaded) -> None:
    _inspect([_finding()])
    (view,) = _views()
    other = unit_actor("岩寺镇")
    assert _views(other) == []
    with pytest.raises(AccessDenied):
        _views(other, unit_id=view.unit_id)
    with pytest.raises(AccessDenied, match="无权答复区交通运输局"), write_session() as session:
        inspections.reply_finding(session, other, finding_id=view.id, text="代为答复")
    with pytest.raises(AccessDenied), write_session() as session:
        _ = inspections.record_inspection(
            session, other, inspected_on=date(2023, 5, 8), kind="定期", year=2023, task_nos=[78]
        )
    (view,) = _views()
    assert view.state == FindingState.OPEN


def test_an_overdue_finding_is_listed(loaded) -> None:
    _inspect([_finding(date(2023, 5, 9)), _finding(date(2023, 5, 10))])
    overdue = [v.due for v in _views() if v.overdue]
    assert overdue == [date(2023, 5, 9)]  # past its due day; the one due today is not yet
    counts = inspections.counts_by(_views(), "unit")[LEAD]
    assert (counts.total, counts.open, counts.overdue) == (2, 2, 1)


@pytest.mark.parametrize(
    ("name", "data", "accepted"),
    [
        ("现场.jpg", JPEG, True),
        ("现场.png", PNG, True),
        ("报告.pdf", b"%PDF-1.7\n" + b"\x00" * 32, True),
        ("现场.jpg", EXE, False),  # a program renamed .jpg
        ("现场.jpg", b"", False),
        ("报告.pdf", b"<html>not a pdf</html>", False),
    ],
)
def test_attachments_are_typed_by_their_content(loaded, name: str, data: bytes, accepted: bool) -> None:
    if accepted:
        _inspect([], attachments=[(name, data)])
        return
    with pytest.raises(AttachmentRejected, match=name):
        _inspect([], attachments=[(name, data)])
    with read_session() as session:
        assert inspections.inspections(session) == []  # nothing half-written


def test_an_oversized_attachment_is_refused(loaded) -> None:
    big = JPEG + b"\x00" * 10_000_000
    with pytest.raises(AttachmentRejected, match="10 MB"):
        _inspect([], attachments=[("大图.jpg", big)])


def test_an_instruction_is_answered_by_a_responsible_unit_and_closed(loaded) -> None:
    with read_session() as session:
        from sqlmodel import select

        from db.models import Leader

        leader = session.exec(select(Leader).where(Leader.name == "方红雨")).one()
    own = Actor("方红雨", "leader", leader_id=leader.id)
    with pytest.raises(AccessDenied), write_session() as session:
        instructions.record_instruction(
            session, own, year=2023, task_no=78, leader="黄劼", text="抓紧推进", given_on=date(2023, 5, 9)
        )
    with write_session() as session:
        instruction_id = instructions.record_instruction(
            session,
            own,
            year=2023,
            task_no=78,
            leader="方红雨",
            text="抓紧推进，确保年底通车",
            given_on=date(2023, 5, 9),
        )
    unit, other = unit_actor(LEAD), unit_actor("岩寺镇")
    assert [i.id for i in _instr(unit)] == [instruction_id]
    assert _instr(other) == []
    with pytest.raises(AccessDenied), write_session() as session:
        instructions.reply_instruction(
            session, other, instruction_id=instruction_id, unit_id=other.unit_id or 0, text="已落实"
        )
    with pytest.raises(AccessDenied), write_session() as session:
        instructions.reply_instruction(
            session, other, instruction_id=instruction_id, unit_id=unit.unit_id or 0, text="x"
        )
    with pytest.raises(TrackingError), write_session() as session:
        instructions.close_instruction(session, SYSTEM, instruction_id=instruction_id)
    with write_session() as session:
        instructions.reply_instruction(
            session, unit, instruction_id=instruction_id, unit_id=unit.unit_id or 0, text="已召开专题会"
        )
    with pytest.raises(AccessDenied), write_session() as session:
        instructions.close_instruction(session, own, instruction_id=instruction_id)
    with write_session() as session:
        instructions.close_instruction(session, SYSTEM, instruction_id=instruction_id)
    (view,) = _instr(SYSTEM, leader="方红雨")
    assert view.state == FindingState.CLOSED
    assert [(r.unit, r.text) for r in view.replies] == [(LEAD, "已召开专题会")]


def _instr(actor: Actor, **kw: object) -> list[instructions.InstructionView]:
    with read_session() as session:
        return instructions.instructions(session, actor, year=2023, **kw)  # type: ignore[arg-type]


@pytest.fixture
def lagging(loaded: str) -> str:
    """Task 78 滞后 in April 2023 (judged as of NOW: April's deadline has passed)."""
    add_submission(LEAD, "2023-04", datetime(2023, 5, 3, 9), {78: ("滞后", 20.0)})
    return loaded


def test_a_notice_is_numbered_addressed_and_tracked(lagging) -> None:
    with write_session() as session:
        first = notices.issue_notice(session, SYSTEM, year=2023, task_no=78)
        second = notices.issue_notice(session, SYSTEM, year=2023, task_no=78, due_on=date(2023, 5, 12))
    assert (first.number, second.number) == ("督办〔2023〕1号", "督办〔2023〕2号")
    assert first.unit == LEAD and first.due == date(2023, 5, 17)  # the reply_days setting: 7 days
    assert "滞后" in first.problem and "人手不足" in first.problem
    with read_session() as session:
        name, content = notices.notice_document(session, unit_actor(LEAD), notice_id=first.id)
        with pytest.raises(AccessDenied):
            notices.notice_document(session, unit_actor("岩寺镇"), notice_id=first.id)
    assert name == "督办〔2023〕1号（第78项任务）.docx"
    text = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    assert text[0] == "督 办 通 知 单"
    assert "督办〔2023〕1号" in text
    assert f"{LEAD}：" in text
    cells = [c.text for t in Document(io.BytesIO(content)).tables for row in t.rows for c in row.cells]
    assert "2023年5月17日前" in cells

    with read_session() as session:
        late = notices.notices(session, SYSTEM, year=2023, today=date(2023, 5, 13))
    assert [(n.number, n.overdue) for n in late] == [("督办〔2023〕2号", True), ("督办〔2023〕1号", False)]

    with pytest.raises(AccessDenied), write_session() as session:
        notices.reply_notice(session, unit_actor("岩寺镇"), notice_id=first.id, text="已落实")
    with write_session() as session:
        notices.reply_notice(session, unit_actor(LEAD), notice_id=first.id, text="已制定赶工计划")
        notices.close_notice(session, SYSTEM, notice_id=first.id)
    with read_session() as session:
        (mine,) = [n for n in notices.notices(session, unit_actor(LEAD)) if n.id == first.id]
        assert notices.notices(session, unit_actor("岩寺镇")) == []
    assert mine.state == FindingState.CLOSED


def test_a_notice_is_only_for_a_lagging_task(lagging) -> None:
    with pytest.raises(notices.NoticeError, match="不滞后、未亮红灯也不欠进度"), write_session() as session:
        notices.issue_notice(session, SYSTEM, year=2023, task_no=1)
    with pytest.raises(AccessDenied), write_session() as session:
        notices.issue_notice(session, unit_actor(LEAD), year=2023, task_no=78)
    with read_session() as session:
        assert notices.notices(session, SYSTEM) == []
        assert [s.no for s in notices.eligible_tasks(session, year=2023, as_of=NOW)] == [78]


def test_the_bulletin_has_the_findings_section_with_the_overdue(loaded) -> None:
    from office.bulletin import bulletin

    _inspect([_finding(date(2023, 5, 9)), _finding(date(2023, 5, 30))])
    with read_session() as session:
        doc = Document(io.BytesIO(bulletin(session, "2023-04", NOW)))
    text = [p.text for p in doc.paragraphs]
    start = text.index("五、督查发现问题及整改情况")
    assert text[start + 1] == (
        "本年度督查督导共发现问题2个，已整改销号0个，已反馈待核实0个，待整改2个，其中逾期未整改1个。"
    )
    assert "六、下步要求" in text
    overdue = next(t for t in doc.tables if t.rows[0].cells[0].text == "检查日期")
    assert [[c.text for c in row.cells] for row in overdue.rows[1:]] == [
        ["2023-05-08", "78", LEAD, "施工进度慢于计划", "2023-05-09"]
    ]


def test_a_notice_is_also_for_a_task_on_a_red_light(loaded) -> None:
    """序时推进 and within the margin, but its milestone of March was missed: red, so eligible."""
    from core.vocab import Light, TaskStatus
    from tests.factories import add_plan

    add_plan(LEAD, {78: [(date(2023, 3, 31), 45.0), (date(2023, 12, 31), 100.0)]})
    add_submission(LEAD, "2023-04", datetime(2023, 5, 3, 9), {78: ("序时推进", 40.0)})
    with read_session() as session:
        state = next(s for s in notices.eligible_tasks(session, year=2023, as_of=NOW) if s.no == 78)
    assert (state.status, state.light, state.behind) == (TaskStatus.ON_TRACK, Light.RED, False)
    with write_session() as session:
        notice = notices.issue_notice(session, SYSTEM, year=2023, task_no=78)
    assert "红灯" in notice.problem and "应达进度45%（计划）" in notice.problem
