"""督办单 (督办通知单): for a task that is 滞后, red or 欠进度 in the month now judged, the office issues
a numbered Word document (督办〔年〕N号, counted in the year of issue) addressed to the lead unit,
in the bulletin's official layout. The document as issued is kept; its reply is tracked like a
finding's (office/tracking.py)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from sqlmodel import Session, col, func, select

from accounts.access import AccessDenied, Actor, ensure_office, may_read_unit
from accounts.audit import audit
from core import clock
from core.vocab import FindingState, Light, Responsibility, TaskStatus
from cycle.periods import all_periods, judged
from cycle.settings import get_setting
from db.ids import id_of
from db.models import Notice, Period, Task, Unit, UnitObligation
from office.inspections import visible_unit
from office.official_doc import (
    HEADING_FONT,
    ISSUER,
    RED,
    TITLE_FONT,
    add_paragraph,
    add_table,
    add_text,
    chinese_date,
    imprint,
    new_document,
    red_rule,
    saved,
)
from office.tracking import answer, clean_text, close, is_overdue, send_back
from status.engine import TaskState, task_states

TITLE = "督办通知单"
DEFAULT_REQUIREMENT = (
    "请你单位高度重视，会同配合单位认真查找原因，制定切实可行的整改措施，加快推进，"
    "确保按序时完成，并于回复时限前将落实情况书面报区政府督查室。"
)


class NoticeError(ValueError):
    """A 督办单 that cannot be issued or answered as asked; the message is for the user."""


def number_text(year: int, number: int) -> str:
    return f"督办〔{year}〕{number}号"


@dataclass(frozen=True)
class NoticeView:
    id: int
    number: str
    issue_year: int
    task_id: int
    task_no: int
    year: int
    unit_id: int
    unit: str
    problem: str
    requirement: str
    due: date
    issued_by: str
    issued_at: datetime
    state: FindingState
    overdue: bool
    reply: str
    replied_by: str | None
    replied_at: datetime | None
    returned_reason: str
    closed_at: datetime | None

    @property
    def file_name(self) -> str:
        return f"{self.number}（第{self.task_no}项任务）.docx"


@dataclass(frozen=True)
class Basis:
    """Why a task may get a 督办单: its state in the month now judged."""

    task: Task
    period: Period
    state: TaskState

    @property
    def eligible(self) -> bool:
        return needs_notice(self.state)

    def problem(self) -> str:
        status = self.state.status.label + ("、欠进度" if self.state.behind else "")
        progress = "未报送进度" if self.state.progress is None else f"报送进度{self.state.progress:g}%"
        month = f"{self.period.year}年{self.period.month}月"
        expected = f"应达进度{self.state.expected:.0f}%（{self.state.expected_source.label}）"
        text = f"截至{month}，该任务{status}、{self.state.light.label}（{progress}，{expected}）。"
        if self.state.problems:
            text += f"牵头单位报告的存在问题：{self.state.problems}"
        return text


def basis(session: Session, *, year: int, task_no: int, as_of: datetime) -> Basis:
    task = session.exec(select(Task).where(Task.year == year, Task.no == task_no)).first()
    if task is None:
        raise NoticeError(f"{year} 年的任务清单中没有第 {task_no} 项任务")
    period = judged(all_periods(session, year), as_of)
    if period is None:
        raise NoticeError(f"{year} 年还没有已过截止时间的月份，无法判断任务是否滞后")
    state = task_states(session, period, as_of=as_of, tasks=[id_of(task)])[id_of(task)]
    return Basis(task, period, state)


def needs_notice(state: TaskState) -> bool:
    """A task the office may send a 督办单 for: 滞后, on a red light (a milestone missed), or
    欠进度, in the month now judged."""
    return state.status == TaskStatus.LAGGING or state.light == Light.RED or state.behind


def eligible_tasks(session: Session, *, year: int, as_of: datetime) -> list[TaskState]:
    """The tasks the page offers a 督办单 for (``needs_notice``) in the month now judged."""
    period = judged(all_periods(session, year), as_of)
    if period is None:
        return []
    return [s for s in task_states(session, period, as_of=as_of).values() if needs_notice(s)]


def _lead_unit(session: Session, task_id: int) -> Unit:
    """The addressee: the task's first lead unit that reports (for a group lead, its first member)."""
    unit_id = session.exec(
        select(UnitObligation.unit_id)
        .where(UnitObligation.task_id == task_id, UnitObligation.role == Responsibility.LEAD)
        .order_by(col(UnitObligation.position))
    ).first()
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None:
        raise NoticeError("这项任务没有可以接收督办单的牵头单位（群组尚未指定成员）：请先在“单位管理”中指定")
    return unit


def render(
    *, number: str, unit: str, task: Task, problem: str, requirement: str, due_on: date, issued_on: date
) -> bytes:
    doc = new_document()
    head = add_paragraph(doc, indent=False)
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.paragraph_format.line_spacing = Pt(60)
    add_text(head, " ".join(TITLE), font=TITLE_FONT, size=36, color=RED)
    shown = add_paragraph(doc, number, indent=False)
    shown.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issuer = add_paragraph(doc, indent=False)
    add_text(issuer, f"{ISSUER}\u3000\u3000\u3000\u3000\u3000\u3000{chinese_date(issued_on)}")
    red_rule(issuer)
    add_paragraph(doc, indent=False)
    add_paragraph(doc, f"{unit}：", indent=False)
    add_paragraph(
        doc,
        f"你单位牵头的{task.year}年《政府工作报告》重点任务第{task.no}项推进滞后。"
        "根据重点任务督查工作安排，现予督办，请认真落实。",
    )
    add_table(
        doc,
        ["事项", "内容"],
        [
            ["督办任务", f"第{task.no}项：{task.text}"],
            ["存在问题", problem],
            ["督办要求", requirement],
            ["回复时限", f"{chinese_date(due_on)}前"],
        ],
        [3.0, 13.0],
    )
    add_paragraph(doc, "一、落实情况", font=HEADING_FONT)
    add_paragraph(doc, "请在本系统“督查督导”页填报落实情况，并将加盖公章的书面材料报区政府督查室。")
    add_paragraph(doc, indent=False)
    for text in (ISSUER, chinese_date(issued_on)):
        closing = add_paragraph(doc, text, indent=False)
        closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_paragraph(doc, indent=False)
    imprint(doc, issued_on)
    return saved(doc)


def issue_notice(
    session: Session,
    actor: Actor,
    *,
    year: int,
    task_no: int,
    problem: str | None = None,
    requirement: str | None = None,
    due_on: date | None = None,
) -> NoticeView:
    """Issue the next 督办单 of this year for a task that ``needs_notice`` (refused otherwise)."""
    ensure_office(actor)
    now = clock.now()
    found = basis(session, year=year, task_no=task_no, as_of=now)
    if not found.eligible:
        raise NoticeError(
            f"第 {task_no} 项任务在{found.period.year}年{found.period.month}月的完成状态为"
            f"{found.state.status.label}（{found.state.light.label}），"
            "不滞后、未亮红灯也不欠进度：督办单只对滞后、红灯或欠进度的任务印发"
        )
    unit = _lead_unit(session, id_of(found.task))
    problem_text = clean_text(problem or found.problem(), "存在问题")
    requirement_text = clean_text(requirement or DEFAULT_REQUIREMENT, "督办要求")
    due = due_on or now.date() + timedelta(days=get_setting(session, "notice_reply_days"))
    if due < now.date():
        raise NoticeError(f"回复时限 {due.isoformat()} 已经过去，请另选日期")
    issue_year = now.year
    last = session.exec(select(func.max(Notice.number)).where(Notice.issue_year == issue_year)).one()
    number = (last or 0) + 1
    content = render(
        number=number_text(issue_year, number),
        unit=unit.name,
        task=found.task,
        problem=problem_text,
        requirement=requirement_text,
        due_on=due,
        issued_on=now.date(),
    )
    row = Notice(
        issue_year=issue_year,
        number=number,
        task_id=id_of(found.task),
        unit_id=id_of(unit),
        problem=problem_text,
        requirement=requirement_text,
        due_on=due,
        issued_by=actor.username,
        issued_at=now,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor.username,
        "notice_issued",
        {"文号": number_text(issue_year, number), "任务": task_no, "单位": unit.name, "回复时限": due.isoformat()},
    )
    return _view(row, found.task, unit.name, now.date())


def _view(row: Notice, task: Task, unit: str, today: date) -> NoticeView:
    return NoticeView(
        id_of(row),
        number_text(row.issue_year, row.number),
        row.issue_year,
        row.task_id,
        task.no,
        task.year,
        row.unit_id,
        unit,
        row.problem,
        row.requirement,
        row.due_on,
        row.issued_by,
        row.issued_at,
        FindingState.of(row.state),
        is_overdue(row.state, row.due_on, today),
        row.reply,
        row.replied_by,
        row.replied_at,
        row.returned_reason,
        row.closed_at,
    )


def _notice(session: Session, notice_id: int) -> tuple[Notice, Task, Unit]:
    row = session.get(Notice, notice_id)
    if row is None:
        raise NoticeError("没有这份督办单，请刷新页面")
    task, unit = session.get(Task, row.task_id), session.get(Unit, row.unit_id)
    assert task is not None and unit is not None
    return row, task, unit


def notice_document(session: Session, actor: Actor, *, notice_id: int) -> tuple[str, bytes]:
    """The document as issued: (file name, content)."""
    row, task, unit = _notice(session, notice_id)
    if not may_read_unit(actor, row.unit_id):
        raise AccessDenied("当前账号无权查看其他单位的督办单")
    return _view(row, task, unit.name, clock.now().date()).file_name, row.content


def reply_notice(session: Session, actor: Actor, *, notice_id: int, text: str) -> None:
    row, _, unit = _notice(session, notice_id)
    value = answer(row, actor, text, unit_name=unit.name, what="落实情况")
    session.add(row)
    detail = {"文号": number_text(row.issue_year, row.number), "单位": unit.name, "落实情况": value}
    audit(session, actor.username, "notice_replied", detail)


def close_notice(session: Session, actor: Actor, *, notice_id: int) -> None:
    row, _, unit = _notice(session, notice_id)
    close(row, actor)
    session.add(row)
    audit(
        session, actor.username, "notice_closed", {"文号": number_text(row.issue_year, row.number), "单位": unit.name}
    )


def return_notice(session: Session, actor: Actor, *, notice_id: int, reason: str) -> None:
    row, _, unit = _notice(session, notice_id)
    value = send_back(row, actor, reason)
    session.add(row)
    detail = {"文号": number_text(row.issue_year, row.number), "单位": unit.name, "理由": value}
    audit(session, actor.username, "notice_returned", detail)


def notices(
    session: Session,
    actor: Actor,
    *,
    year: int | None = None,
    unit_id: int | None = None,
    task_id: int | None = None,
    today: date | None = None,
) -> list[NoticeView]:
    """督办单 the actor may see (a unit: its own), newest first; ``year`` is the task's year."""
    unit_id = visible_unit(actor, unit_id, "督办单")
    today = today or clock.now().date()
    query = (
        select(Notice, Task, Unit).join(Task, col(Task.id) == Notice.task_id).join(Unit, col(Unit.id) == Notice.unit_id)
    )
    if year is not None:
        query = query.where(Task.year == year)
    if unit_id is not None:
        query = query.where(Notice.unit_id == unit_id)
    if task_id is not None:
        query = query.where(Notice.task_id == task_id)
    rows = session.exec(query.order_by(col(Notice.issued_at).desc(), col(Notice.id).desc())).all()
    return [_view(row, task, unit.name, today) for row, task, unit in rows]
