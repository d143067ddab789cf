"""100 uploads at once, from threads and from separate processes: all accepted, none lost,
no "database is locked".

The 2023 registry has 65 units with reporting obligations, fewer than 100; so all 65 upload
for 2023-03 and the first 35 also for 2023-04, 100 (unit, period) uploads in all, each a
first version of its own.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from sqlmodel import select

from accounts.access import SYSTEM
from db.engine import read_session
from db.models import Period, Submission, Unit
from intake.ingest import IngestResult, ingest_upload
from registry.obligations import obligations
from tests.monthly_kit import filled
from tests.proof.support import ON_POSTGRES, ROOT, table_counts
from tests.proof.upload_worker import outcome

UPLOADS = 100
PROCESSES = 10
# Each thread may hold a pooled connection; PostgreSQL allows 100 in all by default.
THREADS_PER_PROCESS = 3 if ON_POSTGRES else 10


@cache
def _workbook(unit: str, period: str) -> bytes:
    """A filled report; the same bytes for every fresh database, as the registry loads the same."""
    return filled(unit=unit, period=period)


def _jobs() -> list[tuple[str, str, int]]:
    """(unit, period, number of tasks) for the 100 uploads."""
    with read_session() as session:
        tasks = obligations(session, 2023)
        names = dict(session.exec(select(Unit.id, Unit.name)).all())
    units = sorted(tasks)
    assert len(units) == 65
    jobs = [(names[u], "2023-03", len(tasks[u])) for u in units]
    jobs += [(names[u], "2023-04", len(tasks[u])) for u in units[: UPLOADS - len(units)]]
    return jobs


def _assert_all_stored(jobs: list[tuple[str, str, int]], outcomes: list[dict]) -> None:
    errors = [o["error"] for o in outcomes if o["error"]]
    assert not errors, errors  # "database is locked" would show here
    assert len(outcomes) == UPLOADS
    assert all(o["accepted"] and not o["duplicate"] and o["version"] == 1 for o in outcomes), outcomes
    assert sorted((o["unit"], o["period"], o["rows"]) for o in outcomes) == sorted(jobs)
    counts = table_counts()
    assert counts["submission"] == UPLOADS
    assert counts["submissionrow"] == sum(rows for _, _, rows in jobs)
    assert counts["rejectedattempt"] == 0
    with read_session() as session:
        stored = session.exec(
            select(Unit.name, Period.code, Submission.version, Submission.sha256)
            .join(Unit, Unit.id == Submission.unit_id)
            .join(Period, Period.id == Submission.period_id)
        ).all()
    expected = {(unit, period, 1, hashlib.sha256(_workbook(unit, period)).hexdigest()) for unit, period, _ in jobs}
    assert set(stored) == expected


def test_100_uploads_at_once_from_threads(loaded) -> None:
    jobs = _jobs()
    files = [_workbook(unit, period) for unit, period, _ in jobs]
    barrier = threading.Barrier(UPLOADS)

    def upload(i: int) -> IngestResult | Exception:
        unit, period, _ = jobs[i]
        barrier.wait()
        try:
            return ingest_upload(files[i], file_name=f"{unit}{period}.xlsx", unit=unit, actor=SYSTEM, period=period)
        except Exception as exc:  # collected, so every failure is listed
            return exc

    with ThreadPoolExecutor(max_workers=UPLOADS) as pool:
        results = list(pool.map(upload, range(UPLOADS)))
    _assert_all_stored(jobs, [outcome(unit, period, r) for (unit, period, _), r in zip(jobs, results, strict=True)])


def test_100_uploads_at_once_from_separate_processes(loaded, tmp_path: Path) -> None:
    jobs = _jobs()
    start = tmp_path / "start"
    workers: list[tuple[subprocess.Popen[str], Path]] = []
    for p in range(PROCESSES):
        mine = []
        for unit, period, _ in jobs[p::PROCESSES]:
            path = tmp_path / f"{unit}-{period}.xlsx"
            path.write_bytes(_workbook(unit, period))
            mine.append([str(path), unit, period])
        jobs_file, ready = tmp_path / f"jobs-{p}.json", tmp_path / f"ready-{p}"
        jobs_file.write_text(json.dumps(mine, ensure_ascii=False))
        command = [sys.executable, "-m", "tests.proof.upload_worker", jobs_file, ready, start, THREADS_PER_PROCESS]
        process = subprocess.Popen(
            [str(arg) for arg in command], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        workers.append((process, ready))
    try:
        deadline = time.monotonic() + 120
        while not all(ready.exists() for _, ready in workers):
            assert all(process.poll() is None for process, _ in workers), "a worker died while starting"
            assert time.monotonic() < deadline, "workers did not get ready"
            time.sleep(0.02)
        start.touch()
        outcomes = []
        for process, _ in workers:
            out, err = process.communicate(timeout=180)
            assert process.returncode == 0, err[-3000:]
            outcomes += [json.loads(line) for line in out.splitlines()]
    finally:
        for process, _ in workers:
            if process.poll() is None:
                process.kill()
                process.wait()
    _assert_all_stored(jobs, outcomes)
