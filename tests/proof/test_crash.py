"""A process killed in the middle of an ingest leaves no partial submission.

The child (``tests/proof/crashing_ingest.py``) uploads the largest report, 岩寺镇 with 42
tasks, and stops inside the transaction; it is then killed with SIGKILL, which no cleanup
code can intercept. Afterwards nothing of it is in the database, SQLite's file is intact, and
the same file ingests normally as version 1.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accounts.access import SYSTEM
from db.backup import sqlite_path
from intake.ingest import ingest_upload
from tests.monthly_kit import filled, task_numbers
from tests.proof.support import ON_POSTGRES, ROOT, table_counts

UNIT = "岩寺镇"


TASKS = 42


@pytest.mark.parametrize(
    ("point", "rows_held"),
    [("submission", (0, 0)), (f"rows={TASKS // 2}", (TASKS // 2, TASKS)), ("commit", (TASKS, TASKS))],
    ids=["after the submission", "amid its rows", "before the commit"],
)
def test_killed_inside_the_transaction_leaves_nothing(
    loaded, tmp_path: Path, point: str, rows_held: tuple[int, int]
) -> None:
    data = filled(unit=UNIT)
    assert len(task_numbers(UNIT)) == TASKS
    path, stopped = tmp_path / f"{UNIT}.xlsx", tmp_path / "stopped.json"
    path.write_bytes(data)
    before = table_counts()

    child = subprocess.Popen(
        [sys.executable, "-m", "tests.proof.crashing_ingest", str(path), UNIT, "2023-03", str(stopped), point],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not stopped.exists():
            assert child.poll() is None, child.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the child never reached the stopping point"
            time.sleep(0.02)
        held = json.loads(stopped.read_text())
        # Inside its open transaction the child sees its own writes; nobody else does.
        assert held["submission"] == before["submission"] + 1
        # Rows may be inserted one by one or in batches, depending on the database.
        assert rows_held[0] <= held["submissionrow"] - before["submissionrow"] <= rows_held[1]
        assert table_counts() == before
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate()
    assert child.returncode == -signal.SIGKILL

    assert table_counts() == before
    if not ON_POSTGRES:
        with sqlite3.connect(sqlite_path()) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    result = ingest_upload(data, file_name=path.name, unit=UNIT, actor=SYSTEM, period="2023-03")
    assert (result.accepted, result.duplicate, result.version, result.rows) == (True, False, 1, TASKS)
