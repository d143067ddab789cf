"""Demo data: a reproducible plan, loaded through the real upload path, removed exactly."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import replace
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

import cli
from core.period import Month
from cycle.periods import get_period
from db.engine import read_session
from db.models import AuditLog, RejectedAttempt, Submission, SubmissionRow, Unit
from intake import demo
from registry.obligations import obligations
from status import dashboards
from tests.factories import add_submission


def _plan() -> tuple[list[demo.Upload], int]:
    with read_session() as session:
        duties = obligations(session, 2023)
        units = [(u.id, u.name) for u in session.exec(select(Unit).where(Unit.id.in_(list(duties))).order_by(Unit.id))]
        periods = [get_period(session, Month(2023, m)) for m in demo.MONTHS]
    return demo.plan(units, duties, periods)


def _due(code: str) -> datetime:
    with read_session() as session:
        return get_period(session, code).due_at


def test_plan_is_reproducible_realistic_and_passes_the_template_rules(loaded) -> None:
    uploads, missing = _plan()
    again, missing_again = _plan()
    assert [(u.unit, u.period, u.received_at, u.rows) for u in uploads] == [
        (u.unit, u.period, u.received_at, u.rows) for u in again
    ]
    assert missing == missing_again and 0 < missing < len(uploads) * 0.1
    late = [u for u in uploads if u.late and u.version == 1]
    assert 0.03 < len(late) / len(uploads) < 0.2
    assert all(u.received_at > _due(u.period) for u in late)
    assert any(u.version == 2 for u in uploads)

    done_share = {}
    lagging_months: dict[int, int] = defaultdict(int)
    last_progress: dict[tuple[int, int], float] = {}
    for upload in (u for u in uploads if u.version == 1):
        statuses = [row["status"] for row in upload.rows.values()]
        done_share.setdefault(upload.period, []).extend(s == "已完成" for s in statuses)
        for no, row in upload.rows.items():
            key = (upload.unit_id, no)
            assert row["progress"] >= last_progress.get(key, 0)  # progress never goes back
            last_progress[key] = row["progress"]
            assert row["progress_text"]
            if row["status"] == "已完成":
                assert row["progress"] == 100
            if row["status"] == "未启动":
                assert row["progress"] == 0
            if row["status"] == "滞后":
                assert row["problems"] and row["next_steps"]
                lagging_months[no] += 1
    share = {period: sum(flags) / len(flags) for period, flags in done_share.items()}
    assert share["2023-01"] == 0 and share["2023-10"] > 0.2
    assert max(lagging_months.values()) >= 8  # some tasks lag all year


def test_demo_goes_through_ingestion_and_clear_removes_only_demo(loaded, capsys) -> None:
    result = demo.load_demo(months=range(1, 2))
    with read_session() as session:
        stored = session.exec(select(Submission)).all()
        accepted = session.exec(select(func.count()).where(AuditLog.action == "upload_accepted")).one()
        assert dashboards.periods_with_data(session) == ["2023-01"]
        january = dashboards.overview(session, "2023-01", datetime(2023, 6, 1))
    assert len(stored) == result.submissions == accepted
    assert all(s.is_demo for s in stored)
    assert load_workbook(io.BytesIO(stored[0].content)).sheetnames[0] == "月报"
    assert january.demo and january.counts["未报送"] < 20

    add_submission("区财政局", "2023-02", datetime(2023, 3, 3))
    assert cli.main(["demo", "--clear"]) == 0
    assert "已清除演示数据" in capsys.readouterr().out
    with read_session() as session:
        left = session.exec(select(Submission)).all()
        rows = session.exec(select(func.count()).select_from(SubmissionRow)).one()
    assert [(s.is_demo, s.file_name) for s in left] == [(False, "区财政局-2023-02.xlsx")]
    assert rows == 10  # 区财政局's ten tasks


def test_demo_refuses_a_database_with_real_reports(loaded, capsys) -> None:
    add_submission("区财政局", "2023-02", datetime(2023, 3, 3))
    with pytest.raises(demo.DemoError):
        demo.load_demo(months=range(1, 2))
    assert cli.main(["demo"]) == 1
    assert "正式报送" in capsys.readouterr().err


def test_a_month_of_the_demo_lands_whole_or_not_at_all(loaded, monkeypatch: pytest.MonkeyPatch) -> None:
    real_plan = demo.plan

    def one_bad_report(*args: object) -> tuple[list[demo.Upload], int]:
        uploads, missing = real_plan(*args)  # type: ignore[arg-type]
        bad = uploads[5]
        no = next(iter(bad.rows))
        rows = {**bad.rows, no: {**bad.rows[no], "status": "完成了"}}
        return [*uploads[:5], replace(bad, rows=rows), *uploads[6:]], missing

    monkeypatch.setattr(demo, "plan", one_bad_report)
    with pytest.raises(demo.DemoError, match="完成了"):
        demo.load_demo(months=range(1, 2))
    with read_session() as session:
        assert session.exec(select(func.count()).select_from(Submission)).one() == 0
        assert session.exec(select(func.count()).select_from(RejectedAttempt)).one() == 0
