"""复核 through the service: upload → return → new version → pass, 退回未改 after the working days
(a holiday in between), 报送失实 in the ledger and its appeal, the queue, and who may review."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from docx import Document

from accounts.access import AccessDenied, Actor
from accounts.audit import entries
from core import clock
from core.vocab import Lateness, ReviewState
from cycle.admin import change_setting
from cycle.periods import get_period, working_days_later
from db.engine import read_session, write_session
from intake.ingest import ingest_upload
from office.bulletin import bulletin_data, render
from office.deductions import decide_appeal, file_appeal, ledger
from office.review import ReviewError, pass_without_warnings, returns_for, review, review_queue
from status.dashboards import overview, task_table
from status.lateness import lateness
from status.review import review_states
from tests.monthly_kit import SMALL_UNIT, filled
from tests.office.conftest import unit_id

OFFICE = Actor("督查室", "admin")
PENDING, PASSED, RETURNED, OVERDUE = (
    ReviewState.PENDING,
    ReviewState.PASSED,
    ReviewState.RETURNED,
    ReviewState.RETURNED_OVERDUE,
)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = datetime(2023, 4, 3, 10)
        monkeypatch.setattr(clock, "now", lambda: self.moment)

    def at(self, *parts: int) -> None:
        self.moment = datetime(*parts)  # type: ignore[arg-type]


@pytest.fixture
def now(loaded: str, monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _unit(name: str = SMALL_UNIT) -> Actor:
    return Actor(name, "unit", unit_id=unit_id(name))


def _upload(data: bytes, unit: str = SMALL_UNIT) -> int:
    result = ingest_upload(data, file_name="月报.xlsx", unit=unit, actor=_unit(unit))
    assert result.accepted and not result.duplicate, result.errors
    assert result.version is not None
    return result.version


def _state(unit: str = SMALL_UNIT, period: str = "2023-03"):  # type: ignore[no-untyped-def]
    with read_session() as session:
        return review_states(session, get_period(session, period))[unit_id(unit)]


def _review(decision: ReviewState, actor: Actor = OFFICE, unit: str = SMALL_UNIT, **kwargs: object):  # type: ignore[no-untyped-def]
    with write_session() as session:
        return review(session, actor=actor, unit=unit, period="2023-03", decision=decision, **kwargs)  # type: ignore[arg-type]


def test_working_days_skip_weekends_and_holidays() -> None:
    # 2023-04-05 (Wednesday) is 清明: three working days after Tuesday the 4th end on Monday the 10th.
    assert working_days_later(datetime(2023, 4, 4).date(), 3) == (datetime(2023, 4, 10).date(), "")
    assert working_days_later(datetime(2023, 4, 11).date(), 3) == (datetime(2023, 4, 14).date(), "")
    day, note = working_days_later(datetime(2099, 1, 1).date(), 1)
    assert day == datetime(2099, 1, 2).date() and "按周一至周五推算" in note


def test_the_loop_upload_return_new_version_pass(now: Clock) -> None:
    _upload(filled())
    assert _state().state == PENDING
    assert _state().as_json() == {
        "unit": SMALL_UNIT,
        "version": 1,
        "state": "pending",
        "reviewed_by": None,
        "reviewed_at": None,
    }
    with read_session() as session:
        assert overview(session, "2023-03", clock.now()).unreviewed == 1

    now.at(2023, 4, 4, 10)
    done = _review(RETURNED, reason="第53项进展写得过于笼统，请补充具体数据", rows=[53, 78])
    assert done.message == f"{SMALL_UNIT} 2023-03 第 1 版：退回（退回第 53、78 项）"
    state = _state()
    assert (state.state, state.rows, state.reason, state.reviewed_by) == (
        RETURNED,
        (53, 78),
        "第53项进展写得过于笼统，请补充具体数据",
        "督查室",
    )
    assert state.correct_by == datetime(2023, 4, 10, 23, 59, 59, 999999)  # 清明 (4-5) is not counted
    with read_session() as session:
        assert overview(session, "2023-03", clock.now()).unreviewed == 0
        assert [code for code, _ in returns_for(session, actor=_unit(), unit_id=unit_id(SMALL_UNIT), year=2023)] == [
            "2023-03"
        ]
        with pytest.raises(AccessDenied):
            returns_for(session, actor=_unit("岩寺镇"), unit_id=unit_id(SMALL_UNIT), year=2023)

    now.at(2023, 4, 10, 20)
    assert _state().state == RETURNED
    now.at(2023, 4, 11, 0, 0, 1)
    assert _state().state == OVERDUE
    assert _state().as_json()["state"] == "returned_overdue"

    now.at(2023, 4, 11, 9)
    assert _upload(filled(progress=70, text="补充了具体数据")) == 2
    assert (_state().state, _state().version, _state().reviewed_by) == (PENDING, 2, None)
    with read_session() as session:
        assert returns_for(session, actor=_unit(), unit_id=unit_id(SMALL_UNIT), year=2023) == []

    now.at(2023, 4, 11, 15)
    _review(PASSED)
    assert (_state().state, _state().version, _state().reviewed_at) == (PASSED, 2, datetime(2023, 4, 11, 15))
    with read_session() as session:
        # Lateness stays judged by the first accepted version (4-03, before the 4-05 deadline).
        row = next(r for r in lateness(session, get_period(session, "2023-03"), clock.now()) if r.unit == SMALL_UNIT)
        assert row.status == Lateness.ON_TIME
        logged = [e.detail for e in entries(session, action="report_reviewed")]
    assert len(logged) == 2 and '"结果": "通过"' in logged[0] and '"退回任务": [53, 78]' in logged[1]


def test_the_correction_days_are_a_setting(now: Clock) -> None:
    _upload(filled())
    with write_session() as session:
        change_setting(session, key="review_correction_days", value="1", actor=OFFICE)
    now.at(2023, 4, 4, 10)
    _review(RETURNED, reason="请补充")
    assert _state().correct_by == datetime(2023, 4, 6, 23, 59, 59, 999999)
    now.at(2023, 4, 7, 8)
    assert _state().state == OVERDUE


def test_misreported_rows_are_deducted_and_appealable(now: Clock) -> None:
    _upload(filled())
    now.at(2023, 4, 4, 10)
    _review(RETURNED, reason="第78项所报已完成的工程实际尚未开工", rows=[78], misreported=[78])
    with read_session() as session:
        book = next(one for one in ledger(session, 2023, clock.now()) if one.unit == SMALL_UNIT)
    item = next(i for i in book.items if i.kind == "misreported")
    assert (item.key, item.amount, item.task_no, item.label) == ("misreported:2023-03:78:1", 1.0, 78, "报送失实")
    assert "第1版第78项报送内容失实" in item.reason
    assert book.as_json()["misreported"] == 1
    with pytest.raises(ReviewError, match="已在第 1 版上记录过报送内容失实"):
        _review(RETURNED, reason="再次", misreported=[78])

    with write_session() as session:
        appeal = file_appeal(session, _unit(), unit_id(SMALL_UNIT), 2023, item.key, "工程已开工，附照片", clock.now())
    with write_session() as session:
        decide_appeal(session, OFFICE, appeal.id, "核减", "核实已开工")
    with read_session() as session:
        book = next(one for one in ledger(session, 2023, clock.now()) if one.unit == SMALL_UNIT)
    item = next(i for i in book.items if i.kind == "misreported")
    assert item.appeal is not None and item.net == 0.0


@pytest.mark.parametrize(
    ("decision", "kwargs", "message"),
    [
        (RETURNED, {}, "退回须写明理由"),
        (RETURNED, {"reason": "  "}, "退回须写明理由"),
        (PASSED, {"misreported": [53]}, "记录报送内容失实须写明理由"),
        (PASSED, {"rows": [53]}, "通过时不能指定退回的任务"),
        (
            RETURNED,
            {"reason": "x", "rows": [1, 53]},
            "第 1 项不在 区交通运输局 2023-03 第 1 版月报中；这份月报的任务序号为：53、69、75、78",
        ),
        (RETURNED, {"reason": "x" * 501}, "理由不能超过 500 字"),
        (PASSED, {"unit": "没有这个单位"}, "没有名为“没有这个单位”的单位"),
        (PASSED, {"unit": "岩寺镇"}, "岩寺镇 尚未报送 2023-03 月报"),
    ],
)
def test_a_review_that_cannot_be_made_says_why(now: Clock, decision: ReviewState, kwargs: dict, message: str) -> None:
    _upload(filled())
    with pytest.raises(ReviewError, match=message):
        _review(decision, **kwargs)
    assert _state().state == PENDING  # nothing half-written


def test_passing_twice_is_refused(now: Clock) -> None:
    _upload(filled())
    _review(PASSED)
    with pytest.raises(ReviewError, match="已于 2023-04-03 10:00 由 督查室 复核通过"):
        _review(PASSED)


@pytest.mark.parametrize("role", ["unit", "leader"])
def test_only_the_office_reviews(now: Clock, role: str) -> None:
    _upload(filled())
    with pytest.raises(AccessDenied, match="只有督查室"):
        _review(PASSED, actor=_unit() if role == "unit" else Actor("黄劼", "leader"))
    with pytest.raises(AccessDenied), write_session() as session:
        pass_without_warnings(session, actor=_unit(), period="2023-03")
    assert _state().state == PENDING


def test_the_queue_shows_changes_and_warnings_and_bulk_passes_the_clean(now: Clock) -> None:
    now.at(2023, 3, 3, 10)
    _upload(filled(period="2023-02", progress=40, text="本月完成方案编制并召开推进会"))
    now.at(2023, 4, 3, 10)
    # The same text as February for every task: the 无实质内容 warning; progress up 40 → 60.
    _upload(filled(progress=60, rows={78: {"status": "已完成", "progress": 100}}))
    _upload(filled("岩寺镇", progress=30), unit="岩寺镇")
    with read_session() as session:
        queue = {entry.status.unit: entry for entry in review_queue(session, period="2023-03")}
    assert list(queue) == ["岩寺镇", SMALL_UNIT]  # registration order
    small = queue[SMALL_UNIT]
    assert any("无实质内容" in w.message for w in small.warnings)
    changes = {c.no: c for c in small.changes}
    assert changes[53].summary == "进度 40→60；进展与上月相同"
    assert changes[78].summary == "状态 序时推进→已完成；进度 40→100；进展与上月相同"
    assert all(c.summary == "首次报送" for c in queue["岩寺镇"].changes)
    assert queue["岩寺镇"].warnings == []

    with write_session() as session:
        passed = pass_without_warnings(session, actor=OFFICE, period="2023-03")
    assert [p.unit for p in passed] == ["岩寺镇"]
    assert _state("岩寺镇").state == PASSED and _state().state == PENDING


def test_dashboards_and_bulletin_count_from_the_same_rule(now: Clock) -> None:
    _upload(filled())
    _upload(filled("岩寺镇"), unit="岩寺镇")
    now.at(2023, 4, 20, 9)
    with read_session() as session:
        marked = task_table(session, "2023-03").set_index("序号")["待复核"]
        assert bool(marked[78]) and not bool(marked[1])  # 78: 区交通运输局 leads; 1: 区发改委, not reported
        assert bulletin_data(session, "2023-03", clock.now()).review_text == "本月应报65份，已复核0份，待复核2份。"
    _review(RETURNED, reason="请补充")
    _review(PASSED, unit="岩寺镇")
    with read_session() as session:
        assert not task_table(session, "2023-03").set_index("序号")["待复核"][78]
        data = bulletin_data(session, "2023-03", clock.now())
        assert overview(session, "2023-03", clock.now()).unreviewed == 0
    assert data.review_text == "本月应报65份，已复核2份（通过1份、退回1份），待复核0份。"
    text = "".join(p.text for p in Document(io.BytesIO(render(data, number=1))).paragraphs)
    assert "督查室复核月报：本月应报65份，已复核2份" in text
