"""Ingestion: one transaction per upload, versions, same-bytes re-upload, history, access."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlmodel import func, select

import intake.ingest as ingest_module
from accounts.access import SYSTEM, AccessDenied, Actor
from cycle.periods import get_period
from db.engine import read_session
from db.models import AuditLog, RejectedAttempt, Submission, SubmissionRow, Task
from db.queries import resolve_unit
from intake.ingest import (
    BatchRejected,
    Incoming,
    UsageError,
    ingest_many,
    ingest_upload,
    original_file,
    submission_history,
)
from status.engine import current_submission
from tests.monthly_kit import SMALL_ALIAS, SMALL_UNIT, filled, task_numbers

APRIL_3 = datetime(2023, 4, 3, 9, 30)


def _counts() -> tuple[int, int, int]:
    with read_session() as session:
        return (
            session.exec(select(func.count()).select_from(Submission)).one(),
            session.exec(select(func.count()).select_from(SubmissionRow)).one(),
            session.exec(select(func.count()).select_from(RejectedAttempt)).one(),
        )


def _unit_actor(name: str) -> Actor:
    with read_session() as session:
        unit = resolve_unit(session, name)
        assert unit is not None
        return Actor(name, "unit", unit_id=unit.id)


def test_accepted_upload_stores_submission_rows_and_audit(loaded) -> None:
    data = filled(rows={78: {"status": "滞后", "progress": 30, "problems": "资金未到位", "next_steps": "争取专项债"}})
    result = ingest_upload(
        data, file_name="交通局3月.xlsx", unit=SMALL_ALIAS, actor=SYSTEM, received_at=APRIL_3, on_behalf=True
    )
    assert result.accepted and not result.duplicate
    assert (result.version, result.rows, result.unit, result.period) == (1, 4, SMALL_UNIT, "2023-03")
    with read_session() as session:
        submission = session.get(Submission, result.submission_id)
        assert submission is not None
        assert (submission.received_at, submission.on_behalf, submission.uploaded_by) == (APRIL_3, True, "命令行")
        assert (submission.filler, submission.phone, submission.head) == ("张三", "0559-3512345", "李四")
        assert submission.content == data and submission.size == len(data) and len(submission.sha256) == 64
        rows = session.exec(
            select(Task.no, SubmissionRow).join(Task, Task.id == SubmissionRow.task_id).order_by(Task.no)
        ).all()
        assert [no for no, _ in rows] == [53, 69, 75, 78]
        lagging = rows[-1][1]
        assert (lagging.role, lagging.status, lagging.progress) == ("牵头", "滞后", 30)
        assert (lagging.problems, lagging.next_steps) == ("资金未到位", "争取专项债")
        assert rows[0][1].progress_text == "本月完成方案编制并召开推进会（第53项）"
        logged = session.exec(select(AuditLog).where(AuditLog.action == "upload_accepted")).one()
    assert "交通局3月.xlsx" in logged.detail and "代为录入" in logged.detail


def test_versions_duplicates_and_original_files(loaded) -> None:
    first, second = filled(progress=50), filled(progress=70)
    v1 = ingest_upload(first, file_name="v1.xlsx", unit=SMALL_UNIT, actor=SYSTEM)
    again = ingest_upload(first, file_name="v1-again.xlsx", unit=SMALL_UNIT, actor=SYSTEM)
    assert again.accepted and again.duplicate and again.version == 1 and again.submission_id == v1.submission_id
    assert _counts() == (1, 4, 0)
    v2 = ingest_upload(second, file_name="v2.xlsx", unit=SMALL_UNIT, actor=SYSTEM)
    assert (v2.accepted, v2.duplicate, v2.version) == (True, False, 2)
    # Going back to the first file's content is a new version that becomes current.
    v3 = ingest_upload(first, file_name="v1-back.xlsx", unit=SMALL_UNIT, actor=SYSTEM)
    assert (v3.duplicate, v3.version) == (False, 3)
    with read_session() as session:
        unit = resolve_unit(session, SMALL_UNIT)
        period = get_period(session, "2023-03")
        history = submission_history(session, unit.id, period.id)  # type: ignore[union-attr]
        assert [(h.version, h.current, h.rows) for h in history] == [(3, True, 4), (2, False, 4), (1, False, 4)]
        assert original_file(session, v1.submission_id, SYSTEM) == ("v1.xlsx", first)  # type: ignore[arg-type]
        assert original_file(session, v2.submission_id, _unit_actor(SMALL_UNIT)) == ("v2.xlsx", second)  # type: ignore[arg-type]
        with pytest.raises(AccessDenied):
            original_file(session, v2.submission_id, _unit_actor("岩寺镇"))  # type: ignore[arg-type]


def test_rejected_attempts_are_logged_and_shown_in_history(loaded) -> None:
    bad = filled(rows={53: {"progress": "约50"}})
    result = ingest_upload(bad, file_name="错.xlsx", unit=SMALL_UNIT, actor=_unit_actor(SMALL_UNIT))
    assert not result.accepted and result.period == "2023-03"
    assert _counts() == (0, 0, 1)
    ok = ingest_upload(filled(), file_name="对.xlsx", unit=SMALL_UNIT, actor=_unit_actor(SMALL_UNIT))
    assert ok.accepted
    with read_session() as session:
        attempt = session.exec(select(RejectedAttempt)).one()
        assert (attempt.uploaded_by, attempt.error_count, attempt.file_name) == (SMALL_UNIT, 1, "错.xlsx")
        assert "约50" in attempt.errors_json
        unit = resolve_unit(session, SMALL_UNIT)
        history = submission_history(session, unit.id, attempt.period_id)  # type: ignore[union-attr,arg-type]
        assert session.exec(select(func.count()).where(AuditLog.action == "upload_rejected")).one() == 1
    assert [(h.accepted, h.result) for h in history] == [(True, "通过（当前版本）"), (False, "未通过")]
    assert history[1].error_count == 1


def test_a_failure_in_the_middle_of_ingestion_leaves_nothing(loaded, monkeypatch: pytest.MonkeyPatch) -> None:
    real_insert = ingest_module.insert_rows

    def failing_rows(session, table, rows) -> None:  # type: ignore[no-untyped-def]
        # The submission itself is written by now; half its task rows land, then the disk is full
        # (whichever way the rows go in: executemany on SQLite, COPY on PostgreSQL).
        real_insert(session, table, rows[: len(rows) // 2])
        raise RuntimeError("磁盘已满")

    with monkeypatch.context() as patched:
        patched.setattr(ingest_module, "insert_rows", failing_rows)
        with pytest.raises(RuntimeError):
            ingest_upload(filled(), file_name="a.xlsx", unit=SMALL_UNIT, actor=SYSTEM)
    assert _counts() == (0, 0, 0)
    with read_session() as session:
        assert session.exec(select(func.count()).select_from(AuditLog)).one() == 0

    def failing_audit(*args: object, **kwargs: object) -> None:
        raise RuntimeError("审计写入失败")

    monkeypatch.setattr(ingest_module, "audit", failing_audit)
    with pytest.raises(RuntimeError):
        ingest_upload(filled(), file_name="a.xlsx", unit=SMALL_UNIT, actor=SYSTEM)
    assert _counts() == (0, 0, 0)


def test_who_may_upload_what(loaded) -> None:
    own = _unit_actor(SMALL_UNIT)
    other = _unit_actor("岩寺镇")
    with pytest.raises(AccessDenied, match="无权代区交通运输局报送"):
        ingest_upload(b"not even read", file_name="x.xlsx", unit=SMALL_UNIT, actor=other)
    with pytest.raises(AccessDenied, match="只有督查室可以代为录入"):
        ingest_upload(filled(), file_name="x.xlsx", unit=SMALL_UNIT, actor=own, received_at=APRIL_3)
    with pytest.raises(UsageError, match="没有名为“不存在的局”的单位"):
        ingest_upload(filled(), file_name="x.xlsx", unit="不存在的局", actor=SYSTEM)
    with pytest.raises(UsageError, match="是群组"):
        ingest_upload(filled(), file_name="x.xlsx", unit="各乡镇", actor=SYSTEM)
    with pytest.raises(UsageError, match="晚于当前时间"):
        ingest_upload(filled(), file_name="x.xlsx", unit=SMALL_UNIT, actor=SYSTEM, received_at=datetime(2999, 1, 1))
    assert _counts() == (0, 0, 0)
    assert ingest_upload(filled(), file_name="x.xlsx", unit=SMALL_UNIT, actor=own).accepted


def test_a_group_member_reports_its_group_tasks(loaded) -> None:
    """岩寺镇 reports on the tasks of 各乡镇 as well as its own."""
    result = ingest_upload(filled(unit="岩寺镇"), file_name="岩寺镇.xlsx", unit="岩寺镇", actor=SYSTEM)
    assert result.accepted and result.rows == 42


def test_simultaneous_uploads_get_consecutive_versions(loaded) -> None:
    files = [filled(progress=p) for p in (10, 20, 30, 40)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda data: ingest_upload(data, file_name="x.xlsx", unit=SMALL_UNIT, actor=SYSTEM), files)
        )
    assert all(r.accepted and not r.duplicate for r in results)
    assert sorted(r.version for r in results) == [1, 2, 3, 4]  # type: ignore[type-var]
    assert _counts() == (4, 16, 0)


def test_uploads_of_one_unit_at_once_get_versions_in_the_order_they_are_received(loaded) -> None:
    """Eight people upload the same unit's month at once: the receive time is stamped under the
    write lock, so the highest version is the last received and every reader calls it current."""
    files = [filled(SMALL_UNIT, "2023-03", progress=60 + i) for i in range(8)]
    actor = _unit_actor(SMALL_UNIT)
    barrier = threading.Barrier(len(files))

    def upload(data: bytes) -> int | None:
        barrier.wait()
        return ingest_upload(data, file_name="月报.xlsx", unit=SMALL_UNIT, actor=actor).version

    with ThreadPoolExecutor(max_workers=len(files)) as pool:
        versions = list(pool.map(upload, files))
    assert sorted(v for v in versions if v is not None) == list(range(1, 9))
    with read_session() as session:
        unit = resolve_unit(session, SMALL_UNIT)
        period = get_period(session, "2023-03")
        assert unit is not None and unit.id is not None and period.id is not None
        stored = session.exec(
            select(Submission.version, Submission.received_at)
            .where(Submission.unit_id == unit.id, Submission.period_id == period.id)
            .order_by(Submission.version)
        ).all()
        current = current_submission(session, unit_id=unit.id, period_id=period.id, as_of=None)
        history = [e for e in submission_history(session, unit.id, period.id) if e.current]
    received = [at for _, at in stored]
    assert received == sorted(received)
    assert current is not None and current.version == 8
    assert [e.version for e in history] == [8]


def test_a_batch_lands_in_one_transaction_each_file_as_it_would_alone(loaded) -> None:
    files = [
        Incoming(filled(progress=50), "v1.xlsx", SMALL_UNIT),
        Incoming(filled(rows={53: {"progress": "约50"}}), "错.xlsx", SMALL_UNIT),
        Incoming(filled(progress=70), "v2.xlsx", SMALL_ALIAS),
        Incoming(filled("岩寺镇"), "岩寺.xlsx", "岩寺镇"),
    ]
    results = ingest_many(files, actor=SYSTEM)
    assert [(r.accepted, r.version) for r in results] == [(True, 1), (False, None), (True, 2), (True, 1)]
    assert results[1].errors and results[3].rows == 42
    assert _counts() == (3, 4 + 4 + 42, 1)


def test_an_all_or_nothing_batch_with_one_bad_file_stores_nothing(loaded) -> None:
    no = task_numbers("岩寺镇")[0]
    files = [
        Incoming(filled(), "好.xlsx", SMALL_UNIT),
        Incoming(filled("岩寺镇", rows={no: {"status": "完成了"}}), "岩寺.xlsx", "岩寺镇"),
    ]
    with pytest.raises(BatchRejected, match=r"岩寺\.xlsx 未通过校验") as refused:
        ingest_many(files, actor=SYSTEM, all_or_nothing=True)
    assert not refused.value.result.accepted and "完成了" in str(refused.value)
    assert _counts() == (0, 0, 0)
    with read_session() as session:
        assert session.exec(select(func.count()).select_from(AuditLog)).one() == 0


def test_a_batch_is_refused_before_anything_is_read_when_one_file_is_not_the_actors(loaded) -> None:
    files = [Incoming(filled(), "a.xlsx", SMALL_UNIT), Incoming(filled("岩寺镇"), "b.xlsx", "岩寺镇")]
    with pytest.raises(AccessDenied):
        ingest_many(files, actor=_unit_actor(SMALL_UNIT))
    assert _counts() == (0, 0, 0)
