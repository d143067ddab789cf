"""Pooled PostgreSQL connections: one the server dropped while it sat idle in the pool is never
handed to a session; one in use a moment ago is handed out without a check (no round trip)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from db import engine as engine_module
from db.engine import get_engine, read_session

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="the pool's check is for a database server"
)


def _backend_pid() -> int:
    with read_session() as session:
        return session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    dialect = get_engine().dialect
    real_ping = dialect.do_ping
    pinged: list[int] = []

    def counted(dbapi_connection) -> bool:  # type: ignore[no-untyped-def]
        pinged.append(1)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return pinged


def test_a_connection_dropped_while_idle_is_replaced(migrated: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _backend_pid()
    other = create_engine(get_engine().url)
    try:
        with other.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar_one()
    finally:
        other.dispose()
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)  # as if it had been idle a while
    pinged = _pings(monkeypatch)
    assert _backend_pid() != first
    assert pinged


def test_a_connection_used_a_moment_ago_is_not_pinged(migrated: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _backend_pid()
    pinged = _pings(monkeypatch)
    assert _backend_pid() == first
    assert not pinged
