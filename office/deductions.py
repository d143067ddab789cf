"""考核扣分: deductions from the "推进工作落实" score for late and missing reports, for tasks
still 滞后 in the year's last report and for rows the office's review found 报送内容失实, with
appeals (申诉) the office decides.

Every item is derived from the data as of a moment, never stored: an exemption granted later or
a rule changed later is reflected at once. An appeal refers to its item by a stable key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from accounts.access import Actor, ensure_may_act_for, ensure_office
from accounts.audit import audit
from core import clock
from core.period import Month, PeriodError
from core.vocab import AppealDecision, DeductionKind, TaskStatus
from core.vocab import Lateness as Judgement
from cycle.periods import all_periods
from cycle.settings import SPECS, get_setting, put_setting
from db.ids import id_of
from db.models import Appeal, Period, Submission, Task, Unit
from status.engine import lead_report_rows
from status.lateness import Lateness, judge, lateness
from status.review import misreports

LATE, MISSING, LAGGING = DeductionKind.LATE, DeductionKind.MISSING, DeductionKind.LAGGING
MISREPORTED = DeductionKind.MISREPORTED
KIND_LABELS = {kind.value: kind.label for kind in DeductionKind}
REDUCE, UPHOLD = AppealDecision.REDUCE, AppealDecision.UPHOLD
DECISIONS = AppealDecision.values()
PENDING = "申诉中"
RULE_SETTINGS = {
    LATE: "deduct_late",
    MISSING: "deduct_missing",
    LAGGING: "deduct_lagging",
    MISREPORTED: "deduct_misreported",
}
KINDS = (LATE, MISSING, LAGGING, MISREPORTED)
MAX_REASON_CHARS = 500


class DeductionError(ValueError):
    """An appeal or rule change that cannot be made; the message is for the user."""


# --- rules --------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    late: float  # per late report
    missing: float  # per missing report
    lagging: float  # per task still 滞后 in the year's last report
    misreported: float  # per row the review found 报送内容失实

    def amount(self, kind: str) -> float:
        amounts: dict[str, float] = {
            LATE: self.late,
            MISSING: self.missing,
            LAGGING: self.lagging,
            MISREPORTED: self.misreported,
        }
        return amounts[kind]


def default_rules() -> Rules:
    return Rules(*(SPECS[RULE_SETTINGS[kind]].default for kind in KINDS))


def rules(session: Session) -> Rules:
    return Rules(*(get_setting(session, RULE_SETTINGS[kind]) for kind in KINDS))


def set_rules(
    session: Session, actor: Actor, late: object, missing: object, lagging: object, misreported: object | None = None
) -> Rules:
    """Store the amounts (validated like any setting; ``misreported`` unchanged when None) and
    audit the change."""
    ensure_office(actor)
    before = rules(session)
    given = (late, missing, lagging, before.misreported if misreported is None else misreported)
    values = [put_setting(session, RULE_SETTINGS[kind], raw) for kind, raw in zip(KINDS, given, strict=True)]
    after = Rules(*values)
    audit(
        session, actor.username, "deduction_changed", {"规则": "扣分标准", "原": before.__dict__, "新": after.__dict__}
    )
    return after


# --- appeals ------------------------------------------------------------------


@dataclass(frozen=True)
class AppealView:
    id: int
    unit_id: int
    year: int
    key: str
    reason: str
    filed_by: str
    filed_at: datetime
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str

    @property
    def state(self) -> str:
        return self.decision or PENDING

    @classmethod
    def of(cls, row: Appeal) -> AppealView:
        return cls(
            id_of(row),
            row.unit_id,
            row.year,
            row.deduction_key,
            row.reason,
            row.filed_by,
            row.filed_at,
            row.decision,
            row.decided_by,
            row.decided_at,
            row.decision_note,
        )


def appeals(session: Session, year: int, unit_id: int | None = None) -> list[AppealView]:
    query = select(Appeal).where(Appeal.year == year)
    if unit_id is not None:
        query = query.where(Appeal.unit_id == unit_id)
    return [AppealView.of(row) for row in session.exec(query.order_by(col(Appeal.filed_at), col(Appeal.id)))]


# --- items and the ledger -----------------------------------------------------


def item_key(kind: str, period_code: str, task_no: int | None = None) -> str:
    """The stable key of a deduction, by which an appeal names it: ``late:2023-03``,
    ``missing:2023-04``, ``lagging:2023-12:17`` (kind, month, and the task for a lagging one)."""
    return f"{kind}:{period_code}" if task_no is None else f"{kind}:{period_code}:{task_no}"


def key_text(key: str) -> str:
    """A key in words, as every page shows it: 2023年9月 漏报, 2023年12月 第17项 年末滞后.
    A key that does not read as one is shown as it is."""
    kind, _, rest = key.partition(":")
    code, _, task_no = rest.partition(":")
    if kind not in KIND_LABELS or (task_no and not task_no.isdigit()):
        return key
    try:
        month = Month.parse(code)
    except PeriodError:
        return key
    return f"{month.label} {f'第{task_no}项 ' if task_no else ''}{KIND_LABELS[kind]}"


@dataclass(frozen=True)
class Item:
    """One deduction with its evidence."""

    key: str  # kind:period[:task no[:version]]; an appeal names its item by this key
    unit_id: int
    kind: str
    period: str
    reason: str
    due: datetime
    received: datetime | None
    amount: float
    task_no: int | None = None
    appeal: AppealView | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def title(self) -> str:
        """The key in words (``key_text``)."""
        return key_text(self.key)

    @property
    def net(self) -> float:
        return 0.0 if self.appeal is not None and self.appeal.decision == REDUCE else self.amount

    def as_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "kind": self.label,
            "period": self.period,
            "task_no": self.task_no,
            "reason": self.reason,
            "due": self.due.isoformat(timespec="seconds"),
            "received": self.received.isoformat(timespec="seconds") if self.received else None,
            "amount": self.amount,
            "appeal": self.appeal.state if self.appeal else None,
            "net": self.net,
        }


def _total(values: Iterable[float]) -> float:
    return round(sum(values), 4)


@dataclass
class UnitLedger:
    unit_id: int
    unit: str
    kind: str
    items: list[Item] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(item.kind == kind for item in self.items)

    @property
    def gross(self) -> float:
        return _total(item.amount for item in self.items)

    @property
    def reduced(self) -> float:
        return _total(item.amount - item.net for item in self.items)

    @property
    def net(self) -> float:
        """The net deduction from the unit's "推进工作落实" score."""
        return _total(item.net for item in self.items)

    def as_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "kind": self.kind,
            LATE.value: self.count(LATE),
            MISSING.value: self.count(MISSING),
            LAGGING.value: self.count(LAGGING),
            MISREPORTED.value: self.count(MISREPORTED),
            "gross": self.gross,
            "reduced": self.reduced,
            "net": self.net,
            "items": [item.as_json() for item in self.items],
        }


def _month_text(period: Period) -> str:
    return f"{period.year}年{period.month}月"


def _is_last_of_year(session: Session, period: Period) -> bool:
    months = [p.month for p in all_periods(session, period.year)]
    return bool(months) and period.month == max(months)


def period_items(session: Session, period: Period, as_of: datetime, judged: list[Lateness] | None = None) -> list[Item]:
    """The deductions arising from ``period`` as of ``as_of``, with their appeals.

    Lagging tasks are counted only in the year's last period and only once its deadline has
    passed: until then the lead unit may still correct its report."""
    amounts = rules(session)
    judged = lateness(session, period, as_of) if judged is None else judged
    filed = {(a.unit_id, a.key): a for a in appeals(session, period.year)}
    items: list[Item] = []
    for row in judged:
        if row.status == Judgement.LATE:
            reason = f"{_month_text(period)}月报迟报{row.days_late}天"
            items.append(
                Item(
                    item_key(LATE, period.code),
                    row.unit_id,
                    LATE,
                    period.code,
                    reason,
                    row.due,
                    row.submitted_at,
                    amounts.late,
                )
            )
        elif row.status == Judgement.MISSING:
            reason = f"{_month_text(period)}月报截止时未报送"
            items.append(
                Item(
                    item_key(MISSING, period.code),
                    row.unit_id,
                    MISSING,
                    period.code,
                    reason,
                    row.due,
                    None,
                    amounts.missing,
                )
            )
    if _is_last_of_year(session, period) and as_of > period.due_at:
        numbers = dict(session.exec(select(Task.id, Task.no).where(Task.year == period.year)).all())
        for report in lead_report_rows(session, period, as_of=as_of):
            if report.status != TaskStatus.LAGGING:
                continue
            no = numbers[report.task_id]
            reason = f"第{no}项任务在{_month_text(period)}月报中仍为滞后（牵头单位）"
            items.append(
                Item(
                    item_key(LAGGING, period.code, no),
                    report.unit_id,
                    LAGGING,
                    period.code,
                    reason,
                    period.due_at,
                    report.received_at,
                    amounts.lagging,
                    no,
                )
            )
    for found in misreports(session, period, as_of=as_of):
        where = f"{_month_text(period)}月报第{found.version}版第{found.task_no}项"
        reason = f"{where}报送内容失实（复核认定：{found.reason}）"
        items.append(
            Item(
                f"{MISREPORTED}:{period.code}:{found.task_no}:{found.version}",
                found.unit_id,
                MISREPORTED,
                period.code,
                reason,
                period.due_at,
                found.received_at,
                amounts.misreported,
                found.task_no,
            )
        )
    return [
        Item(
            i.key,
            i.unit_id,
            i.kind,
            i.period,
            i.reason,
            i.due,
            i.received,
            i.amount,
            i.task_no,
            filed.get((i.unit_id, i.key)),
        )
        for i in items
    ]


def period_deductions(
    session: Session, period: Period, as_of: datetime, judged: list[Lateness] | None = None
) -> dict[int, float]:
    """unit id → its net deduction arising from ``period``."""
    totals: dict[int, list[float]] = {}
    for item in period_items(session, period, as_of, judged):
        totals.setdefault(item.unit_id, []).append(item.net)
    return {unit_id: _total(values) for unit_id, values in totals.items()}


def ledger(session: Session, year: int, as_of: datetime, unit_id: int | None = None) -> list[UnitLedger]:
    """Every obliged unit's deductions in ``year`` (or just one unit's), in registration order."""
    ledgers: dict[int, UnitLedger] = {}
    for period in all_periods(session, year):
        judged = lateness(session, period, as_of)
        for row in judged:
            if unit_id is None or row.unit_id == unit_id:
                ledgers.setdefault(row.unit_id, UnitLedger(row.unit_id, row.unit, row.kind))
        for item in period_items(session, period, as_of, judged):
            if item.unit_id in ledgers:
                ledgers[item.unit_id].items.append(item)
    return list(ledgers.values())


# --- filing and deciding appeals ----------------------------------------------


def _clean_reason(text: str, what: str) -> str:
    text = str(text or "").strip()
    if not text:
        raise DeductionError(f"请填写{what}")
    if len(text) > MAX_REASON_CHARS:
        raise DeductionError(f"{what}不能超过 {MAX_REASON_CHARS} 字（现有 {len(text)} 字），请精简后再提交")
    return text


def file_appeal(
    session: Session, actor: Actor, unit_id: int, year: int, key: str, reason: str, as_of: datetime
) -> AppealView:
    """Record a unit's appeal against one of its deductions (one appeal per deduction)."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise DeductionError("没有这个单位")
    ensure_may_act_for(actor, unit_id, unit.name)
    reason = _clean_reason(reason, "申诉理由")
    items = {item.key: item for one in ledger(session, year, as_of, unit_id) for item in one.items}
    item = items.get(key)
    if item is None:
        raise DeductionError(f"{unit.name}在{year}年没有这项扣分（{key_text(key)}），无法申诉")
    if item.appeal is not None:
        raise DeductionError(f"{unit.name}对“{item.reason}”已提出过申诉（{item.appeal.state}），同一扣分只能申诉一次")
    row = Appeal(
        unit_id=unit_id, year=year, deduction_key=key, reason=reason, filed_by=actor.username, filed_at=clock.now()
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor.username,
        "deduction_changed",
        {"申诉": "提出", "单位": unit.name, "扣分": item.reason, "理由": reason},
    )
    return AppealView.of(row)


def decide_appeal(session: Session, actor: Actor, appeal_id: int, decision: str, note: str = "") -> AppealView:
    """The office's decision: 核减 removes the deduction, 维持 upholds it. A decision is final."""
    ensure_office(actor)
    if decision not in DECISIONS:
        raise DeductionError(f"申诉决定只能是“{REDUCE}”或“{UPHOLD}”")
    row = session.get(Appeal, appeal_id)
    if row is None:
        raise DeductionError("没有这条申诉，可能已被删除，请刷新页面")
    if row.decision is not None:
        raise DeductionError(
            f"这条申诉已于 {clock.fmt(row.decided_at)} 由 {row.decided_by} 决定为“{row.decision}”，不能更改"
        )
    note = str(note or "").strip()
    if len(note) > MAX_REASON_CHARS:
        raise DeductionError(f"决定说明不能超过 {MAX_REASON_CHARS} 字（现有 {len(note)} 字）")
    row.decision, row.decided_by, row.decided_at, row.decision_note = decision, actor.username, clock.now(), note
    session.add(row)
    unit = session.get(Unit, row.unit_id)
    audit(
        session,
        actor.username,
        "deduction_changed",
        {
            "申诉": decision,
            "单位": unit.name if unit else row.unit_id,
            "扣分": key_text(row.deduction_key),
            "说明": note,
        },
    )
    return AppealView.of(row)


# --- one unit's report, as the clerk uploading it sees it ----------------------


@dataclass(frozen=True)
class Timeliness:
    """Where one unit's report for one period stands, as of a moment, for the upload pages.

    ``status`` and ``days_late`` are the lateness judgement (by the first accepted version);
    ``amount`` is what that judgement deducts under the current rules (0 when nothing).
    ``if_now`` is the judgement a first report received at ``at`` would get, with its days and
    deduction: what an upload now would count as while the unit has not reported."""

    status: Judgement
    due: datetime
    first_at: datetime | None
    first_id: int | None
    days_late: int | None
    amount: float
    if_now: Judgement
    if_now_days: int | None
    if_now_amount: float

    @property
    def reported(self) -> bool:
        return self.first_id is not None


def report_timeliness(
    session: Session, *, unit_id: int, period: Period, as_of: datetime, at: datetime | None = None
) -> Timeliness | None:
    """The lateness of ``unit_id``'s report for ``period`` as of ``as_of`` and its deduction, by
    the same judgement and rules as the ledger (``lateness``, ``period_items``); ``at`` is when a
    report uploaded now would count as received (default ``as_of``). None when the unit owes no
    report for the period (every task of it closed)."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise DeductionError("没有这个单位")
    judged = lateness(session, period, as_of, units=[(unit_id, unit.name, unit.kind)])
    if not judged:
        return None
    row = judged[0]
    items = [i for i in period_items(session, period, as_of, judged) if i.unit_id == unit_id]
    amount = _total(i.amount for i in items if i.kind in (LATE, MISSING))
    first = session.exec(
        select(Submission.id, Submission.received_at)
        .where(Submission.unit_id == unit_id, Submission.period_id == period.id, Submission.received_at <= as_of)
        .order_by(col(Submission.received_at), col(Submission.version))
    ).first()
    at = as_of if at is None else at
    if_now, if_now_days = judge(period.due_at, at, max(at, as_of), row.status == Judgement.EXEMPT)
    return Timeliness(
        row.status,
        row.due,
        first[1] if first else None,
        first[0] if first else None,
        row.days_late,
        amount,
        if_now,
        if_now_days,
        rules(session).late if if_now == Judgement.LATE else 0.0,
    )
