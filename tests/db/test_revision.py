"""The data revision: every committed write moves it on, whichever way the write is made."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import cli
from accounts.access import SYSTEM
from accounts.audit import audit
from db.engine import create_schema, read_revision, write_session
from registry import units_admin
from registry.loader import init_database
from tests.conftest import ROOT


def test_a_commit_moves_the_revision_and_a_rollback_does_not(loaded) -> None:
    start = read_revision()
    with write_session() as session:
        audit(session, "测试", "login", "")
    assert read_revision() == start + 1
    with pytest.raises(ValueError), write_session() as session:
        units_admin.add_alias(session, actor=SYSTEM, unit="岩寺镇", alias="岩寺")
        raise ValueError("rolled back")
    assert read_revision() == start + 1
    with write_session() as session:
        assert read_revision(session) == start + 1  # read inside a transaction, before its commit


def test_a_new_database_starts_at_zero(db_url) -> None:
    create_schema()
    assert read_revision() == 0


def test_command_line_writes_move_it(loaded, capsys) -> None:
    start = read_revision()
    assert cli.main(["periods", "--close", "2023-03"]) == 0
    assert cli.main(["group", "set", "沿线各乡镇", "--members", "岩寺镇"]) == 0
    assert cli.main(["alias", "add", "岩寺", "--unit", "岩寺镇"]) == 0
    assert cli.main(["config", "set", "deadline_day", "6"]) == 0
    assert read_revision() == start + 4


def test_a_rebuilt_database_moves_beyond_the_old_revision(loaded, registry) -> None:
    for _ in range(3):
        with write_session() as session:
            audit(session, "测试", "login", "")
    before = read_revision()
    init_database(reset=True, registry=registry)
    assert read_revision() > before


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="restore is for SQLite")
def test_a_restored_database_moves_beyond_the_one_it_replaces(loaded, tmp_path: Path) -> None:
    backup = tmp_path / "备份.db"
    assert cli.main(["backup", str(backup)]) == 0
    for _ in range(5):
        with write_session() as session:
            audit(session, "测试", "login", "")
    before = read_revision()
    assert cli.main(["restore", str(backup), "--yes"]) == 0
    assert read_revision() > before


# Only these may open a session or a transaction of their own; everything else writes through
# ``write_session``, so its writes move the revision.
OWN_TRANSACTIONS = {"db/engine.py", "db/backup.py", "db/migrations/env.py"}
APP_CODE = ("accounts", "core", "cycle", "db", "intake", "office", "registry", "status", "ui", "pages")
OPENS_TRANSACTION = re.compile(r"\bSession\(|\.begin\(\)|\.connect\(|sqlite3\.connect|\.commit\(\)")


def test_the_app_writes_only_through_write_session() -> None:
    files = [ROOT / "app.py", ROOT / "cli.py", *(p for d in APP_CODE for p in (ROOT / d).rglob("*.py"))]
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        if path.relative_to(ROOT).as_posix() not in OWN_TRANSACTIONS
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OPENS_TRANSACTION.search(line)
    ]
    assert offenders == []
