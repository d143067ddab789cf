"""考核扣分 on the known year: rules, items with evidence, the year-end lagging rule, appeals."""

from __future__ import annotations

from datetime import datetime

import pytest

from accounts.access import AccessDenied, Actor
from accounts.audit import entries
from core.vocab import Lateness as Judgement
from cycle.periods import get_period
from db.engine import read_session, write_session
from office.deductions import (
    DeductionError,
    decide_appeal,
    default_rules,
    file_appeal,
    ledger,
    report_timeliness,
    rules,
    set_rules,
)
from office.workbench import status_rows
from status.lateness import deadline_phrase
from tests.factories import add_submission
from tests.office.conftest import unit_id

OFFICE = Actor("督查室", "admin")
YEAR_END = datetime(2024, 2, 1)


@pytest.fixture
def year_end(known) -> str:
    """December reports: 区发改委 leads tasks 1 and 4 (滞后) and is a co-unit on task 10 (滞后);
    task 67's lead is a group without members, so 区营商环境办, listed next, speaks for it."""
    add_submission(
        "区发改委", "2023-12", datetime(2024, 1, 3, 9), {1: ("滞后", 60.0), 4: ("滞后", 70.0), 10: ("滞后", 50.0)}
    )
    add_submission("区营商环境办", "2023-12", datetime(2024, 1, 4, 9), {67: ("滞后", 40.0)})
    return known


def _ledgers(as_of: datetime = YEAR_END) -> dict:
    with read_session() as session:
        return {one.unit: one for one in ledger(session, 2023, as_of)}


def test_rules_default_and_set_by_the_office(loaded) -> None:
    with read_session() as session:
        assert rules(session) == default_rules()
    assert (default_rules().late, default_rules().missing, default_rules().lagging) == (0.1, 0.5, 0.2)
    with write_session() as session:
        set_rules(session, OFFICE, "0.2", 1, 0.5)
    with read_session() as session:
        assert (rules(session).late, rules(session).missing, rules(session).lagging) == (0.2, 1.0, 0.5)
        assert entries(session, action="deduction_changed")[0].username == "督查室"
    with pytest.raises(ValueError, match="迟报扣分"), write_session() as session:
        set_rules(session, OFFICE, "-1", 1, 0.5)
    with pytest.raises(ValueError, match="应为数字"), write_session() as session:
        set_rules(session, OFFICE, 0.1, "半分", 0.5)
    with pytest.raises(AccessDenied), write_session() as session:
        set_rules(session, Actor("王曙辉", "leader"), 0, 0, 0)
    with read_session() as session:
        assert rules(session).late == 0.2  # nothing half-written


def test_ledger_items_and_totals(year_end) -> None:
    books = _ledgers()
    assert len(books) == 65
    czj = books["区财政局"]
    # January, February and April to December missing; March 3 days late.
    assert (czj.count("missing"), czj.count("late"), czj.count("lagging")) == (11, 1, 0)
    assert czj.net == 5.6 and czj.gross == 5.6 and czj.reduced == 0
    late = next(item for item in czj.items if item.kind == "late")
    assert (late.key, late.reason, late.due, late.received) == (
        "late:2023-03",
        "2023年3月月报迟报3天",
        datetime(2023, 4, 5, 23, 59, 59, 999999),
        datetime(2023, 4, 8, 16),
    )
    fgw = books["区发改委"]
    # Ten months missing, and tasks 1 and 4 still 滞后 as lead; task 10 is a co-unit's row.
    assert [i.key for i in fgw.items if i.kind == "lagging"] == ["lagging:2023-12:1", "lagging:2023-12:4"]
    assert fgw.count("missing") == 10 and fgw.net == 5.4
    assert books["区营商环境办"].net == 5.7  # 11 missing + task 67
    assert [i.task_no for i in books["区营商环境办"].items if i.kind == "lagging"] == [67]
    assert books["区商务局"].net == 5.5  # March exempt
    assert books["岩寺镇"].net == 5.0  # March and April on time


def test_lagging_counts_only_after_the_last_deadline(year_end) -> None:
    books = _ledgers(datetime(2024, 1, 4, 12))
    assert books["区发改委"].count("lagging") == 0
    assert books["区财政局"].net == 5.1  # December not due yet
    with read_session() as session:
        december = {r.unit: r.deduction for r in status_rows(session, get_period(session, "2023-12"), YEAR_END)}
    assert december["区发改委"] == 0.4 and december["区财政局"] == 0.5 and december["区营商环境办"] == 0.2


def test_rules_apply_to_the_ledger(year_end) -> None:
    with write_session() as session:
        set_rules(session, OFFICE, 0.2, 1, 0.5)
    books = _ledgers()
    assert books["区财政局"].net == 11.2
    assert books["区发改委"].net == 11.0


def test_appeals_reduce_or_uphold(year_end) -> None:
    fgw = unit_id("区发改委")
    with write_session() as session:
        reduced = file_appeal(session, OFFICE, fgw, 2023, "missing:2023-01", "系统故障，已报纸质件", YEAR_END)
        upheld = file_appeal(session, OFFICE, fgw, 2023, "lagging:2023-12:1", "客观原因", YEAR_END)
        file_appeal(session, OFFICE, fgw, 2023, "missing:2023-02", "待查", YEAR_END)
    with write_session() as session:
        decision = decide_appeal(session, OFFICE, reduced.id, "核减", "情况属实")
        decide_appeal(session, OFFICE, upheld.id, "维持")
    assert (decision.decision, decision.decided_by, decision.decision_note) == ("核减", "督查室", "情况属实")
    book = _ledgers()["区发改委"]
    states = {i.key: (i.appeal.state if i.appeal else None, i.net) for i in book.items}
    assert states["missing:2023-01"] == ("核减", 0.0)
    assert states["lagging:2023-12:1"] == ("维持", 0.2)
    assert states["missing:2023-02"] == ("申诉中", 0.5)
    assert (book.gross, book.reduced, book.net) == (5.4, 0.5, 4.9)
    with read_session() as session:
        assert len(entries(session, action="deduction_changed")) == 5


def test_appeals_refused_with_a_message(year_end) -> None:
    fgw = unit_id("区发改委")
    own = Actor("发改委", "unit", unit_id=fgw)
    with write_session() as session:
        filed = file_appeal(session, own, fgw, 2023, "missing:2023-01", "理由", YEAR_END)
    with pytest.raises(DeductionError, match="只能申诉一次"), write_session() as session:
        file_appeal(session, OFFICE, fgw, 2023, "missing:2023-01", "再申诉", YEAR_END)
    with pytest.raises(DeductionError, match="没有这项扣分"), write_session() as session:
        file_appeal(session, OFFICE, fgw, 2023, "late:2023-03", "理由", YEAR_END)
    with pytest.raises(DeductionError, match="请填写申诉理由"), write_session() as session:
        file_appeal(session, OFFICE, fgw, 2023, "missing:2023-02", " ", YEAR_END)
    with pytest.raises(AccessDenied), write_session() as session:
        file_appeal(session, own, unit_id("区财政局"), 2023, "late:2023-03", "代别人申诉", YEAR_END)
    with pytest.raises(AccessDenied), write_session() as session:
        decide_appeal(session, own, filed.id, "核减")
    with pytest.raises(DeductionError, match="只能是"), write_session() as session:
        decide_appeal(session, OFFICE, filed.id, "减半")
    with write_session() as session:
        decide_appeal(session, OFFICE, filed.id, "维持")
    with pytest.raises(DeductionError, match="不能更改"), write_session() as session:
        decide_appeal(session, OFFICE, filed.id, "核减")
    assert _ledgers()["区发改委"].net == 5.4


def _timeliness(name: str, as_of: datetime, at: datetime | None = None):  # type: ignore[no-untyped-def]
    with read_session() as session:
        period = get_period(session, "2023-03")
        return report_timeliness(session, unit_id=unit_id(name), period=period, as_of=as_of, at=at)


def test_one_units_timeliness_uses_the_ledgers_judgement_and_rules(known) -> None:
    as_of = datetime(2023, 4, 20, 9)
    on_time = _timeliness("区发改委", as_of)  # corrected on 4-9, after the deadline: still on time
    assert (on_time.status, on_time.days_late, on_time.amount) == (Judgement.ON_TIME, 0, 0.0)
    assert on_time.first_at == datetime(2023, 4, 3, 10) and on_time.reported
    late = _timeliness("区财政局", as_of)
    assert (late.status, late.days_late, late.amount) == (Judgement.LATE, 3, 0.1)
    missing = _timeliness("区审计局", as_of)
    assert (missing.status, missing.amount, missing.reported) == (Judgement.MISSING, 0.5, False)
    assert (missing.if_now, missing.if_now_days, missing.if_now_amount) == (Judgement.LATE, 15, 0.1)
    exempt = _timeliness("区商务局", as_of)
    assert (exempt.status, exempt.if_now, exempt.if_now_amount) == (Judgement.EXEMPT, Judgement.EXEMPT, 0.0)
    received_before = _timeliness("区审计局", as_of, at=datetime(2023, 4, 5, 9))  # a platform file
    assert (received_before.if_now, received_before.if_now_amount) == (Judgement.ON_TIME, 0.0)
    not_due = _timeliness("区审计局", datetime(2023, 4, 3, 9))
    assert (not_due.status, not_due.if_now, not_due.if_now_amount) == (Judgement.NOT_DUE, Judgement.ON_TIME, 0.0)

    with write_session() as session:
        set_rules(session, OFFICE, 0.3, 0.5, 0.2)
    assert _timeliness("区财政局", as_of).amount == 0.3
    assert _timeliness("区审计局", as_of).if_now_amount == 0.3
    with write_session() as session:
        ledger_late = {i.kind: i.amount for one in ledger(session, 2023, as_of, unit_id("区财政局")) for i in one.items}
    assert ledger_late["late"] == 0.3


def test_deadline_phrase() -> None:
    due = datetime(2023, 4, 5, 23, 59, 59, 999999)
    assert deadline_phrase(due, datetime(2023, 4, 3, 9)) == "距截止 2 天"
    assert deadline_phrase(due, datetime(2023, 4, 5, 23, 0)) == "今天截止"
    assert deadline_phrase(due, datetime(2023, 4, 6, 0, 0)) == "已过截止"
