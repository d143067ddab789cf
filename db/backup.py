"""Consistent copies of a live SQLite database, with SQLite's online backup API."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from db.engine import database_url, dispose_engines


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


def _copy(source: sqlite3.Connection, target_path: Path) -> None:
    try:
        target = sqlite3.connect(target_path, timeout=30)
        try:
            source.backup(target)
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
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    _copy(sqlite3.connect(source_path, timeout=30), partial)
    _check(partial)
    partial.replace(out)
    return out


def restore(backup_file: Path) -> Path:
    """Replace the configured database's content with ``backup_file`` in one step."""
    backup_file = Path(backup_file)
    if not backup_file.exists():
        raise BackupError(f"备份文件不存在：{backup_file}")
    _check(backup_file)
    target_path = sqlite_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    dispose_engines()
    _copy(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True), target_path)
    return target_path
