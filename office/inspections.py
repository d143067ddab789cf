"""督查督导: inspections the office records, with their attachments and findings (问题), and the
rectification (整改) of each finding: the unit reports what it did, the office closes (销号) it
or sends it back. Access is checked here, not only in the pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from accounts.access import SYSTEM, AccessDenied, Actor, ensure_office, may_read_unit
from accounts.audit import audit
from core import clock
from core.vocab import FindingState, InspectionKind, UnitKind, UserRole
from db.ids import id_of
from db.models import Attachment, Finding, Inspection, InspectionTask, InspectionUnit, Task, Unit
from db.queries import resolve_unit
from intake.attachments import check_attachment
from intake.findings_sheet import FindingRow, read_findings
from intake.limits import MAX_TEXT_CHARS
from office.tracking import answer, clean_text, close, is_overdue, send_back

MAX_INSPECTORS_CHARS = 200


class InspectionError(ValueError):
    """An inspection or finding that cannot be recorded as given; the message is for the user."""


@dataclass(frozen=True)
class FindingView:
    id: int
    inspection_id: int
    inspection_date: date
    inspection_kind: str
    task_id: int
    task_no: int
    year: int
    unit_id: int
    unit: str
    text: str
    requirement: str
    due: date
    state: FindingState
    overdue: bool
    reply: str
    replied_by: str | None
    replied_at: datetime | None
    returned_reason: str
    closed_by: str | None
    closed_at: datetime | None
    attachments: list[tuple[int, str]] = field(default_factory=list)  # the reply's: (id, file name)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "inspection_date": self.inspection_date.isoformat(),
            "task": self.task_no,
            "unit": self.unit,
            "text": self.text,
            "due": self.due.isoformat(),
            "state": self.state.code,
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class InspectionView:
    id: int
    inspected_on: date
    kind: str
    inspectors: str
    summary: str
    source: str
    recorded_by: str
    recorded_at: datetime
    task_nos: list[int]
    units: list[str]
    attachments: list[tuple[int, str]]
    findings: int


@dataclass(frozen=True)
class NewFinding:
    task_no: int
    unit: str  # name or alias
    text: str
    requirement: str
    due_on: date


# --- recording ------------------------------------------------------------------------


def _task(session: Session, year: int, no: int) -> Task:
    task = session.exec(select(Task).where(Task.year == year, Task.no == no)).first()
    if task is None:
        raise InspectionError(f"{year} 年的任务清单中没有第 {no} 项任务")
    return task


def _unit(session: Session, name_or_id: str | int) -> Unit:
    unit = session.get(Unit, name_or_id) if isinstance(name_or_id, int) else resolve_unit(session, name_or_id)
    if unit is None:
        raise InspectionError(f"不认识的单位“{name_or_id}”：请填写单位全称或简称")
    if unit.kind == UnitKind.GROUP:
        raise InspectionError(f"“{unit.name}”是群组：请选择具体的责任单位")
    return unit


def _attach(
    session: Session,
    actor: Actor,
    files: Iterable[tuple[str, bytes]],
    *,
    inspection_id: int | None = None,
    finding_id: int | None = None,
) -> list[str]:
    names = []
    for name, data in files:
        checked = check_attachment(name, data)
        session.add(
            Attachment(
                inspection_id=inspection_id,
                finding_id=finding_id,
                file_name=checked.file_name,
                mime=checked.mime,
                size=checked.size,
                sha256=checked.sha256,
                content=checked.content,
                uploaded_by=actor.username,
                uploaded_at=clock.now(),
            )
        )
        names.append(checked.file_name)
    return names


def _new_finding(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    task: Task,
    unit: Unit,
    text: str,
    requirement: str,
    due_on: date,
) -> Finding:
    if due_on < inspection.inspected_on:
        raise InspectionError(f"整改时限 {due_on.isoformat()} 早于检查日期 {inspection.inspected_on.isoformat()}")
    finding = Finding(
        inspection_id=id_of(inspection),
        task_id=id_of(task),
        unit_id=id_of(unit),
        text=clean_text(text, "发现问题"),
        requirement=clean_text(requirement, "整改要求"),
        due_on=due_on,
        created_by=actor.username,
        created_at=clock.now(),
    )
    session.add(finding)
    return finding


def record_inspection(
    session: Session,
    actor: Actor,
    *,
    inspected_on: date,
    kind: str,
    year: int,
    inspectors: str = "",
    summary: str = "",
    task_nos: Sequence[int] = (),
    units: Sequence[str | int] = (),
    attachments: Sequence[tuple[str, bytes]] = (),
    findings: Sequence[NewFinding] = (),
) -> int:
    """Record one inspection with its attachments and findings (all or nothing); its id."""
    ensure_office(actor)
    kind_term = InspectionKind.of(kind)
    inspectors = str(inspectors or "").strip()
    if len(inspectors) > MAX_INSPECTORS_CHARS:
        raise InspectionError(f"督查人员不能超过 {MAX_INSPECTORS_CHARS} 字")
    summary = str(summary or "").strip()
    if len(summary) > MAX_TEXT_CHARS:
        raise InspectionError(f"督查情况不能超过 {MAX_TEXT_CHARS} 字（现有 {len(summary)} 字）")
    tasks = {no: _task(session, year, no) for no in dict.fromkeys([*task_nos, *(f.task_no for f in findings)])}
    covered = {id_of(u): u for u in (_unit(session, u) for u in units)}
    finding_units = [_unit(session, f.unit) for f in findings]
    covered.update({id_of(u): u for u in finding_units})
    inspection = Inspection(
        inspected_on=inspected_on,
        kind=kind_term.value,
        inspectors=inspectors,
        summary=summary,
        recorded_by=actor.username,
        recorded_at=clock.now(),
    )
    session.add(inspection)
    session.flush()
    inspection_id = id_of(inspection)
    session.add_all(InspectionTask(inspection_id=inspection_id, task_id=id_of(t)) for t in tasks.values())
    session.add_all(InspectionUnit(inspection_id=inspection_id, unit_id=unit_id) for unit_id in covered)
    files = _attach(session, actor, attachments, inspection_id=inspection_id)
    for new, unit in zip(findings, finding_units, strict=True):
        _new_finding(session, actor, inspection, tasks[new.task_no], unit, new.text, new.requirement, new.due_on)
    audit(
        session,
        actor.username,
        "inspection_recorded",
        {
            "检查日期": inspected_on.isoformat(),
            "类型": kind_term.label,
            "任务": "、".join(str(no) for no in tasks) or "无",
            "单位": "、".join(u.name for u in covered.values()) or "无",
            "附件": "、".join(files) or "无",
            "问题": len(findings),
        },
    )
    return inspection_id


def add_finding(
    session: Session,
    actor: Actor,
    *,
    inspection_id: int,
    task_no: int,
    unit: str | int,
    text: str,
    requirement: str,
    due_on: date,
) -> int:
    """A further finding of a recorded inspection (the task must be of the inspection's year)."""
    ensure_office(actor)
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise InspectionError("没有这次督查记录，请刷新页面")
    task = _task(session, inspection.inspected_on.year, task_no)
    unit_row = _unit(session, unit)
    finding = _new_finding(session, actor, inspection, task, unit_row, text, requirement, due_on)
    for link in (
        InspectionTask(inspection_id=inspection_id, task_id=id_of(task)),
        InspectionUnit(inspection_id=inspection_id, unit_id=id_of(unit_row)),
    ):
        session.merge(link)
    session.flush()
    audit(
        session,
        actor.username,
        "inspection_recorded",
        {"检查日期": inspection.inspected_on.isoformat(), "新增问题": f"第{task_no}项 {unit_row.name}"},
    )
    return id_of(finding)


@dataclass(frozen=True)
class ImportResult:
    findings: int
    inspections: list[tuple[date, int]]  # (检查日期, inspection id), one per date

    def message(self) -> str:
        days = "、".join(day.isoformat() for day, _ in self.inspections)
        return f"已导入 {self.findings} 个问题，记为 {len(self.inspections)} 次督查（检查日期 {days}）"


def import_findings(session: Session, actor: Actor, *, data: bytes, file_name: str) -> ImportResult:
    """A findings workbook, all or nothing (``FindingsRefused`` with every problem). The findings
    of one 检查日期 become one inspection of kind 不定期, covering their tasks and units."""
    ensure_office(actor)
    rows = read_findings(session, data)
    by_day: dict[date, list[FindingRow]] = {}
    for row in rows:
        by_day.setdefault(row.inspected_on, []).append(row)
    made = []
    for day, day_rows in sorted(by_day.items()):
        inspection = Inspection(
            inspected_on=day,
            kind=InspectionKind.IRREGULAR.value,
            summary=f"由督查问题清单《{file_name}》导入",
            source=file_name,
            recorded_by=actor.username,
            recorded_at=clock.now(),
        )
        session.add(inspection)
        session.flush()
        inspection_id = id_of(inspection)
        session.add_all(
            InspectionTask(inspection_id=inspection_id, task_id=t) for t in dict.fromkeys(r.task_id for r in day_rows)
        )
        session.add_all(
            InspectionUnit(inspection_id=inspection_id, unit_id=u) for u in dict.fromkeys(r.unit_id for r in day_rows)
        )
        session.add_all(
            Finding(
                inspection_id=inspection_id,
                task_id=r.task_id,
                unit_id=r.unit_id,
                text=r.text,
                requirement=r.requirement,
                due_on=r.due_on,
                created_by=actor.username,
                created_at=clock.now(),
            )
            for r in day_rows
        )
        made.append((day, inspection_id))
    session.flush()
    result = ImportResult(len(rows), made)
    audit(session, actor.username, "findings_imported", {"文件": file_name, "结果": result.message()})
    return result


# --- rectification ------------------------------------------------------------------------


def _finding(session: Session, finding_id: int) -> tuple[Finding, Unit, Task]:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise InspectionError("没有这个督查问题，请刷新页面")
    unit, task = session.get(Unit, finding.unit_id), session.get(Task, finding.task_id)
    assert unit is not None and task is not None
    return finding, unit, task


def _detail(unit: Unit, task: Task, finding: Finding) -> dict[str, object]:
    return {"问题": finding.id, "任务": task.no, "单位": unit.name}


def reply_finding(
    session: Session, actor: Actor, *, finding_id: int, text: str, attachments: Sequence[tuple[str, bytes]] = ()
) -> None:
    """The responsible unit's 整改情况 (text and attachments)."""
    finding, unit, task = _finding(session, finding_id)
    value = answer(finding, actor, text, unit_name=unit.name, what="整改情况")
    session.add(finding)
    files = _attach(session, actor, attachments, finding_id=finding_id)
    detail = {**_detail(unit, task, finding), "整改情况": value, "附件": "、".join(files) or "无"}
    audit(session, actor.username, "finding_replied", detail)


def close_finding(session: Session, actor: Actor, *, finding_id: int) -> None:
    finding, unit, task = _finding(session, finding_id)
    close(finding, actor)
    session.add(finding)
    audit(session, actor.username, "finding_closed", _detail(unit, task, finding))


def return_finding(session: Session, actor: Actor, *, finding_id: int, reason: str) -> None:
    finding, unit, task = _finding(session, finding_id)
    value = send_back(finding, actor, reason)
    session.add(finding)
    audit(session, actor.username, "finding_returned", {**_detail(unit, task, finding), "理由": value})


# --- reading ------------------------------------------------------------------------------


def reads_all(actor: Actor) -> bool:
    """The office and the leaders see every unit's items; a unit sees its own."""
    return actor.is_office or actor.role == UserRole.LEADER


def visible_unit(actor: Actor, unit_id: int | None, what: str) -> int | None:
    """Whose ``what`` (督查问题, 督办单 …) a list for ``actor`` holds: ``unit_id`` as asked (None:
    every unit's) for the office and leaders; a unit account its own only, refused another's."""
    if reads_all(actor):
        return unit_id
    if unit_id is not None and unit_id != actor.unit_id:
        raise AccessDenied(f"当前账号只能查看本单位的{what}")
    return actor.unit_id if actor.unit_id is not None else -1


def findings(
    session: Session,
    actor: Actor,
    *,
    year: int | None = None,
    unit_id: int | None = None,
    task_id: int | None = None,
    today: date | None = None,
) -> list[FindingView]:
    """Findings the actor may see (a unit: its own only), newest inspection first."""
    unit_id = visible_unit(actor, unit_id, "督查问题")
    today = today or clock.now().date()
    query = (
        select(Finding, Inspection, Task, Unit)
        .join(Inspection, col(Inspection.id) == Finding.inspection_id)
        .join(Task, col(Task.id) == Finding.task_id)
        .join(Unit, col(Unit.id) == Finding.unit_id)
    )
    if year is not None:
        query = query.where(Task.year == year)
    if unit_id is not None:
        query = query.where(Finding.unit_id == unit_id)
    if task_id is not None:
        query = query.where(Finding.task_id == task_id)
    rows = session.exec(query.order_by(col(Inspection.inspected_on).desc(), col(Finding.id))).all()
    files: dict[int, list[tuple[int, str]]] = {}
    ids = [id_of(f) for f, *_ in rows]
    if ids:
        for a_id, f_id, name in session.exec(
            select(col(Attachment.id), col(Attachment.finding_id), col(Attachment.file_name))
            .where(col(Attachment.finding_id).in_(ids))
            .order_by(col(Attachment.id))
        ):
            files.setdefault(f_id or 0, []).append((a_id or 0, name))
    return [
        FindingView(
            id_of(f),
            id_of(i),
            i.inspected_on,
            i.kind,
            f.task_id,
            task.no,
            task.year,
            f.unit_id,
            unit.name,
            f.text,
            f.requirement,
            f.due_on,
            FindingState.of(f.state),
            is_overdue(f.state, f.due_on, today),
            f.reply,
            f.replied_by,
            f.replied_at,
            f.returned_reason,
            f.closed_by,
            f.closed_at,
            files.get(id_of(f), []),
        )
        for f, i, task, unit in rows
    ]


def inspections(session: Session, *, year: int | None = None) -> list[InspectionView]:
    """Every inspection (of ``year``'s dates), newest first; anyone may read the record."""
    query = select(Inspection)
    if year is not None:
        query = query.where(
            col(Inspection.inspected_on) >= date(year, 1, 1), col(Inspection.inspected_on) <= date(year, 12, 31)
        )
    rows = list(session.exec(query.order_by(col(Inspection.inspected_on).desc(), col(Inspection.id).desc())))
    ids = [id_of(r) for r in rows]
    tasks: dict[int, list[int]] = {}
    units: dict[int, list[str]] = {}
    files: dict[int, list[tuple[int, str]]] = {}
    counts: Counter[int] = Counter()
    if ids:
        for i_id, no in session.exec(
            select(InspectionTask.inspection_id, Task.no)
            .join(Task, col(Task.id) == InspectionTask.task_id)
            .where(col(InspectionTask.inspection_id).in_(ids))
            .order_by(col(Task.no))
        ):
            tasks.setdefault(i_id, []).append(no)
        for i_id, name in session.exec(
            select(InspectionUnit.inspection_id, Unit.name)
            .join(Unit, col(Unit.id) == InspectionUnit.unit_id)
            .where(col(InspectionUnit.inspection_id).in_(ids))
            .order_by(col(Unit.id))
        ):
            units.setdefault(i_id, []).append(name)
        for a_id, owner, name in session.exec(
            select(col(Attachment.id), col(Attachment.inspection_id), col(Attachment.file_name))
            .where(col(Attachment.inspection_id).in_(ids))
            .order_by(col(Attachment.id))
        ):
            files.setdefault(owner or 0, []).append((a_id or 0, name))
        counts.update(session.exec(select(Finding.inspection_id).where(col(Finding.inspection_id).in_(ids))))
    return [
        InspectionView(
            id_of(r),
            r.inspected_on,
            r.kind,
            r.inspectors,
            r.summary,
            r.source,
            r.recorded_by,
            r.recorded_at,
            tasks.get(id_of(r), []),
            units.get(id_of(r), []),
            files.get(id_of(r), []),
            counts[id_of(r)],
        )
        for r in rows
    ]


def attachment(session: Session, actor: Actor, attachment_id: int) -> tuple[str, str, bytes]:
    """(file name, type, content) of an attachment the actor may see."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise InspectionError("没有这个附件，请刷新页面")
    if row.finding_id is not None:
        finding = session.get(Finding, row.finding_id)
        if finding is None or not may_read_unit(actor, finding.unit_id):
            raise AccessDenied("当前账号无权查看其他单位的整改材料")
    return row.file_name, row.mime, row.content


@dataclass(frozen=True)
class Counts:
    total: int = 0
    open: int = 0
    replied: int = 0
    closed: int = 0
    overdue: int = 0


def count(views: Iterable[FindingView]) -> Counts:
    listed = list(views)
    states = Counter(v.state for v in listed)
    return Counts(
        len(listed),
        states[FindingState.OPEN],
        states[FindingState.REPLIED],
        states[FindingState.CLOSED],
        sum(v.overdue for v in listed),
    )


def counts_by(views: Iterable[FindingView], key: str) -> dict[object, Counts]:
    """Counts per ``unit`` or per ``task_no``, in first-seen order."""
    groups: dict[object, list[FindingView]] = {}
    for view in views:
        groups.setdefault(getattr(view, key), []).append(view)
    return {name: count(group) for name, group in groups.items()}


# --- the bulletin's section 督查发现问题及整改情况 ---------------------------------------------


@dataclass(frozen=True)
class FindingsSummary:
    counts: Counts
    overdue: list[FindingView]


def findings_summary(session: Session, *, year: int, as_of: datetime) -> FindingsSummary:
    """The year's findings from inspections up to ``as_of``, counted by state, and the overdue."""
    views = [v for v in findings(session, SYSTEM, year=year, today=as_of.date()) if v.inspection_date <= as_of.date()]
    return FindingsSummary(count(views), sorted((v for v in views if v.overdue), key=lambda v: (v.due, v.task_no)))
