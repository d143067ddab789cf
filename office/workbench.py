"""The office's view of a reporting period: one row per obliged unit, filters, rates, the
units × months grid and the chase list (催报名单)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from core.text import unit_name
from core.vocab import Lateness, UnitKind
from cycle.periods import all_periods, being_reported
from db import queries
from db.ids import id_of
from db.models import PaperCopy, Period, RejectedAttempt, Submission, UnitObligation
from office.deductions import period_deductions
from status.engine import CurrentReport, current_reports
from status.lateness import lateness
from status.rates import Rate, rate_of, rates_by_kind, year_to_date

KIND_ORDER = UnitKind.reporting()
ALL_KINDS = "全部"


@dataclass(frozen=True)
class StatusRow:
    """One obliged unit's report for one period, as the office sees it."""

    unit_id: int
    unit: str
    kind: str
    status: Lateness
    due: datetime
    first_received: datetime | None
    days_late: int | None
    versions: int
    last: CurrentReport | None
    rejected: int
    paper_received_on: date | None
    deduction: float
    exemption_reason: str = ""

    @property
    def label(self) -> str:
        return self.status.label

    @property
    def last_uploader(self) -> str:
        if self.last is None:
            return ""
        return f"{self.last.uploaded_by}（代为录入）" if self.last.on_behalf else self.last.uploaded_by


# --- periods ------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodInfo:
    """The plain facts of a period, for screens that keep them after the session closes."""

    code: str
    year: int
    month: int
    due_at: datetime

    @classmethod
    def of(cls, period: Period) -> PeriodInfo:
        return cls(period.code, period.year, period.month, period.due_at)


def current_period(session: Session, as_of: datetime, year: int | None = None) -> Period | None:
    """The period being collected (``cycle.periods.being_reported``), of ``year`` if given."""
    return being_reported(all_periods(session, year), as_of)


def year_periods(session: Session, year: int, up_to_month: int = 12) -> list[Period]:
    return [p for p in all_periods(session, year) if p.month <= up_to_month]


# --- the rows -----------------------------------------------------------------


def _version_counts(session: Session, period_id: int, as_of: datetime) -> dict[int, int]:
    rows = session.exec(
        select(Submission.unit_id, func.count())
        .where(Submission.period_id == period_id, Submission.received_at <= as_of)
        .group_by(col(Submission.unit_id))
    ).all()
    return dict(rows)


def _rejected_counts(session: Session, period_id: int, as_of: datetime) -> dict[int, int]:
    rows = session.exec(
        select(RejectedAttempt.unit_id, func.count())
        .where(RejectedAttempt.period_id == period_id, RejectedAttempt.attempted_at <= as_of)
        .group_by(col(RejectedAttempt.unit_id))
    ).all()
    return {unit_id: n for unit_id, n in rows if unit_id is not None}


def paper_copies(session: Session, period_id: int) -> dict[int, date]:
    rows = session.exec(
        select(col(PaperCopy.unit_id), col(PaperCopy.received_on)).where(PaperCopy.period_id == period_id)
    )
    return dict(rows.all())


def status_rows(session: Session, period: Period, as_of: datetime) -> list[StatusRow]:
    """One row per obliged unit, in the order units were registered."""
    period_id = id_of(period)
    judged = lateness(session, period, as_of)
    versions = _version_counts(session, period_id, as_of)
    last = current_reports(session, as_of=as_of, period_id=period_id)
    rejected = _rejected_counts(session, period_id, as_of)
    paper = paper_copies(session, period_id)
    deducted = period_deductions(session, period, as_of, judged)
    return [
        StatusRow(
            unit_id=row.unit_id,
            unit=row.unit,
            kind=row.kind,
            status=row.status,
            due=row.due,
            first_received=row.submitted_at,
            days_late=row.days_late,
            versions=versions.get(row.unit_id, 0),
            last=last.get(row.unit_id),
            rejected=rejected.get(row.unit_id, 0),
            paper_received_on=paper.get(row.unit_id),
            deduction=deducted.get(row.unit_id, 0.0),
            exemption_reason=row.exemption_reason,
        )
        for row in judged
    ]


# --- filters ------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    statuses: frozenset[str] = frozenset()  # lateness codes; empty means all
    kind: str | None = None
    category: str | None = None  # full category name
    leader: str | None = None  # lead or assisting leader
    search: str = ""  # part of a unit's name or alias


def units_on_tasks(session: Session, year: int, category: str | None, leader: str | None) -> set[int]:
    """Units obliged on at least one task of ``category`` and of ``leader`` (both optional)."""
    wanted = {
        view.id
        for view in queries.tasks(session, year)
        if (category is None or view.category == category) and (leader is None or leader in view.leaders)
    }
    rows = session.exec(select(UnitObligation.unit_id, UnitObligation.task_id).where(UnitObligation.year == year)).all()
    return {unit_id for unit_id, task_id in rows if task_id in wanted}


def _matches_search(session: Session, text: str) -> set[int]:
    needle = unit_name(text)
    return {view.id for view in queries.units(session) if any(needle in name for name in (view.name, *view.aliases))}


def apply_filters(session: Session, rows: Iterable[StatusRow], year: int, filters: Filters) -> list[StatusRow]:
    rows = list(rows)
    if filters.statuses:
        rows = [r for r in rows if r.status in filters.statuses]
    if filters.kind:
        rows = [r for r in rows if r.kind == filters.kind]
    if filters.category or filters.leader:
        allowed = units_on_tasks(session, year, filters.category, filters.leader)
        rows = [r for r in rows if r.unit_id in allowed]
    if filters.search.strip():
        found = _matches_search(session, filters.search)
        rows = [r for r in rows if r.unit_id in found]
    return rows


# --- rates --------------------------------------------------------------------


@dataclass(frozen=True)
class RateLine:
    scope: str  # 全部 or a unit kind
    rate: Rate


@dataclass(frozen=True)
class RateSummary:
    period: list[RateLine]
    year_to_date: list[RateLine]


def _lines(overall: Rate, by_kind: dict[str, Rate]) -> list[RateLine]:
    kinds = sorted(by_kind, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER))
    return [RateLine(ALL_KINDS, overall), *(RateLine(kind, by_kind[kind]) for kind in kinds)]


def rate_summary(session: Session, period: Period, as_of: datetime) -> RateSummary:
    """Rates for ``period`` and for its year from January to ``period``, overall and per unit kind."""
    rows = lateness(session, period, as_of)
    ytd, ytd_kinds = year_to_date(session, year_periods(session, period.year, period.month), as_of)
    return RateSummary(_lines(rate_of(rows), rates_by_kind(rows)), _lines(ytd, ytd_kinds))


# --- the units × months grid ----------------------------------------------------


@dataclass
class GridRow:
    unit_id: int
    unit: str
    kind: str
    statuses: list[str | None] = field(default_factory=list)  # a lateness code per month; None: owes no report
    days_late: int = 0

    @property
    def missing(self) -> int:
        return self.statuses.count(Lateness.MISSING)

    @property
    def late(self) -> int:
        return self.statuses.count(Lateness.LATE)


@dataclass(frozen=True)
class Grid:
    periods: list[str]
    rows: list[GridRow]

    def worst_first(self) -> list[GridRow]:
        """Most 漏报 first, then most 迟报, then most days late; ties keep registration order."""
        return sorted(self.rows, key=lambda r: (-r.missing, -r.late, -r.days_late))


def lateness_grid(session: Session, year: int, as_of: datetime) -> Grid:
    """Every unit's lateness month by month; a month in which it owes no report (its tasks all
    closed, ``registry.obligations``) is None."""
    periods = year_periods(session, year)
    months = [{item.unit_id: item for item in lateness(session, period, as_of)} for period in periods]
    rows: dict[int, GridRow] = {}
    for items in months:
        for item in items.values():
            rows.setdefault(item.unit_id, GridRow(item.unit_id, item.unit, item.kind))
    ordered = sorted(rows.values(), key=lambda r: r.unit_id)  # registration order
    for row in ordered:
        for items in months:
            found = items.get(row.unit_id)
            row.statuses.append(found.status if found else None)
            row.days_late += (found.days_late or 0) if found else 0
    return Grid([p.code for p in periods], ordered)


# --- the chase list (催报名单) --------------------------------------------------


@dataclass(frozen=True)
class ChaseRow:
    unit_id: int
    unit: str
    kind: str
    status: Lateness  # missing or not_due
    filler: str
    phone: str

    @property
    def contact(self) -> str:
        return "　".join(part for part in (self.filler, self.phone) if part) or "（无报送记录，暂无联系人）"


def chase_list(session: Session, period: Period, as_of: datetime) -> list[ChaseRow]:
    """Units with no report yet for ``period`` and not exempt, with the contact person and
    phone from the header of their last report of any month."""
    contacts = current_reports(session, as_of=as_of, period_id=None)
    rows = []
    for item in lateness(session, period, as_of):
        if item.status not in (Lateness.MISSING, Lateness.NOT_DUE):
            continue
        last = contacts.get(item.unit_id)
        rows.append(
            ChaseRow(
                item.unit_id, item.unit, item.kind, item.status, last.filler if last else "", last.phone if last else ""
            )
        )
    return rows


def chase_text(period: Period | PeriodInfo, rows: list[ChaseRow]) -> str:
    """The chase list as plain text to paste into a message."""
    head = f"{period.year}年{period.month}月月报截止时间为{period.due_at:%Y年%-m月%-d日}"
    if not rows:
        return f"{head}，全部应报单位均已报送或免报。"
    lines = [f"{head}，以下 {len(rows)} 个单位尚未报送，请抓紧报送："]
    lines += [f"{i}. {row.unit}（{row.status.label}）　{row.contact}" for i, row in enumerate(rows, 1)]
    return "\n".join(lines)
