"""One engine per database URL and process; SQLite by default, ``DATABASE_URL`` overrides.

Every write goes through ``write_session``, whose commit also moves the **data revision** on:
one integer in the one-row table ``data_revision``. Whatever a page caches is keyed by the
revision it read (``read_revision``), so a change made anywhere (a page, the command line,
another server process) is seen by every page's next run, and nothing has to clear a cache.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, SQLModel, create_engine

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = ROOT / "data" / "duban.db"

_engines: dict[str, Engine] = {}


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB_PATH}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event below decide how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # Writers take the write lock up front: two deferred transactions that both
        # upgrade to writing would otherwise fail with "database is locked".
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# A pooled connection idle longer than this is pinged before it is handed out; one in use a
# moment ago is not (a ping is a round trip to the server, before every session otherwise).
IDLE_PING_SECONDS = 10.0
_RECYCLE_SECONDS = 3600  # and none is kept longer, whatever closes idle connections on the way


def _ping_when_idle(engine: Engine) -> None:
    """Hand out no connection the server has dropped (a restart, a timeout): the check of
    ``pool_pre_ping``, made only for connections that were idle, so a burst of sessions costs
    no extra round trips. A connection that fails the ping is replaced by a new one."""

    @event.listens_for(engine, "connect")
    def _on_connect(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        if time.monotonic() - record.info.get("returned_at", 0.0) <= IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the connection was dropped while idle") from exc


def get_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    engine = _engines.get(url)
    if engine is None:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            _configure_sqlite(engine)
        else:
            engine = create_engine(url, pool_recycle=_RECYCLE_SECONDS)
            _ping_when_idle(engine)
        _engines[url] = engine
    return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests switch databases; backups need a quiet file)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


# --- the data revision ---------------------------------------------------------

_READ_REVISION = text("SELECT n FROM data_revision WHERE id = 1")
# One statement for both: ``past`` lifts the revision beyond one seen before (reset, restore).
_BUMP_REVISION = text("UPDATE data_revision SET n = CASE WHEN n > :past THEN n ELSE :past END + 1 WHERE id = 1")
_FIRST_REVISION = text("INSERT INTO data_revision (id, n) VALUES (1, :past + 1)")


def read_revision(conn: Connection | Session | None = None) -> int:
    """The data revision: one read by primary key (in ``conn``'s transaction if given)."""
    if conn is None:
        with get_engine().connect() as own:
            return read_revision(own)
    connection = conn.connection() if isinstance(conn, Session) else conn
    return connection.execute(_READ_REVISION).scalar() or 0


def bump_revision(conn: Connection, *, past: int = 0) -> None:
    """Move the revision on, in the caller's transaction (and beyond ``past`` if given).

    ``write_session`` does this for every write; call it only for a write made another way."""
    if conn.execute(_BUMP_REVISION, {"past": past}).rowcount == 0:
        conn.execute(_FIRST_REVISION, {"past": past})  # a database whose row went missing


# --- sessions ---------------------------------------------------------------------


@contextmanager
def read_session() -> Iterator[Session]:
    with Session(get_engine()) as session:
        yield session


@contextmanager
def lookup_session() -> Iterator[Session]:
    """A session for a lookup of a statement or two that needs no transaction of its own.

    On PostgreSQL its statements run in autocommit: no BEGIN before them and no ROLLBACK after
    (two round trips), each seeing what was committed when it started, as it would inside a
    READ COMMITTED transaction. Elsewhere (SQLite, in process) it is a ``read_session``."""
    engine = get_engine()
    if engine.dialect.name != "postgresql":
        with read_session() as session:
            yield session
        return
    with Session(engine.execution_options(isolation_level="AUTOCOMMIT")) as session:
        yield session


@contextmanager
def write_session(*, moves_revision: bool = True) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error.

    Its last statement moves the data revision on, so no write can leave a page's cache stale.
    Pending changes are flushed first: the revision's row is locked only for the moment before
    the commit, and no transaction waits for another while holding it. Only bookkeeping that no
    page caches (a session's last activity) passes ``moves_revision=False``."""
    engine = get_engine().execution_options(sqlite_immediate=True)
    with Session(engine) as session, session.begin():
        yield session
        session.flush()
        if moves_revision:
            bump_revision(session.connection())


def create_schema() -> None:
    """Bring the database to the newest schema through the Alembic migrations."""
    from db.migrate import upgrade

    upgrade()


def drop_schema() -> int:
    """Drop every table; returns the data revision the database had (0 if none), which the
    rebuilt database must move beyond (``bump_revision(past=...)``): a running server may hold
    cached reads of the old revisions."""
    from db import models  # noqa: F401  (registers the tables)

    engine = get_engine()
    with engine.connect() as conn:
        past = read_revision(conn) if conn.dialect.has_table(conn, "data_revision") else 0
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    return past
