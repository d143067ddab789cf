"""Online backup of a live SQLite database and restoring it, through the CLI."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

import cli
from accounts.audit import audit
from db.backup import sqlite_path
from db.engine import write_session


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="online backup is for SQLite")
def test_backup_while_writing_then_restore(loaded, tmp_path: Path, monkeypatch) -> None:
    stop = threading.Event()
    written = []

    def writer() -> None:
        i = 0
        while not stop.is_set():
            with write_session() as session:
                audit(session, "测试", "setting_changed", {"i": i}, at=datetime(2023, 1, 1))
            written.append(i)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        out = tmp_path / "backup" / "duban-backup.db"
        assert cli.main(["backup", str(out)]) == 0
    finally:
        stop.set()
        thread.join()

    with sqlite3.connect(out) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _count(out, "task") == 125
    copied = _count(out, "auditlog")
    assert 20 <= copied <= len(written)
    assert cli.main(["backup", str(out)]) == 1  # never overwrites a backup

    live = sqlite_path()
    assert _count(live, "auditlog") == len(written)
    assert cli.main(["restore", str(out)]) == 1  # needs --yes
    assert cli.main(["restore", str(out), "--yes"]) == 0
    assert _count(live, "auditlog") == copied
    assert _count(live, "task") == 125


def test_restore_refuses_a_file_that_is_not_a_database(loaded, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"not a database at all" * 100)
    assert cli.main(["restore", str(bogus), "--yes"]) == 1
