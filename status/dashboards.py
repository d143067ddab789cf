"""Where the tasks stand: the figures behind the leader dashboards, aggregated in SQL over the
status engine's query (``status.engine.status_query``), so every count here is a count of the
same rows the bulletin, the ledger and the command line read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

import pandas as pd
import sqlalchemy
from sqlalchemy import Row, and_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from core.vocab import LEAD_LEADER_MARK, ExpectedSource, LeaderRole, Light, Responsibility, ReviewState, TaskStatus
from core.vocab import Lateness as Judgement
from cycle.periods import all_periods, collecting, get_period
from cycle.settings import get_setting
from db.models import (
    Category,
    Leader,
    Period,
    Submission,
    SubmissionRow,
    Task,
    TaskLeader,
    UnitObligation,
)
from status.engine import (
    RANK,
    AnySelect,
    Ids,
    is_current,
    listed_lead_units,
    off_index,
    period_status_query,
    status_of_rank,
    status_query,
)
from status.lateness import UnitRow, lateness
from status.rates import Rate, rate_of
from status.review import pending_units

STATUS_ORDER = tuple(TaskStatus)
LEAD_LEADER = LeaderRole.LEAD.value


def _category_tasks(year: int, category: str) -> AnySelect:
    return (
        select(Task.id)
        .join(Category, col(Category.id) == Task.category_id)
        .where(Category.year == year, Category.name == category)
    )


# --- who reports ----------------------------------------------------------------


def reporting_rate(session: Session, period: Period, as_of: datetime, units: list[UnitRow] | None = None) -> Rate:
    """``rates.period_rate``, for the obliged units given (those of the period's year) or all."""
    return rate_of(lateness(session, period, as_of, units))


# --- periods ------------------------------------------------------------------


def period_codes(session: Session, year: int | None = None) -> list[str]:
    return [p.code for p in all_periods(session, year)]


def periods_with_data(session: Session, year: int | None = None) -> list[str]:
    query = (
        select(Period.code)
        .where(col(Period.id).in_(select(Submission.period_id).distinct()))
        .order_by(col(Period.code))
    )
    if year is not None:
        query = query.where(Period.year == year)
    return list(session.exec(query))


def submission_count(session: Session, period: Period) -> int:
    return session.exec(select(func.count()).where(Submission.period_id == period.id)).one()


def _previous(session: Session, period: Period) -> Period | None:
    return session.exec(
        select(Period)
        .where(
            or_(
                col(Period.year) < period.year,
                and_(col(Period.year) == period.year, col(Period.month) < period.month),
            )
        )
        .order_by(col(Period.year).desc(), col(Period.month).desc())
    ).first()


# --- 总览 -----------------------------------------------------------------------


MIX_COLUMNS = ("分组", "完成状态", "任务数")


@dataclass(frozen=True)
class Collection:
    """Where the month's reporting stands: what every dashboard page says above its figures."""

    period: str
    due_at: datetime
    collecting: bool  # the deadline has not passed: reports are still coming in
    reported: int  # obliged units (not exempt) that have reported so far
    obliged: int  # obliged units, not exempt
    rate: Rate
    pending: frozenset[int]  # units whose current report is still 待复核 (status.review)

    @property
    def unreviewed(self) -> int:
        return len(self.pending)


def collection(session: Session, code: str, as_of: datetime, *, pending: Set[int] | None = None) -> Collection:
    """The month's reporting as of ``as_of``: lateness of the obliged units and the review queue
    (``pending``: its 待复核 units as of ``as_of``, when the caller has them)."""
    period = get_period(session, code)
    if pending is None:
        pending = pending_units(session, period, as_of=as_of)
    judged = lateness(session, period, as_of)
    counted = [row for row in judged if row.status != Judgement.EXEMPT]
    return Collection(
        period=code,
        due_at=period.due_at,
        collecting=collecting(period.due_at, as_of),
        reported=sum(row.submitted_at is not None for row in counted),
        obliged=len(counted),
        rate=rate_of(judged),
        pending=frozenset(pending),
    )


@dataclass(frozen=True)
class Overview:
    period: str
    expected: float  # 序时进度 of the period: the expectation of the tasks without a confirmed plan
    lag_margin: float
    submissions: int
    counts: dict[str, int]  # every status in STATUS_ORDER
    behind_schedule: int  # 欠进度
    lights: dict[str, int]  # every Light, in order
    planned: int  # tasks judged against their confirmed plan (the others: 序时进度)
    by_category: pd.DataFrame  # MIX_COLUMNS, categories in order, only non-zero counts
    by_leader: pd.DataFrame  # MIX_COLUMNS by lead leader, in the order of their first task
    behind: pd.DataFrame  # TASK_COLUMNS: the tasks 滞后 or 欠进度, in task order
    collection: Collection
    previous_rate: Rate | None
    demo: bool  # some of the period's reports are demo data

    @property
    def rate(self) -> Rate:
        return self.collection.rate

    @property
    def unreviewed(self) -> int:
        """Current reports still 待复核."""
        return self.collection.unreviewed

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def finished(self) -> int:
        """已完成 and 已办结: the tasks counted as finished."""
        return sum(self.counts[s] for s in STATUS_ORDER if s.finished)

    def share(self, status: str) -> float:
        return self.counts[status] / self.total if self.total else 0.0

    @property
    def on_time_change(self) -> float | None:
        """Change of the on-time reporting rate from the previous period, in percentage points."""
        now = self.rate.on_time_rate
        before = self.previous_rate.on_time_rate if self.previous_rate else None
        return None if now is None or before is None else (now - before) * 100


_KIND = ("rank", "light", "expected_source", "behind", "seq", "short", "leader")  # what the figures tell apart


def _positions(query: AnySelect, names: Sequence[str]) -> itemgetter[Any]:
    """A getter of the columns ``names`` of ``query``'s rows, by position."""
    keys = list(query.selected_columns.keys())
    return itemgetter(*(keys.index(name) for name in names))


def overview(session: Session, code: str, as_of: datetime, *, reporting: Collection | None = None) -> Overview:
    """The period at a glance, from one run of the status engine: its rows (one per task) give
    the counts, the lights, the two mixes and the list of tasks behind alike. ``reporting`` is
    the month's ``collection`` as of ``as_of`` when the caller has it already."""
    period = get_period(session, code)
    margin = get_setting(session, "lag_margin")
    reporting = reporting or collection(session, code, as_of)
    query = _task_rows(session, period, as_of=as_of).add_columns(col(Category.seq))
    rows = session.execute(query).all()
    # Count the rows by what the figures tell apart (a few hundred kinds of row), not one by one;
    # by position (itemgetter), which is several times cheaper than by name over 10,000 rows.
    kinds = Counter(map(_positions(query, _KIND), rows))
    first_task = {row.leader: row.no for row in reversed(rows)}  # rows come in task order: the first wins
    counts: dict[str, int] = dict.fromkeys(STATUS_ORDER, 0)
    categories: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    leaders: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    behind = planned = 0
    lights: dict[str, int] = dict.fromkeys(Light, 0)
    for (rank, light, source, late, seq, short, leader), n in kinds.items():
        status = status_of_rank(rank)
        counts[status] += n
        lights[Light.of(light)] += n
        planned += n if source == ExpectedSource.PLAN else 0
        behind += n if late else 0
        categories[seq, short][status] += n
        leaders[leader][status] += n
    lagging = TaskStatus.LAGGING.severity
    attention = [row for row in rows if row.rank == lagging or row.behind]
    previous = _previous(session, period)
    previous_rate = None
    if previous is not None:
        previous_rate = reporting_rate(session, previous, as_of)
    demo = session.exec(
        select(func.count()).where(Submission.period_id == period.id, Submission.is_demo == True)  # noqa: E712
    ).one()
    return Overview(
        period=code,
        expected=period.month / 12 * 100,
        lag_margin=margin,
        submissions=submission_count(session, period),
        counts=counts,
        behind_schedule=behind,
        lights=lights,
        planned=planned,
        by_category=_mix((short, mix) for (_, short), mix in sorted(categories.items())),
        by_leader=_mix((name, leaders[name]) for name in sorted(leaders, key=first_task.__getitem__)),
        behind=_task_frame(session, period, attention, reporting.pending, chosen=[row.task_id for row in attention]),
        collection=reporting,
        previous_rate=previous_rate,
        demo=demo > 0,
    )


def _mix(groups: Iterable[tuple[str, dict[str, int]]]) -> pd.DataFrame:
    records = [(name, status, mix[status]) for name, mix in groups for status in STATUS_ORDER if mix.get(status)]
    return pd.DataFrame(records, columns=list(MIX_COLUMNS))


# --- task tables ----------------------------------------------------------------

CO_UNITS = "配合单位报送"
UNREVIEWED = ReviewState.PENDING.label  # the report the status comes from is not reviewed yet
TASK_COLUMNS = (
    "序号",
    "分类",
    "主要任务",
    "牵头领导",
    "牵头单位",
    "完成状态",
    "红黄绿灯",
    "进度",
    "应达进度",
    "进度依据",
    "欠进度",
    "本月工作进展",
    UNREVIEWED,
)


def _co_unit_counts(period: Period, tasks: AnySelect | list[int] | None) -> AnySelect:
    """Per task: how many co-responsible units reported each status in their current reports.
    Read from the period's reports (period index): a task has several co-units, each with a
    report every month, so starting from the obligations would read far more submissions."""
    query = (
        select(SubmissionRow.task_id, RANK, func.count())
        .join(Submission, col(Submission.id) == SubmissionRow.submission_id)
        .join(
            UnitObligation,
            and_(
                # ``+ 0``: chosen tasks do not carry over to the rows' task index (every month's rows).
                col(UnitObligation.task_id) == off_index(SubmissionRow.task_id, tasks),
                col(UnitObligation.unit_id) == Submission.unit_id,
                col(UnitObligation.role) == Responsibility.CO,
            ),
        )
        .where(Submission.period_id == period.id, is_current(as_of=None))
        .group_by(col(SubmissionRow.task_id), RANK)
    )
    if tasks is not None:
        query = query.where(col(UnitObligation.task_id).in_(tasks))
    return query


def _by_rank(item: tuple[TaskStatus, int]) -> int:
    return item[0].rank


def _task_rows(
    session: Session, period: Period, *, as_of: datetime | None, chosen: AnySelect | None = None
) -> AnySelect:
    """The status engine's row of each task (of ``chosen`` if given) with what a task table
    shows, in task order."""
    states = period_status_query(session, period, as_of=as_of, tasks=chosen)
    lead_leader = aliased(Leader)
    return (
        sqlalchemy.select(
            states.c.no,
            col(Category.short).label("short"),
            col(Task.text).label("text"),
            col(lead_leader.name).label("leader"),
            states.c.rank,
            states.c.progress,
            states.c.expected,
            states.c.behind,
            states.c.progress_text,
            states.c.task_id,
            states.c.unit_id,
            states.c.light,
            states.c.expected_source,
        )
        .select_from(states)
        .join(Task, col(Task.id) == states.c.task_id)
        .join(Category, col(Category.id) == Task.category_id)
        .outerjoin(TaskLeader, and_(col(TaskLeader.task_id) == Task.id, col(TaskLeader.role) == LEAD_LEADER))
        .outerjoin(lead_leader, col(lead_leader.id) == TaskLeader.leader_id)
        .order_by(states.c.no)
    )


def _task_frame(
    session: Session,
    period: Period,
    rows: Sequence[Row[Any]],
    pending: Set[int],
    *,
    chosen: Ids | None,
    co: dict[int, dict[TaskStatus, int]] | None = None,
    duty: bool = False,
) -> pd.DataFrame:
    """TASK_COLUMNS for ``_task_rows``' rows (of the ``chosen`` tasks, all if None); 待复核 where
    the giving report's unit is in ``pending``; with ``co``, the 配合单位报送 column; with
    ``duty``, the rows' 领导职责."""
    lead_units = dict(session.execute(listed_lead_units(period.year, chosen)).all()) if rows else {}
    columns: dict[str, list[Any]] = {
        "序号": [row.no for row in rows],
        "分类": [row.short for row in rows],
        "主要任务": [row.text for row in rows],
        "牵头领导": [row.leader or "" for row in rows],
        "牵头单位": [lead_units.get(row.task_id, "") for row in rows],
        "完成状态": [status_of_rank(row.rank).label for row in rows],
        "红黄绿灯": [Light.of(row.light).label for row in rows],
        "进度": [row.progress for row in rows],
        "应达进度": [float(row.expected) for row in rows],
        "进度依据": [ExpectedSource.of(row.expected_source).label for row in rows],
        "欠进度": [bool(row.behind) for row in rows],
        "本月工作进展": [row.progress_text or "" for row in rows],
        UNREVIEWED: [row.unit_id in pending for row in rows],
    }
    if co is not None:
        columns[CO_UNITS] = [
            "、".join(f"{s.label}{n}" for s, n in sorted(co[row.task_id].items(), key=_by_rank)) for row in rows
        ]
    if duty:
        columns["领导职责"] = [row.role for row in rows]
    if not rows:
        return pd.DataFrame(columns=list(columns))
    return pd.DataFrame(columns)


def task_table(
    session: Session,
    code: str,
    *,
    category: str | None = None,
    leader: str | None = None,
    co_units: bool = False,
    pending: Set[int] | None = None,
) -> pd.DataFrame:
    """One row per task of the period's year, filtered in SQL; with a leader, a 领导职责 column
    (牵头 or 协助) is added; with ``co_units``, a 配合单位报送 column (what the co-responsible
    units reported, counted per status). ``pending``: the units whose current report is
    待复核 now, when the caller has them (``collection``)."""
    period = get_period(session, code)
    chosen: AnySelect | None = None
    if category is not None:
        chosen = _category_tasks(period.year, category)
    elif leader is not None:
        chosen = (
            select(TaskLeader.task_id)
            .join(Leader, col(Leader.id) == TaskLeader.leader_id)
            .join(Task, col(Task.id) == TaskLeader.task_id)
            .where(Leader.name == leader, Task.year == period.year)
        )
    query = _task_rows(session, period, as_of=None, chosen=chosen)
    if leader is not None:
        duty = aliased(TaskLeader)
        query = query.add_columns(col(duty.role).label("role")).join(
            duty,
            and_(
                col(duty.task_id) == Task.id,
                col(duty.leader_id) == select(Leader.id).where(Leader.name == leader).scalar_subquery(),
            ),
        )
    rows = session.execute(query).all()
    co: dict[int, dict[TaskStatus, int]] | None = None
    if co_units:
        co = defaultdict(dict)
        for task_id, rank, n in session.execute(_co_unit_counts(period, chosen)):
            co[task_id][status_of_rank(rank)] = n
    if pending is None:
        pending = pending_units(session, period)
    return _task_frame(session, period, rows, pending, chosen=chosen, co=co, duty=leader is not None)


# --- month by month ---------------------------------------------------------------

TREND_COLUMNS = ("月份", "完成状态", "任务数")


def status_trend(session: Session, code: str, *, category: str | None = None) -> pd.DataFrame:
    """Task counts per status for each month of the period's year up to the period."""
    period = get_period(session, code)
    months = select(Period.id).where(Period.year == period.year, Period.month <= period.month)
    chosen = _category_tasks(period.year, category) if category is not None else None
    states = status_query(
        periods=months, as_of=None, margin=get_setting(session, "lag_margin"), tasks=chosen, year=period.year
    )
    query = (
        select(Period.code, states.c.rank, func.count())
        .select_from(states)
        .join(Period, col(Period.id) == states.c.period_id)
        .group_by(Period.code, states.c.rank)
    )
    records = sorted(
        ((month, status_of_rank(rank), n) for month, rank, n in session.exec(query).all()),
        key=lambda r: (r[0], r[1].rank),
    )
    return pd.DataFrame([(m, s.label, n) for m, s, n in records], columns=list(TREND_COLUMNS))


LEADING = f"{LEAD_LEADER_MARK} {LeaderRole.LEAD.label}"
ASSISTING = LeaderRole.ASSIST.label


@dataclass(frozen=True)
class LeaderTasks:
    leading: pd.DataFrame  # TASK_COLUMNS and 职责, the tasks the leader leads (▲)
    assisting: pd.DataFrame  # the tasks the leader assists
    mix: pd.DataFrame  # MIX_COLUMNS with the groups LEADING and ASSISTING
    behind: pd.DataFrame  # 滞后 or 欠进度, led ones first


def leader_tasks(session: Session, code: str, leader: str, *, pending: Set[int] | None = None) -> LeaderTasks:
    tasks = task_table(session, code, leader=leader, pending=pending)
    leads = tasks["领导职责"] == LEAD_LEADER
    leading = tasks[leads].assign(职责=LEADING)
    assisting = tasks[~leads].assign(职责=ASSISTING)
    both = pd.concat([leading, assisting])
    mix = _mix(
        (name, {str(label): n for label, n in part["完成状态"].value_counts().items()})
        for name, part in ((LEADING, leading), (ASSISTING, assisting))
    )
    behind = both[(both["完成状态"] == TaskStatus.LAGGING.label) | both["欠进度"]]
    return LeaderTasks(leading, assisting, mix, behind)
