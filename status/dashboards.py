"""Where the tasks stand: the figures behind the leader dashboards, aggregated in SQL.

A task's status for a period is what its lead unit said in its current (highest-version)
submission for that period; without such a report it is 未报送, never counted as on track.
When a group is the lead unit, every member reports as lead and the task shows the least
advanced of their reports; when the lead is a group without members, the first unit listed
after it speaks for the task (the rule of ``status.engine``). 序时进度 is the
share of the year elapsed; a reported task is 欠进度 when its progress falls short of it by more
than the ``lag_margin`` setting, unless it is 已完成.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import ColumnElement, Select, Subquery, and_, case, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from core import clock
from core.vocab import (
    LATENESS_LABELS,
    NOT_REPORTED,
    ROLE_CO_UNIT,
    ROLE_LEAD_UNIT,
    STATUS_ORDER,
    TASK_STATUSES,
)
from cycle.periods import all_periods, get_period
from cycle.settings import get_setting
from db.models import (
    LEADER_ROLES,
    Category,
    Exemption,
    GroupMember,
    Leader,
    Period,
    Setting,
    Submission,
    SubmissionRow,
    Task,
    TaskLeader,
    TaskUnit,
    Unit,
)
from registry.obligations import unit_obligations
from status.lateness import Lateness, active_exemptions, first_submissions, judge
from status.rates import Rate, rate_of

COMPLETED, ON_TRACK, LAGGING, NOT_STARTED = TASK_STATUSES
# Least advanced first: the order in which a group's lead reports are combined.
SEVERITY = (LAGGING, NOT_STARTED, ON_TRACK, COMPLETED)
LEAD_LEADER = LEADER_ROLES[0]  # 牵头
LEAD_LEADER_MARK = "▲"

_RANK = case({status: rank for rank, status in enumerate(SEVERITY)}, value=SubmissionRow.status)


def expected_progress(month: int) -> float:
    """序时进度 of month ``month``: the share of the year elapsed, in percent."""
    return month / 12 * 100


def is_behind_schedule(status: str, progress: float | None, month: int, margin: float) -> bool:
    """欠进度: reported progress below 序时进度 by more than ``margin`` points, unless 已完成."""
    if status in (COMPLETED, NOT_REPORTED) or progress is None:
        return False
    return progress < expected_progress(month) - margin


def _status_of(rank: int | None) -> str:
    return NOT_REPORTED if rank is None else SEVERITY[rank]


# --- building blocks ----------------------------------------------------------


def _current_submissions(*conditions: ColumnElement[bool]) -> Subquery:
    """The current (highest-version) submission of each unit and period matching ``conditions``."""
    latest = (
        select(Submission.unit_id, Submission.period_id, func.max(Submission.version).label("version"))
        .where(*conditions)
        .group_by(Submission.unit_id, Submission.period_id)
        .subquery()
    )
    return (
        select(Submission.id, Submission.unit_id, Submission.period_id)
        .join(
            latest,
            and_(
                Submission.unit_id == latest.c.unit_id,
                Submission.period_id == latest.c.period_id,
                Submission.version == latest.c.version,
            ),
        )
        .subquery()
    )


def fallback_leads(session: Session, year: int) -> list[tuple[int, int]]:
    """(task id, unit id) for tasks whose lead is a group without members: the first unit
    obliged after it (a listed unit, or the first member of a listed group) speaks for the task."""
    empty_leads = (
        select(TaskUnit.task_id)
        .join(Unit, Unit.id == TaskUnit.unit_id)
        .join(Task, Task.id == TaskUnit.task_id)
        .where(
            Task.year == year,
            TaskUnit.role == ROLE_LEAD_UNIT,
            Unit.kind == "群组",
            ~select(GroupMember.member_id).where(GroupMember.group_id == Unit.id).exists(),
        )
    )
    entries = session.exec(
        select(TaskUnit.task_id, TaskUnit.unit_id, Unit.kind)
        .join(Unit, Unit.id == TaskUnit.unit_id)
        .where(TaskUnit.task_id.in_(empty_leads))  # type: ignore[attr-defined]
        .order_by(TaskUnit.task_id, TaskUnit.position)
    ).all()
    if not entries:
        return []
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, member_id in session.exec(select(GroupMember.group_id, GroupMember.member_id)):
        members[group_id].append(member_id)
    pairs: dict[int, int] = {}
    for task_id, unit_id, kind in entries:
        candidates = members[unit_id] if kind == "群组" else [unit_id]
        if candidates and task_id not in pairs:
            pairs[task_id] = candidates[0]
    return sorted(pairs.items())


def _is_lead(current: Subquery, fallback: list[tuple[int, int]]) -> ColumnElement[bool]:
    """Whether a row of a current submission speaks for its task."""
    lead = SubmissionRow.role == ROLE_LEAD_UNIT
    if not fallback:
        return lead
    return or_(lead, *(and_(SubmissionRow.task_id == t, current.c.unit_id == u) for t, u in fallback))


Tasks = Select | list[int]  # task ids, as a query or a list


def _join_rows(query: Select, current: Subquery, tasks: Tasks | None) -> Select:
    """Join the rows of the ``current`` submissions, only those of ``tasks`` if given.

    With a restriction the join goes through ``submission_id + 0``: otherwise SQLite probes the
    (submission, task) index once for every pair of submission and task, which is slow with
    many of both, instead of starting from the rows of the chosen tasks."""
    if tasks is None:
        return query.join(current, current.c.id == SubmissionRow.submission_id)
    return query.join(current, current.c.id == SubmissionRow.submission_id + 0).where(
        SubmissionRow.task_id.in_(tasks)  # type: ignore[attr-defined]
    )


def _lead_reports(
    session: Session,
    year: int,
    *conditions: ColumnElement[bool],
    tasks: Tasks | None = None,
    details: bool = False,
) -> Subquery:
    """Per task and period, in one pass over the rows of the current submissions matching
    ``conditions`` (only those of ``tasks`` if given): the least advanced lead report (``rank``
    in SEVERITY) and its ``progress``; with ``details`` also a lead ``text`` and, per status,
    how many co-units reported it (``co0`` … ``co3``)."""
    current = _current_submissions(*conditions)
    lead = _is_lead(current, fallback_leads(session, year))
    columns = [
        SubmissionRow.task_id,
        current.c.period_id,
        func.min(case((lead, _RANK))).label("rank"),
        func.min(case((lead, SubmissionRow.progress))).label("progress"),
    ]
    if details:
        columns.append(func.min(case((lead, SubmissionRow.progress_text))).label("text"))
        co = SubmissionRow.role == ROLE_CO_UNIT
        columns += [
            func.sum(case((and_(co, SubmissionRow.status == status), 1), else_=0)).label(f"co{rank}")
            for rank, status in enumerate(SEVERITY)
        ]
    query = select(*columns)
    return _join_rows(query, current, tasks).group_by(SubmissionRow.task_id, current.c.period_id).subquery()


def _category_tasks(year: int, category: str) -> Select:
    return (
        select(Task.id)
        .join(Category, Category.id == Task.category_id)
        .where(Category.year == year, Category.name == category)
    )


def _behind_condition(lead: Subquery, month: int, margin: float) -> ColumnElement[bool]:
    """滞后, or reported short of 序时进度 by more than the margin (and not 已完成)."""
    threshold = expected_progress(month) - margin
    return or_(
        lead.c.rank == SEVERITY.index(LAGGING),
        and_(lead.c.rank != SEVERITY.index(COMPLETED), lead.c.progress < threshold),
    )


# --- who reports ----------------------------------------------------------------
# The rule of ``registry.obligations`` (a group entry obliges its members), asked of the
# database as a set of units: building every obligation of a year in Python takes most of a
# second at province scale. A test holds the two together.


def obliged_units(year: int) -> Select:
    """The ids of the units that report in ``year``, as a query."""
    listed = (
        select(TaskUnit.unit_id)
        .join(Task, Task.id == TaskUnit.task_id)
        .join(Unit, Unit.id == TaskUnit.unit_id)
        .where(Task.year == year, Unit.kind != "群组")
    )
    through_groups = (
        select(GroupMember.member_id)
        .join(TaskUnit, TaskUnit.unit_id == GroupMember.group_id)
        .join(Task, Task.id == TaskUnit.task_id)
        .where(Task.year == year)
    )
    return select(Unit.id).where(or_(Unit.id.in_(listed), Unit.id.in_(through_groups)))  # type: ignore[union-attr]


def _obliged_unit_rows(session: Session, year: int) -> list[tuple[int, str, str]]:
    rows = session.exec(select(Unit.id, Unit.name, Unit.kind).where(Unit.id.in_(obliged_units(year))))  # type: ignore[union-attr]
    return [(unit_id, name, kind) for unit_id, name, kind in rows]


def reporting_rate(
    session: Session, period: Period, as_of: datetime, units: list[tuple[int, str, str]] | None = None
) -> Rate:
    """``rates.period_rate``, with the obliged units asked of the database (or given: the
    ``(id, name, kind)`` of those of the period's year)."""
    units = _obliged_unit_rows(session, period.year) if units is None else units
    first = first_submissions(session, period.id)
    exempt = active_exemptions(session, period.id)
    rows = []
    for unit_id, name, kind in units:
        status, days = judge(period.due_at, first.get(unit_id), as_of, unit_id in exempt)
        rows.append(Lateness(unit_id, name, kind, status, period.due_at, first.get(unit_id), days))
    return rate_of(rows)


# --- periods ------------------------------------------------------------------


def period_codes(session: Session) -> list[str]:
    return [p.code for p in all_periods(session)]


def periods_with_data(session: Session) -> list[str]:
    rows = session.exec(
        select(Period.code).where(Period.id.in_(select(Submission.period_id).distinct())).order_by(Period.code)  # type: ignore[union-attr]
    )
    return list(rows)


def submission_count(session: Session, period: Period) -> int:
    return session.exec(select(func.count()).where(Submission.period_id == period.id)).one()


def _previous(session: Session, period: Period) -> Period | None:
    return session.exec(
        select(Period)
        .where(or_(Period.year < period.year, and_(Period.year == period.year, Period.month < period.month)))
        .order_by(Period.year.desc(), Period.month.desc())  # type: ignore[attr-defined]
    ).first()


# --- 总览 -----------------------------------------------------------------------


MIX_COLUMNS = ("分组", "完成状态", "任务数")


@dataclass(frozen=True)
class Overview:
    period: str
    expected: float  # 序时进度 of the period
    lag_margin: float
    submissions: int
    counts: dict[str, int]  # every status in STATUS_ORDER
    behind_schedule: int  # 欠进度
    by_category: pd.DataFrame  # MIX_COLUMNS, categories in order, only non-zero counts
    by_leader: pd.DataFrame  # MIX_COLUMNS by lead leader, in the order of their first task
    rate: Rate
    previous_rate: Rate | None
    demo: bool  # some of the period's reports are demo data

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, status: str) -> float:
        return self.counts[status] / self.total if self.total else 0.0

    @property
    def on_time_change(self) -> float | None:
        """Change of the on-time reporting rate from the previous period, in percentage points."""
        now = self.rate.on_time_rate
        before = self.previous_rate.on_time_rate if self.previous_rate else None
        return None if now is None or before is None else (now - before) * 100


def overview(session: Session, code: str, as_of: datetime) -> Overview:
    """The period at a glance. Counts come from one query grouped by category, lead leader and
    status; the totals and the two mixes add up its few hundred rows."""
    period = get_period(session, code)
    margin = get_setting(session, "lag_margin")
    lead = _lead_reports(session, period.year, Submission.period_id == period.id)
    threshold = expected_progress(period.month) - margin
    lagging = and_(lead.c.rank != SEVERITY.index(COMPLETED), lead.c.progress < threshold)
    rows = session.exec(
        select(
            Category.seq,
            Category.short,
            Leader.name,
            lead.c.rank,
            func.count(),
            func.sum(case((lagging, 1), else_=0)),
            func.min(Task.no),
        )
        .select_from(Task)
        .join(Category, Category.id == Task.category_id)
        .outerjoin(TaskLeader, and_(TaskLeader.task_id == Task.id, TaskLeader.role == LEAD_LEADER))
        .outerjoin(Leader, Leader.id == TaskLeader.leader_id)
        .outerjoin(lead, lead.c.task_id == Task.id)
        .where(Task.year == period.year)
        .group_by(Category.seq, Category.short, Leader.name, lead.c.rank)
    ).all()
    counts = dict.fromkeys(STATUS_ORDER, 0)
    categories: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    leaders: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    first_task: dict[str, int] = {}
    behind = 0
    for seq, short, leader, rank, n, lagging_n, first in rows:
        status = _status_of(rank)
        counts[status] += n
        behind += lagging_n or 0
        categories[seq, short][status] += n
        leaders[leader][status] += n
        first_task[leader] = min(first, first_task.get(leader, first))
    units = _obliged_unit_rows(session, period.year)
    previous = _previous(session, period)
    previous_rate = None
    if previous is not None:
        previous_rate = reporting_rate(session, previous, as_of, units if previous.year == period.year else None)
    demo = session.exec(
        select(func.count()).where(Submission.period_id == period.id, Submission.is_demo == True)  # noqa: E712
    ).one()
    return Overview(
        period=code,
        expected=expected_progress(period.month),
        lag_margin=margin,
        submissions=submission_count(session, period),
        counts=counts,
        behind_schedule=behind,
        by_category=_mix((short, mix) for (_, short), mix in sorted(categories.items())),
        by_leader=_mix((name, leaders[name]) for name in sorted(leaders, key=first_task.__getitem__)),
        rate=reporting_rate(session, period, as_of, units),
        previous_rate=previous_rate,
        demo=demo > 0,
    )


def _mix(groups: Iterable[tuple[str, dict[str, int]]]) -> pd.DataFrame:
    records = [(name, status, mix[status]) for name, mix in groups for status in STATUS_ORDER if mix.get(status)]
    return pd.DataFrame(records, columns=list(MIX_COLUMNS))


# --- task tables ----------------------------------------------------------------

TASK_COLUMNS = (
    "序号",
    "分类",
    "主要任务",
    "牵头领导",
    "牵头单位",
    "完成状态",
    "进度",
    "序时进度",
    "欠进度",
    "配合单位报送",
    "本月工作进展",
)


def task_table(
    session: Session,
    code: str,
    *,
    category: str | None = None,
    leader: str | None = None,
    behind_only: bool = False,
) -> pd.DataFrame:
    """One row per task of the period's year, filtered in SQL; with a leader, a 领导职责 column
    (牵头 or 协助) is added."""
    period = get_period(session, code)
    margin = get_setting(session, "lag_margin")
    chosen: Select | None = None
    if category is not None:
        chosen = _category_tasks(period.year, category)
    elif leader is not None:
        chosen = (
            select(TaskLeader.task_id)
            .join(Leader, Leader.id == TaskLeader.leader_id)
            .join(Task, Task.id == TaskLeader.task_id)
            .where(Leader.name == leader, Task.year == period.year)
        )
    lead = _lead_reports(session, period.year, Submission.period_id == period.id, tasks=chosen, details=True)
    lead_leader = aliased(Leader)
    lead_unit = aliased(Unit)
    co_counts = [lead.c[f"co{rank}"] for rank in range(len(SEVERITY))]
    columns = [
        Task.no,
        Category.short,
        Task.text,
        lead_leader.name,
        lead_unit.name,
        lead.c.rank,
        lead.c.progress,
        lead.c.text,
        *co_counts,
    ]
    query = (
        select(*columns)
        .join(Category, Category.id == Task.category_id)
        .outerjoin(TaskLeader, and_(TaskLeader.task_id == Task.id, TaskLeader.role == LEAD_LEADER))
        .outerjoin(lead_leader, lead_leader.id == TaskLeader.leader_id)
        .outerjoin(TaskUnit, and_(TaskUnit.task_id == Task.id, TaskUnit.role == ROLE_LEAD_UNIT))
        .outerjoin(lead_unit, lead_unit.id == TaskUnit.unit_id)
        .outerjoin(lead, lead.c.task_id == Task.id)
        .where(Task.year == period.year)
        .order_by(Task.no)
    )
    if category is not None:
        query = query.where(Category.name == category)
    if leader is not None:
        duty = aliased(TaskLeader)
        query = query.add_columns(duty.role).join(
            duty,
            and_(
                duty.task_id == Task.id,
                duty.leader_id == select(Leader.id).where(Leader.name == leader).scalar_subquery(),
            ),
        )
    if behind_only:
        query = query.where(_behind_condition(lead, period.month, margin))
    rows = session.exec(query).all()
    expected = expected_progress(period.month)
    records = []
    width = 8 + len(SEVERITY)
    for row in rows:
        no, short, text, leader_name, unit_name, rank, progress, lead_text = row[:8]
        co = dict(zip(SEVERITY, row[8:width], strict=True))
        status = _status_of(rank)
        record = {
            "序号": no,
            "分类": short,
            "主要任务": text,
            "牵头领导": leader_name or "",
            "牵头单位": unit_name or "",
            "完成状态": status,
            "进度": progress,
            "序时进度": expected,
            "欠进度": is_behind_schedule(status, progress, period.month, margin),
            "配合单位报送": "、".join(f"{s}{co[s]}" for s in STATUS_ORDER if co.get(s)),
            "本月工作进展": lead_text or "",
        }
        if leader is not None:
            record["领导职责"] = row[width]
        records.append(record)
    return pd.DataFrame(records, columns=[*TASK_COLUMNS, *(["领导职责"] if leader is not None else [])])


# --- month by month ---------------------------------------------------------------

TREND_COLUMNS = ("月份", "完成状态", "任务数")


def status_trend(session: Session, code: str, *, category: str | None = None) -> pd.DataFrame:
    """Task counts per status for each month of the period's year up to the period."""
    period = get_period(session, code)
    months = select(Period.id).where(Period.year == period.year, Period.month <= period.month)
    chosen = _category_tasks(period.year, category) if category is not None else None
    lead = _lead_reports(session, period.year, Submission.period_id.in_(months), tasks=chosen)  # type: ignore[attr-defined]
    query = (
        select(Period.code, lead.c.rank, func.count())
        .select_from(Task)
        .join(Period, and_(Period.year == Task.year, Period.month <= period.month))
        .outerjoin(lead, and_(lead.c.task_id == Task.id, lead.c.period_id == Period.id))
        .where(Task.year == period.year)
        .group_by(Period.code, lead.c.rank)
    )
    if category is not None:
        query = query.join(Category, Category.id == Task.category_id).where(Category.name == category)
    records = sorted(
        ((month, _status_of(rank), n) for month, rank, n in session.exec(query).all()),
        key=lambda r: (r[0], STATUS_ORDER.index(r[1])),
    )
    return pd.DataFrame(records, columns=list(TREND_COLUMNS))


# --- 按领导 / 按单位 -----------------------------------------------------------------------


def reporting_units(session: Session, year: int) -> list[tuple[int, str]]:
    """Units that report in ``year`` (directly or through a group), in registration order."""
    rows = session.exec(
        select(Unit.id, Unit.name).where(Unit.id.in_(obliged_units(year))).order_by(Unit.id)  # type: ignore[union-attr]
    )
    return [(unit_id, name) for unit_id, name in rows]


UNIT_TASK_COLUMNS = (
    "序号",
    "主要任务",
    "责任类型",
    "本单位报送状态",
    "本单位进度",
    "任务完成状态",
    "序时进度",
    "本月工作进展",
    "存在问题",
    "下步打算",
)


def unit_tasks(session: Session, unit_id: int, code: str) -> pd.DataFrame:
    """The unit's tasks (lead first, then co-responsible) with what it reported for the period
    and the task's status (its lead unit's report)."""
    period = get_period(session, code)
    duties = unit_obligations(session, unit_id, period.year)
    current = _current_submissions(Submission.period_id == period.id, Submission.unit_id == unit_id)
    own = {
        row[0]: row[1:]
        for row in session.exec(
            select(
                SubmissionRow.task_id,
                SubmissionRow.status,
                SubmissionRow.progress,
                SubmissionRow.progress_text,
                SubmissionRow.problems,
                SubmissionRow.next_steps,
            ).join(current, current.c.id == SubmissionRow.submission_id)
        ).all()
    }
    task_ids = [d.task_id for d in duties]
    lead = _lead_reports(session, period.year, Submission.period_id == period.id, tasks=task_ids)
    task_status = {task_id: _status_of(rank) for task_id, rank in session.exec(select(lead.c.task_id, lead.c.rank))}
    expected = expected_progress(period.month)
    records = []
    for duty in sorted(duties, key=lambda d: (d.role != ROLE_LEAD_UNIT, d.task_no)):
        status, progress, text, problems, steps = own.get(duty.task_id, (NOT_REPORTED, None, "", "", ""))
        records.append(
            (
                duty.task_no,
                duty.task_text,
                duty.role,
                status,
                progress,
                task_status.get(duty.task_id, NOT_REPORTED),
                expected,
                text,
                problems,
                steps,
            )
        )
    return pd.DataFrame(records, columns=list(UNIT_TASK_COLUMNS))


RECORD_COLUMNS = ("月份", "截止时间", "首次报送", "报送情况", "迟报天数", "报送次数")


def unit_record(session: Session, unit_id: int, year: int, as_of: datetime) -> pd.DataFrame:
    """The unit's reporting record month by month (按时 / 迟报 / 漏报 / 免报 / 未到期), times as
    text ready to show."""
    rows = session.exec(
        select(Period.id, Period.code, Period.due_at, func.min(Submission.received_at), func.count(Submission.id))
        .select_from(Period)
        .outerjoin(Submission, and_(Submission.period_id == Period.id, Submission.unit_id == unit_id))
        .where(Period.year == year)
        .group_by(Period.id, Period.code, Period.due_at)
        .order_by(Period.code)
    ).all()
    exempt = set(
        session.exec(
            select(Exemption.period_id).where(Exemption.unit_id == unit_id, Exemption.revoked_at.is_(None))  # type: ignore[union-attr]
        )
    )
    records = []
    for period_id, code, due, first, versions in rows:
        status, days = judge(due, first, as_of, period_id in exempt)
        shown = first if first is not None and first <= as_of else None
        late = f"{days} 天" if status == "late" else ""
        records.append((code, clock.fmt(due), clock.fmt(shown), LATENESS_LABELS[status], late, versions))
    return pd.DataFrame(records, columns=list(RECORD_COLUMNS))


# --- 任务详情 -------------------------------------------------------------------------------


@dataclass
class TaskDetail:
    id: int
    no: int
    year: int
    category: str
    text: str
    lead_leader: str = ""
    assisting_leaders: list[str] = field(default_factory=list)
    lead_units: list[str] = field(default_factory=list)
    co_units: list[str] = field(default_factory=list)
    lead_is_group: bool = False


def task_detail(session: Session, no: int, year: int) -> TaskDetail | None:
    found = session.exec(
        select(Task.id, Task.text, Category.name)
        .join(Category, Category.id == Task.category_id)
        .where(Task.year == year, Task.no == no)
    ).first()
    if found is None:
        return None
    task_id, text, category = found
    detail = TaskDetail(task_id, no, year, category, text)
    for name, role in session.exec(
        select(Leader.name, TaskLeader.role)
        .join(Leader, Leader.id == TaskLeader.leader_id)
        .where(TaskLeader.task_id == task_id)
        .order_by(TaskLeader.position)
    ):
        if role == LEAD_LEADER:
            detail.lead_leader = name
        else:
            detail.assisting_leaders.append(name)
    for name, kind, role in session.exec(
        select(Unit.name, Unit.kind, TaskUnit.role)
        .join(Unit, Unit.id == TaskUnit.unit_id)
        .where(TaskUnit.task_id == task_id)
        .order_by(TaskUnit.position)
    ):
        if role == ROLE_LEAD_UNIT:
            detail.lead_units.append(name)
            detail.lead_is_group = detail.lead_is_group or kind == "群组"
        else:
            detail.co_units.append(name)
    return detail


def _reports_on(task_id: int, year: int) -> tuple[ColumnElement[bool], ...]:
    """Submissions of ``year`` by the units that ever reported on the task (every version, so
    the current one is still the highest)."""
    reporters = (
        select(Submission.unit_id)
        .join(SubmissionRow, SubmissionRow.submission_id == Submission.id)
        .where(SubmissionRow.task_id == task_id)
    )
    months = select(Period.id).where(Period.year == year)
    return Submission.period_id.in_(months), Submission.unit_id.in_(reporters)  # type: ignore[attr-defined]


TIMELINE_COLUMNS = ("月份", "完成状态", "进度", "序时进度", "欠进度")


def task_timeline(session: Session, task_id: int, year: int) -> pd.DataFrame:
    """The task's status and progress (its lead unit's reports) for every month of ``year``."""
    margin = get_setting(session, "lag_margin")
    lead = _lead_reports(session, year, *_reports_on(task_id, year), tasks=[task_id])
    rows = session.exec(
        select(Period.code, Period.month, lead.c.rank, lead.c.progress)
        .select_from(Period)
        .outerjoin(lead, and_(lead.c.period_id == Period.id, lead.c.task_id == task_id))
        .where(Period.year == year)
        .order_by(Period.month)
    ).all()
    records = []
    for code, month, rank, progress in rows:
        status = _status_of(rank)
        records.append(
            (code, status, progress, expected_progress(month), is_behind_schedule(status, progress, month, margin))
        )
    return pd.DataFrame(records, columns=list(TIMELINE_COLUMNS))


REPORT_COLUMNS = ("月份", "单位", "责任类型", "完成状态", "进度", "本月工作进展", "存在问题", "下步打算", "报送时间")


def task_reports(session: Session, task_id: int, year: int) -> pd.DataFrame:
    """Every unit's current report on the task for each month of ``year``, latest month first,
    lead units before co-responsible ones."""
    current = _current_submissions(*_reports_on(task_id, year))
    rows = session.exec(
        select(
            Period.code,
            Unit.name,
            SubmissionRow.role,
            SubmissionRow.status,
            SubmissionRow.progress,
            SubmissionRow.progress_text,
            SubmissionRow.problems,
            SubmissionRow.next_steps,
            Submission.received_at,
        )
        .join(current, current.c.id == SubmissionRow.submission_id)
        .join(Submission, Submission.id == current.c.id)
        .join(Period, Period.id == current.c.period_id)
        .join(Unit, Unit.id == current.c.unit_id)
        .where(SubmissionRow.task_id == task_id)
        .order_by(Period.code.desc(), case((SubmissionRow.role == ROLE_LEAD_UNIT, 0), else_=1), Unit.id)  # type: ignore[attr-defined]
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(REPORT_COLUMNS))


def task_numbers(session: Session, year: int) -> dict[int, str]:
    return dict(session.exec(select(Task.no, Task.text).where(Task.year == year).order_by(Task.no)).all())


LEADING = f"{LEAD_LEADER_MARK} 牵头"
ASSISTING = "协助"


@dataclass(frozen=True)
class LeaderTasks:
    leading: pd.DataFrame  # TASK_COLUMNS and 职责, the tasks the leader leads (▲)
    assisting: pd.DataFrame  # the tasks the leader assists
    mix: pd.DataFrame  # MIX_COLUMNS with the groups LEADING and ASSISTING
    behind: pd.DataFrame  # 滞后 or 欠进度, led ones first


def leader_tasks(session: Session, code: str, leader: str) -> LeaderTasks:
    tasks = task_table(session, code, leader=leader)
    leads = tasks["领导职责"] == LEAD_LEADER
    leading = tasks[leads].assign(职责=LEADING)
    assisting = tasks[~leads].assign(职责=ASSISTING)
    both = pd.concat([leading, assisting])
    mix = _mix(
        (name, part["完成状态"].value_counts().to_dict()) for name, part in ((LEADING, leading), (ASSISTING, assisting))
    )
    behind = both[(both["完成状态"] == LAGGING) | both["欠进度"]]
    return LeaderTasks(leading, assisting, mix, behind)


def data_stamp(session: Session) -> tuple:
    """Changes whenever a submission is added or removed or a setting changes."""
    count, last = session.exec(select(func.count(), func.max(Submission.id))).one()
    settings = tuple(
        (key, value) for key, value in session.exec(select(Setting.key, Setting.value).order_by(Setting.key))
    )
    return count, last, settings
