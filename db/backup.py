"""Consistent copies of a live SQLite database, with SQLite's online backup API."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from core.files import os_reason
from db.engine import bump_revision, create_schema, database_url, dispose_engines, get_engine


class BackupError(ValueError):
    """The backup or restore cannot be done; the message says why in Chinese."""


def sqlite_path(url: str | None = None) -> Path:
    parsed = make_url(url or database_url())
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise BackupError("备份与恢复只适用于内置的 SQLite 数据库；PostgreSQL 请使用 pg_dump / pg_restore")
    return Path(parsed.database)


def _check(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            conn.execute("SELECT count(*) FROM task").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} 不是有效的督办数据库：{exc}") from None
    if ok != "ok":
        raise BackupError(f"{path} 完整性检查未通过：{ok}")


def _copy(source: sqlite3.Connection, target_path: Path, *, standalone: bool = False) -> None:
    """Copy page by page. ``standalone``: the copy is a single file, in rollback-journal mode,
    rather than in the live database's write-ahead-log mode, which would leave ``-wal`` and
    ``-shm`` files beside it whenever it is opened (even read-only, as ``_check`` does)."""
    try:
        target = sqlite3.connect(target_path, timeout=30)
        try:
            source.backup(target)
            if standalone:
                target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    finally:
        source.close()


def backup(out: Path) -> Path:
    """Copy the live database to ``out`` page by page while others keep writing."""
    source_path = sqlite_path()
    if not source_path.exists():
        raise BackupError(f"数据库文件不存在：{source_path}")
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} 已存在，请换一个文件名，以免覆盖已有备份")
    partial = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _copy(sqlite3.connect(source_path, timeout=30), partial, standalone=True)
        _check(partial)
        partial.replace(out)
    except (OSError, sqlite3.Error) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else str(exc)
        raise BackupError(f"无法写入备份 {out}：{reason}；请换一个可写的目录") from None
    finally:
        for leftover in (partial, *(partial.with_name(partial.name + end) for end in ("-journal", "-wal", "-shm"))):
            with contextlib.suppress(OSError):  # absent, or its folder could not be made
                leftover.unlink()
    return out


def _revision_of(path: Path) -> int:
    """The data revision of the database at ``path``; 0 if it has none (yet)."""
    try:
        with sqlite3.connect(path, timeout=30) as conn:
            row = conn.execute("SELECT n FROM data_revision WHERE id = 1").fetchone()
    except sqlite3.DatabaseError:
        return 0
    return row[0] if row else 0


def restore(backup_file: Path) -> Path:
    """Replace the configured database's content with ``backup_file`` in one step.

    The restored database is brought to the current schema, and its data revision is moved
    beyond the one it replaces, so no cached read of the replaced data can be taken for it."""
    backup_file = Path(backup_file)
    if not backup_file.exists():
        raise BackupError(f"备份文件不存在：{backup_file}")
    _check(backup_file)
    target_path = sqlite_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    past = _revision_of(target_path) if target_path.exists() else 0
    dispose_engines()
    _copy(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True), target_path)
    create_schema()
    with get_engine().begin() as conn:
        bump_revision(conn, past=past)
    return target_path
