"""The tables. Datetimes are naive Beijing time (Asia/Shanghai has no DST)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import CheckConstraint, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.vocab import (
    FindingState,
    InspectionKind,
    LeaderRole,
    PlanState,
    Responsibility,
    ReviewState,
    TaskStatus,
    UnitKind,
    UserRole,
)

# Transitional: status.dashboards still reads the leader roles from here.


def _in(column: str, values: Iterable[str]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


# --- registry -------------------------------------------------------------


class Category(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("year", "seq"), UniqueConstraint("year", "name"))
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    seq: int
    name: str
    short: str


class Leader(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)


class Unit(SQLModel, table=True):
    __table_args__ = (CheckConstraint(_in("kind", UnitKind.values()), name="unit_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str
    note: str = ""


class UnitAlias(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    alias: str = Field(unique=True)
    unit_id: int = Field(foreign_key="unit.id", index=True, ondelete="CASCADE")


class GroupMember(SQLModel, table=True):
    """A member of a group in one year: units and groups carry across years, a group's members
    are kept per year, so editing them for one year leaves the others as they were."""

    __table_args__ = (CheckConstraint("group_id <> member_id", name="group_not_self"),)
    group_id: int = Field(foreign_key="unit.id", primary_key=True, ondelete="CASCADE")
    member_id: int = Field(foreign_key="unit.id", primary_key=True, ondelete="CASCADE")
    year: int = Field(primary_key=True)


class Task(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("year", "no"),)
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    no: int
    category_id: int = Field(foreign_key="category.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))


class TaskLeader(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("role", LeaderRole.values()), name="task_leader_role"),
        UniqueConstraint("task_id", "position"),
    )
    task_id: int = Field(foreign_key="task.id", primary_key=True, ondelete="CASCADE")
    leader_id: int = Field(foreign_key="leader.id", primary_key=True, index=True)
    role: str
    position: int


class TaskUnit(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("role", Responsibility.values()), name="task_unit_role"),
        UniqueConstraint("task_id", "position"),
    )
    task_id: int = Field(foreign_key="task.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)
    role: str
    position: int


class UnitObligation(SQLModel, table=True):
    """Who must report on what, one row per (task, unit): the expansion of a task's listed units
    (a group stands for its members). Derived data, rewritten by ``registry.obligations.refresh``
    in the same transaction as any change to the tasks, units or groups it comes from."""

    __tablename__ = "unit_obligation"
    __table_args__ = (
        CheckConstraint(_in("role", Responsibility.values()), name="unit_obligation_role"),
        Index("ix_unit_obligation_year_unit", "year", "unit_id"),
        # Covers the status engine's look-up of each report row's obligation (does this unit
        # speak for the task, in which position; is it a co-unit): no second read of the table.
        Index("ix_unit_obligation_task_unit_speaks", "task_id", "unit_id", "speaks", "role", "position"),
    )
    task_id: int = Field(foreign_key="task.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, ondelete="CASCADE")
    year: int
    role: str
    speaks: bool  # this unit's report gives the task's status
    position: int  # order among the task's obliged units, as listed


# --- settings and periods ---------------------------------------------------


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


class Period(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="period_month"),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)  # YYYY-MM
    year: int = Field(index=True)
    month: int
    due_at: NaiveDatetime
    due_note: str = ""  # e.g. the calendar fallback used for the due date
    closed: bool = False


# --- submissions ------------------------------------------------------------


class Submission(SQLModel, table=True):
    """One accepted upload: a version of a unit's report for a period."""

    __table_args__ = (UniqueConstraint("unit_id", "period_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    version: int
    received_at: NaiveDatetime = Field(index=True)
    uploaded_by: str
    on_behalf: bool = False  # ingested by the office for the unit (document platform)
    is_demo: bool = Field(default=False, index=True)
    file_name: str
    size: int
    sha256: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    filler: str = ""
    phone: str = ""
    head: str = ""


class SubmissionRow(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("submission_id", "task_id"),
        CheckConstraint(_in("status", TaskStatus.reportable()), name="row_status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="row_progress"),
    )
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True, ondelete="CASCADE")
    task_id: int = Field(foreign_key="task.id", index=True)
    role: str
    status: str
    progress: float
    progress_text: str = Field(sa_column=Column(Text, nullable=False))
    problems: str = Field(default="", sa_column=Column(Text, nullable=False))
    next_steps: str = Field(default="", sa_column=Column(Text, nullable=False))
    remarks: str = Field(default="", sa_column=Column(Text, nullable=False))


class RejectedAttempt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    period_id: int | None = Field(default=None, foreign_key="period.id", index=True)
    attempted_at: NaiveDatetime
    uploaded_by: str
    on_behalf: bool = False
    file_name: str
    size: int
    sha256: str
    error_count: int
    errors_json: str = Field(sa_column=Column(Text, nullable=False))


# --- review (复核) ------------------------------------------------------------


class Review(SQLModel, table=True):
    """The office's review of one accepted version: 通过, or 退回 with a reason (for the whole
    report or for the rows in ``review_row``). The latest review of a report's current version
    gives its review state (``status/review.py``); a newer version is reviewed afresh."""

    __table_args__ = (CheckConstraint(_in("decision", ReviewState.decisions()), name="review_decision"),)
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True, ondelete="CASCADE")
    decision: str
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    reviewed_by: str
    reviewed_at: NaiveDatetime = Field(index=True)


class ReviewRow(SQLModel, table=True):
    """A task row a review names: returned for correction, recorded as 报送失实, or both."""

    __tablename__ = "review_row"
    __table_args__ = (CheckConstraint("returned OR misreported", name="review_row_named"),)
    review_id: int = Field(foreign_key="review.id", primary_key=True, ondelete="CASCADE")
    task_id: int = Field(foreign_key="task.id", primary_key=True, index=True)
    returned: bool = False
    misreported: bool = False


# --- plans (年度节点计划) --------------------------------------------------------


class TaskPlan(SQLModel, table=True):
    """One version of a lead unit's plan for a year: uploaded as a workbook or edited on the page."""

    __tablename__ = "task_plan"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "version"),
        CheckConstraint(_in("state", PlanState.stored()), name="task_plan_state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    year: int
    version: int
    state: str  # a stored PlanState
    received_at: NaiveDatetime
    submitted_by: str
    on_behalf: bool = False  # entered by the office for the unit
    source: str  # "upload" or "form"
    file_name: str = ""
    size: int = 0
    sha256: str = ""
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))  # None: from the page
    decided_by: str | None = None
    decided_at: NaiveDatetime | None = None
    return_reason: str = Field(default="", sa_column=Column(Text, nullable=False))


class PlanMilestone(SQLModel, table=True):
    """A milestone (节点) of one task in one plan version."""

    __tablename__ = "plan_milestone"
    __table_args__ = (CheckConstraint("target BETWEEN 0 AND 100", name="plan_milestone_target"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="task_plan.id", index=True, ondelete="CASCADE")
    task_id: int = Field(foreign_key="task.id", index=True)
    seq: int  # order within the task
    due: date
    target: float  # planned cumulative progress, 0–100
    text: str = Field(sa_column=Column(Text, nullable=False))
    multi_year: bool = False  # the task runs past the year: its last target need not reach 100


# --- closing a task (办结销号) --------------------------------------------------


class TaskClosure(SQLModel, table=True):
    """The office's confirmation that a task is finished (办结), from the month after
    ``closed_on`` on; reopened (撤销办结) when ``reopened_at`` is set. Every closure is kept, so
    the rows of a task are its history; at most one of them is open."""

    __tablename__ = "task_closure"
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True, ondelete="CASCADE")
    period_id: int = Field(foreign_key="period.id")  # the month of closed_on: the last one still reported
    closed_on: date
    note: str = Field(sa_column=Column(Text, nullable=False))
    closed_by: str
    closed_at: NaiveDatetime
    reopened_by: str | None = None
    reopened_at: NaiveDatetime | None = None
    reopen_reason: str = Field(default="", sa_column=Column(Text, nullable=False))


# --- office workbench --------------------------------------------------------


class Exemption(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    reason: str
    granted_by: str
    granted_at: NaiveDatetime
    revoked_by: str | None = None
    revoked_at: NaiveDatetime | None = None


class PaperCopy(SQLModel, table=True):
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    period_id: int = Field(foreign_key="period.id", primary_key=True)
    received_on: date
    recorded_by: str
    recorded_at: NaiveDatetime


class Appeal(SQLModel, table=True):
    """An appeal (申诉) against one deduction, identified by its kind, period and task."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    year: int
    deduction_key: str
    reason: str
    filed_by: str
    filed_at: NaiveDatetime
    decision: str | None = None  # an AppealDecision
    decided_by: str | None = None
    decided_at: NaiveDatetime | None = None
    decision_note: str = ""


# --- inspections, findings, leaders' instructions, 督办单 ----------------------


class Inspection(SQLModel, table=True):
    """督查督导: one inspection visit, recorded by the office."""

    __table_args__ = (CheckConstraint(_in("kind", InspectionKind.values()), name="inspection_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    inspected_on: date = Field(index=True)
    kind: str
    inspectors: str = ""
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    source: str = ""  # the findings workbook it was imported from, if any
    recorded_by: str
    recorded_at: NaiveDatetime


class InspectionTask(SQLModel, table=True):
    __tablename__ = "inspection_task"
    inspection_id: int = Field(foreign_key="inspection.id", primary_key=True, ondelete="CASCADE")
    task_id: int = Field(foreign_key="task.id", primary_key=True, index=True)


class InspectionUnit(SQLModel, table=True):
    __tablename__ = "inspection_unit"
    inspection_id: int = Field(foreign_key="inspection.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


class Finding(SQLModel, table=True):
    """问题: what an inspection found, the 整改要求, the responsible unit and its due date; the
    unit's 整改情况 and the office's 销号 or return."""

    __table_args__ = (CheckConstraint(_in("state", FindingState.values()), name="finding_state"),)
    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True, ondelete="CASCADE")
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    requirement: str = Field(sa_column=Column(Text, nullable=False))
    due_on: date
    state: str = FindingState.OPEN.value
    reply: str = Field(default="", sa_column=Column(Text, nullable=False))
    replied_by: str | None = None
    replied_at: NaiveDatetime | None = None
    returned_reason: str = ""
    closed_by: str | None = None
    closed_at: NaiveDatetime | None = None
    created_by: str
    created_at: NaiveDatetime


class Attachment(SQLModel, table=True):
    """A photo or PDF kept with its sha256, like an original upload: of an inspection, or of a
    unit's 整改情况 on a finding."""

    __table_args__ = (CheckConstraint("(inspection_id IS NULL) <> (finding_id IS NULL)", name="attachment_one_owner"),)
    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id", index=True, ondelete="CASCADE")
    finding_id: int | None = Field(default=None, foreign_key="finding.id", index=True, ondelete="CASCADE")
    file_name: str
    mime: str
    size: int
    sha256: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str
    uploaded_at: NaiveDatetime


class Instruction(SQLModel, table=True):
    """领导批示 on a task; the responsible units answer (落实情况), the office closes it."""

    __table_args__ = (CheckConstraint(_in("state", FindingState.values()), name="instruction_state"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    leader_id: int = Field(foreign_key="leader.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    given_on: date
    state: str = FindingState.OPEN.value
    recorded_by: str
    recorded_at: NaiveDatetime
    closed_by: str | None = None
    closed_at: NaiveDatetime | None = None


class InstructionReply(SQLModel, table=True):
    """One responsible unit's 落实情况 on an instruction (its latest answer)."""

    __tablename__ = "instruction_reply"
    instruction_id: int = Field(foreign_key="instruction.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    replied_by: str
    replied_at: NaiveDatetime


class Notice(SQLModel, table=True):
    """督办单 (督办通知单): numbered 督办〔year〕N号 in the year it is issued, addressed to the
    task's lead unit; the document as issued is kept. Its reply is tracked like a finding's."""

    __table_args__ = (
        UniqueConstraint("issue_year", "number"),
        CheckConstraint(_in("state", FindingState.values()), name="notice_state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    issue_year: int
    number: int
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    problem: str = Field(sa_column=Column(Text, nullable=False))
    requirement: str = Field(sa_column=Column(Text, nullable=False))
    due_on: date
    issued_by: str
    issued_at: NaiveDatetime
    sha256: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    state: str = FindingState.OPEN.value
    reply: str = Field(default="", sa_column=Column(Text, nullable=False))
    replied_by: str | None = None
    replied_at: NaiveDatetime | None = None
    returned_reason: str = ""
    closed_by: str | None = None
    closed_at: NaiveDatetime | None = None


class IssuedBulletin(SQLModel, table=True):
    """A 督查通报 as issued (签发): its number among the year's issued bulletins, the office's
    own additions, and the very document, so downloading it again gives the same file."""

    __tablename__ = "issued_bulletin"
    __table_args__ = (UniqueConstraint("year", "number"), CheckConstraint("number >= 1", name="bulletin_number"))
    id: int | None = Field(default=None, primary_key=True)
    year: int
    number: int
    period_id: int = Field(foreign_key="period.id", unique=True)  # one issued bulletin a month
    as_of: NaiveDatetime  # the moment its figures are as of
    issued_at: NaiveDatetime
    issued_by: str
    remarks: str = Field(default="", sa_column=Column(Text, nullable=False))  # 总体评价、工作要求
    praise: str = Field(default="", sa_column=Column(Text, nullable=False))  # 表扬
    criticism: str = Field(default="", sa_column=Column(Text, nullable=False))  # 批评
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str


# --- accounts ---------------------------------------------------------------


class User(SQLModel, table=True):
    __table_args__ = (CheckConstraint(_in("role", UserRole.accounts()), name="user_role"),)
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True)
    # core.text.name_key(username): look-alike names (ADMIN1, ａｄｍｉｎ１, admin1) share it
    username_key: str = Field(unique=True, index=True)
    password_hash: str
    role: str
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    leader_id: int | None = Field(default=None, foreign_key="leader.id")
    must_change_password: bool = False
    # The account lock of old, no longer read or written (failed sign-ins: LoginThrottle).
    failed_logins: int = 0
    locked_until: NaiveDatetime | None = None
    active: bool = True
    created_at: NaiveDatetime
    last_login_at: NaiveDatetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Recent failed sign-ins counted under one key: ``account:<name key>`` (known or not),
    ``client:<address>`` or ``pair:<name key>|<address>`` (accounts/throttle.py)."""

    __tablename__ = "login_throttle"
    key: str = Field(primary_key=True)
    failures: int = 0
    last_failure_at: NaiveDatetime = Field(index=True)
    blocked_until: NaiveDatetime | None = None
    audited_at: NaiveDatetime | None = None
    unaudited: int = 0  # attempts since audited_at that have no audit row of their own


class AuthSession(SQLModel, table=True):
    """A signed-in browser: the sha256 of its cookie's random id (never the id itself), whose
    account, and when it ends (``expires_at`` absolutely, or idle since ``last_seen_at``)."""

    __tablename__ = "auth_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: NaiveDatetime
    last_seen_at: NaiveDatetime
    expires_at: NaiveDatetime
    client_address: str = ""
    user_agent: str = ""


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: NaiveDatetime = Field(index=True)
    username: str = Field(index=True)
    action: str = Field(index=True)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))


# --- the data revision -------------------------------------------------------


class DataRevision(SQLModel, table=True):
    """One row; ``n`` goes up by one with every committed write (``db.engine.write_session``),
    and the pages key what they cache by it."""

    __tablename__ = "data_revision"
    __table_args__ = (CheckConstraint("id = 1", name="data_revision_one_row"),)
    id: int = Field(default=1, primary_key=True)
    n: int = 0
