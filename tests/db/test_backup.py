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


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="online backup is for SQLite")
def test_a_backup_leaves_nothing_but_itself(loaded, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    with write_session() as session:  # the live database has a write-ahead log with content
        audit(session, "测试", "setting_changed", {"i": 1}, at=datetime(2023, 1, 1))
    for name in ("first.db", "second.db"):
        assert cli.main(["backup", str(folder / name)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["first.db", "second.db"]
    with sqlite3.connect(folder / "first.db") as conn:  # a file of its own, not a write-ahead log's
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert sorted(p.name for p in folder.iterdir()) == ["first.db", "second.db"]
    assert _count(folder / "second.db", "auditlog") == _count(sqlite_path(), "auditlog")
    assert cli.main(["restore", str(folder / "first.db"), "--yes"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["first.db", "second.db"]
    with write_session() as session:  # the restored live database is writable as before
        audit(session, "测试", "setting_changed", {"i": 2}, at=datetime(2023, 1, 1))


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="online backup is for SQLite")
def test_a_backup_that_cannot_be_written_says_so_and_leaves_nothing(loaded, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert cli.main(["backup", str(blocker / "sub" / "x.db")]) == 1
    assert "无法写入备份" in capsys.readouterr().err
    assert cli.main(["backup", "/proc/nope/x.db"]) == 1
    assert "文件或目录不存在" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["file", "duban.db", *_live_extras(tmp_path)])


def _live_extras(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith("duban.db-")]
