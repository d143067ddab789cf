"""Demo data: a year of monthly reports (2023-01 to 2023-10) sent through the real upload path.

Everything is drawn from one fixed seed, so two runs on the same registry give the same
reports. Each task follows a course through the year (when it starts, when it should be done,
whether it keeps lagging); each obliged unit fills its own template, mostly on time, sometimes
late, now and then not at all, and occasionally uploads a corrected version a few days later.
Each unit's template is made once and filled in memory for every month
(``intake.template.Prefilled``); each month's files are read, checked and stored in one
transaction (``intake.ingest.ingest_many``, the checks of every upload).
Demo submissions carry ``is_demo`` and ``clear_demo`` removes exactly those.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import col, delete, func, select

from accounts.access import SYSTEM
from core.period import Month
from core.vocab import TaskStatus
from cycle.periods import get_period
from db.engine import read_session, write_session
from db.ids import id_of
from db.models import Period, Submission, SubmissionRow, Unit
from intake.ingest import BatchRejected, Incoming, ingest_many
from intake.template import (
    LABEL_FILLER,
    LABEL_HEAD,
    LABEL_PHONE,
    CellValue,
    Prefilled,
    build_template,
    period_cells,
)
from registry.obligations import Obligation, obligations

SEED = 2023
YEAR = 2023
MONTHS = range(1, 11)


class DemoError(ValueError):
    """The demo cannot be loaded into this database; the message says why."""


_ACTIONS = (
    "召开专题推进会",
    "组织现场调度",
    "对接市级主管部门",
    "开展实地督导",
    "梳理任务清单和时间节点",
    "会同相关单位会商",
    "完成阶段性自查",
    "细化工作方案",
)
_RESULTS = (
    "各项工作按计划推进",
    "阶段目标基本完成",
    "完成年度任务的{p}%",
    "已落实主要措施",
    "形成阶段性成果",
    "推进情况良好",
)
_WAITING = (
    "正在制定工作方案，计划{m}月启动",
    "前期准备工作已开展，待条件成熟后启动",
    "已明确责任人，待上级文件下达后实施",
)
_DONE_TEXT = ("已全面完成年度任务，正在总结经验做法", "年度目标已完成，转入常态化管理", "任务已完成并通过验收")
_PROBLEMS = (
    "项目前期手续办理周期较长",
    "资金到位偏慢，存在一定缺口",
    "涉及部门较多，协调推进难度较大",
    "受天气影响，施工进度有所滞后",
    "用地等要素保障不足",
    "专业人员力量不足",
)
_NEXT = (
    "倒排工期、挂图作战，确保按节点推进",
    "加强与上级部门对接，争取早日完成审批",
    "定期调度，及时协调解决困难问题",
    "加大资金筹措力度，保障项目推进",
    "压实责任，强化督促检查",
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平")


@dataclass(frozen=True)
class Course:
    """How a task goes through the year."""

    start: int  # first month with work under way
    finish: float  # month in which it would reach 100 % at its pace (may lie beyond December)
    lagging: bool  # keeps falling behind


@dataclass(frozen=True)
class Upload:
    """One planned upload: what a unit fills in for a period, and when it arrives."""

    unit_id: int
    unit: str
    period: str
    received_at: datetime
    rows: dict[int, dict[str, CellValue]]  # task no -> values for ``fill_workbook``
    header: dict[str, str]
    late: bool
    version: int


@dataclass(frozen=True)
class DemoResult:
    submissions: int
    versions: int  # corrected uploads among them
    late: int
    missing: int
    periods: tuple[str, ...]


def _courses(rng: random.Random, task_nos: list[int]) -> dict[int, Course]:
    courses = {}
    for no in task_nos:
        start = rng.choice((1, 1, 1, 1, 2, 2, 3, 4))
        lagging = rng.random() < 0.08
        finish = rng.uniform(12.5, 16) if lagging else rng.choice((rng.uniform(5, 10), rng.uniform(10, 13)))
        courses[no] = Course(start, finish, lagging)
    return courses


def _progress(course: Course, month: int, offset: float) -> float:
    if month < course.start:
        return 0.0
    share = (month - course.start + 1) / (course.finish - course.start + 1)
    return max(0.0, min(100.0, round(share * 100 + offset)))


def _row(rng: random.Random, course: Course, text: str, month: int, offset: float) -> dict[str, CellValue]:
    topic = text.split("，")[0].split("。")[0][:18]
    progress = _progress(course, month, offset)
    expected = month / 12 * 100
    if month < course.start:
        status, progress = TaskStatus.NOT_STARTED, 0.0
        body = rng.choice(_WAITING).format(m=course.start)
    elif progress >= 100:
        status, progress = TaskStatus.DONE, 100.0
        body = rng.choice(_DONE_TEXT)
    else:
        behind = (course.lagging and month > course.start) or progress < expected - 25
        status = TaskStatus.LAGGING if behind else TaskStatus.ON_TRACK
        body = f"{rng.choice(_ACTIONS)}，{rng.choice(_RESULTS).format(p=round(progress))}"
    row: dict[str, CellValue] = {
        "status": status,
        "progress": progress,
        "progress_text": f"{month}月，围绕“{topic}”{body}。",
        "problems": "",
        "next_steps": "",
    }
    if status == TaskStatus.LAGGING:
        row["problems"] = rng.choice(_PROBLEMS)
        row["next_steps"] = rng.choice(_NEXT)
    elif status == TaskStatus.ON_TRACK:
        row["next_steps"] = rng.choice(_NEXT) if rng.random() < 0.6 else "按计划继续推进"
    return row


def _received(rng: random.Random, period: Period, late: bool) -> datetime:
    due = period.due_at.date()
    first = due.replace(day=1)
    day = due + timedelta(days=rng.randint(1, 8)) if late else first + timedelta(days=rng.randint(0, due.day - 1))
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)))


def _contact(rng: random.Random) -> dict[str, str]:
    def name() -> str:
        return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))

    return {LABEL_FILLER: name(), LABEL_PHONE: f"0559-35{rng.randint(10000, 99999)}", LABEL_HEAD: name()}


def plan(
    units: list[tuple[int, str]], duties: dict[int, list[Obligation]], periods: list[Period]
) -> tuple[list[Upload], int]:
    """Every upload of the demo, in order, and how many reports are left missing."""
    rng = random.Random(SEED)
    courses = _courses(rng, sorted({d.task_no for items in duties.values() for d in items}))
    unreliable = {unit_id for unit_id, _ in rng.sample(units, 3)}
    offsets = {(unit_id, d.task_no): rng.uniform(-6, 6) for unit_id, _ in units for d in duties[unit_id]}
    contacts = {unit_id: _contact(rng) for unit_id, _ in units}
    uploads: list[Upload] = []
    missing = 0
    for period in periods:
        for unit_id, name in units:
            if rng.random() < (0.25 if unit_id in unreliable else 0.03):
                missing += 1
                continue
            late = rng.random() < (0.3 if unit_id in unreliable else 0.08)
            received = _received(rng, period, late)
            rows = {
                d.task_no: _row(rng, courses[d.task_no], d.task_text, period.month, offsets[unit_id, d.task_no])
                for d in duties[unit_id]
            }
            uploads.append(Upload(unit_id, name, period.code, received, rows, contacts[unit_id], late, 1))
            if rng.random() < 0.05:
                corrected = {
                    no: {**row, "progress_text": f"{row['progress_text']}（更正）"} for no, row in rows.items()
                }
                later = received + timedelta(days=rng.randint(1, 3))
                uploads.append(Upload(unit_id, name, period.code, later, corrected, contacts[unit_id], late, 2))
    return uploads, missing


def load_demo(months: range = MONTHS, progress: Callable[[str], None] | None = None) -> DemoResult:
    """Replace any earlier demo data with a fresh set for ``months`` of 2023; refuses when
    real reports exist."""
    with read_session() as session:
        real = session.exec(select(func.count()).where(Submission.is_demo == False)).one()  # noqa: E712
        if real:
            raise DemoError(f"数据库中已有 {real} 份正式报送，演示数据只能载入没有正式报送的数据库，以免混淆")
        duties = obligations(session, YEAR)
        if not duties:
            raise DemoError(f"数据库中没有 {YEAR} 年的任务，请先运行 python cli.py init")
        periods = [get_period(session, Month(YEAR, month)) for month in months]
        closed = [p.code for p in periods if p.closed]
        if closed:
            raise DemoError(f"{'、'.join(closed)} 已停止接收报送，无法载入演示数据；请先重新开放这些月份")
        units = [
            (id_of(unit), unit.name)
            for unit in session.exec(select(Unit).where(col(Unit.id).in_(list(duties))).order_by(col(Unit.id)))
        ]
    clear_demo()
    uploads, missing = plan(units, duties, periods)
    with read_session() as session:
        # One template per unit, made for the first month and retargeted to each month in memory.
        templates = {unit_id: Prefilled(build_template(session, unit_id, periods[0].code)) for unit_id, _ in units}
    cells = {p.code: period_cells(p) for p in periods}
    for period in periods:
        batch = [u for u in uploads if u.period == period.code]
        files = [
            Incoming(
                templates[u.unit_id].fill(u.rows, u.header, cells[u.period]),
                file_name=f"{u.unit}-{u.period}.xlsx",
                unit=u.unit,
                received_at=u.received_at,
                period=u.period,
                is_demo=True,
            )
            for u in batch
        ]
        try:
            ingest_many(files, actor=SYSTEM, all_or_nothing=True)
        except BatchRejected as exc:
            raise DemoError(f"演示报送未通过校验：{exc}") from exc
        if progress:
            progress(period.code)
    return DemoResult(
        submissions=len(uploads),
        versions=sum(u.version > 1 for u in uploads),
        late=sum(u.late for u in uploads if u.version == 1),
        missing=missing,
        periods=tuple(p.code for p in periods),
    )


def clear_demo() -> tuple[int, int]:
    """Delete every demo submission and its rows; returns (submissions, rows) removed."""
    with write_session() as session:
        ids = select(Submission.id).where(Submission.is_demo == True)  # noqa: E712
        rows = session.exec(select(func.count()).where(col(SubmissionRow.submission_id).in_(ids))).one()
        count = session.exec(select(func.count()).where(Submission.is_demo == True)).one()  # noqa: E712
        if count:
            session.exec(delete(SubmissionRow).where(col(SubmissionRow.submission_id).in_(ids)))
            session.exec(delete(Submission).where(col(Submission.is_demo) == True))  # noqa: E712
    return count, rows
