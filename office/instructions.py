"""领导批示: a leader's instruction on a task, recorded by the leader or by the office on the
leader's behalf; each responsible unit answers (落实情况), the office closes it (办结)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from accounts.access import AccessDenied, Actor, ensure_may_answer, ensure_may_instruct, ensure_office
from accounts.audit import audit
from core import clock
from core.vocab import FindingState
from db.ids import id_of
from db.models import Instruction, InstructionReply, Leader, Task, Unit, UnitObligation
from office.inspections import visible_unit
from office.tracking import TrackingError, clean_text


class InstructionError(ValueError):
    """An instruction that cannot be recorded or answered as given; the message is for the user."""


@dataclass(frozen=True)
class ReplyView:
    unit_id: int
    unit: str
    text: str
    replied_by: str
    replied_at: datetime


@dataclass(frozen=True)
class InstructionView:
    id: int
    task_id: int
    task_no: int
    year: int
    leader: str
    text: str
    given_on: date
    state: FindingState
    recorded_by: str
    recorded_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    unit_ids: list[int]  # the units that answer it: those obliged on the task
    replies: list[ReplyView] = field(default_factory=list)


def responsible_units(session: Session, task_id: int) -> list[int]:
    """The units that report on the task (a group stands for its members), in listed order."""
    return list(
        session.exec(
            select(UnitObligation.unit_id)
            .where(UnitObligation.task_id == task_id)
            .order_by(col(UnitObligation.position))
        )
    )


def record_instruction(
    session: Session, actor: Actor, *, year: int, task_no: int, leader: str, text: str, given_on: date
) -> int:
    leader_row = session.exec(select(Leader).where(Leader.name == str(leader).strip())).first()
    if leader_row is None:
        raise InstructionError(f"没有名为“{leader}”的责任领导")
    ensure_may_instruct(actor, id_of(leader_row))
    task = session.exec(select(Task).where(Task.year == year, Task.no == task_no)).first()
    if task is None:
        raise InstructionError(f"{year} 年的任务清单中没有第 {task_no} 项任务")
    value = clean_text(text, "批示内容")
    row = Instruction(
        task_id=id_of(task),
        leader_id=id_of(leader_row),
        text=value,
        given_on=given_on,
        recorded_by=actor.username,
        recorded_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor.username,
        "instruction_recorded",
        {"任务": task_no, "领导": leader_row.name, "日期": given_on.isoformat(), "批示": value},
    )
    return id_of(row)


def _instruction(session: Session, instruction_id: int) -> tuple[Instruction, Task]:
    row = session.get(Instruction, instruction_id)
    if row is None:
        raise InstructionError("没有这条领导批示，请刷新页面")
    task = session.get(Task, row.task_id)
    assert task is not None
    return row, task


def reply_instruction(session: Session, actor: Actor, *, instruction_id: int, unit_id: int, text: str) -> None:
    """A responsible unit's 落实情况; a second answer of the same unit replaces its first."""
    row, task = _instruction(session, instruction_id)
    unit = session.get(Unit, unit_id)
    name = unit.name if unit else ""
    ensure_may_answer(actor, unit_id, name)
    if unit_id not in responsible_units(session, id_of(task)):
        raise AccessDenied(f"{name or '该单位'}不是第 {task.no} 项任务的责任单位，不能答复这条批示")
    if row.state == FindingState.CLOSED:
        raise TrackingError(f"这条批示已于 {clock.fmt(row.closed_at)} 办结，无需再反馈")
    value = clean_text(text, "落实情况")
    session.merge(
        InstructionReply(
            instruction_id=instruction_id,
            unit_id=unit_id,
            text=value,
            replied_by=actor.username,
            replied_at=clock.now(),
        )
    )
    row.state = FindingState.REPLIED.value
    session.add(row)
    audit(
        session,
        actor.username,
        "instruction_replied",
        {"批示": instruction_id, "任务": task.no, "单位": name, "落实情况": value},
    )


def close_instruction(session: Session, actor: Actor, *, instruction_id: int) -> None:
    ensure_office(actor)
    row, task = _instruction(session, instruction_id)
    if row.state == FindingState.CLOSED:
        raise TrackingError(f"这条批示已于 {clock.fmt(row.closed_at)} 办结")
    if row.state != FindingState.REPLIED:
        raise TrackingError("责任单位尚未反馈落实情况，不能办结")
    row.state, row.closed_by, row.closed_at = FindingState.CLOSED.value, actor.username, clock.now()
    session.add(row)
    audit(session, actor.username, "instruction_closed", {"批示": instruction_id, "任务": task.no})


def instructions(
    session: Session,
    actor: Actor,
    *,
    year: int | None = None,
    task_id: int | None = None,
    leader: str | None = None,
    unit_id: int | None = None,
) -> list[InstructionView]:
    """Instructions the actor may see (a unit: those on its own tasks), newest first."""
    unit_id = visible_unit(actor, unit_id, "领导批示")
    query = (
        select(Instruction, Task, Leader)
        .join(Task, col(Task.id) == Instruction.task_id)
        .join(Leader, col(Leader.id) == Instruction.leader_id)
    )
    if year is not None:
        query = query.where(Task.year == year)
    if task_id is not None:
        query = query.where(Instruction.task_id == task_id)
    if leader is not None:
        query = query.where(Leader.name == leader)
    if unit_id is not None:
        mine = select(UnitObligation.task_id).where(UnitObligation.unit_id == unit_id)
        query = query.where(col(Instruction.task_id).in_(mine))
    rows = session.exec(query.order_by(col(Instruction.given_on).desc(), col(Instruction.id).desc())).all()
    ids = [id_of(r) for r, _, _ in rows]
    replies: dict[int, list[ReplyView]] = {}
    if ids:
        for reply, name in session.exec(
            select(InstructionReply, Unit.name)
            .join(Unit, col(Unit.id) == InstructionReply.unit_id)
            .where(col(InstructionReply.instruction_id).in_(ids))
            .order_by(col(InstructionReply.replied_at))
        ):
            replies.setdefault(reply.instruction_id, []).append(
                ReplyView(reply.unit_id, name, reply.text, reply.replied_by, reply.replied_at)
            )
    return [
        InstructionView(
            id_of(r),
            r.task_id,
            task.no,
            task.year,
            leader_row.name,
            r.text,
            r.given_on,
            FindingState.of(r.state),
            r.recorded_by,
            r.recorded_at,
            r.closed_by,
            r.closed_at,
            responsible_units(session, r.task_id),
            replies.get(id_of(r), []),
        )
        for r, task, leader_row in rows
    ]
