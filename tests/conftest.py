"""Every test gets a database of its own: a temporary SQLite file or, when ``TEST_DATABASE_URL``
names a PostgreSQL database, a schema or database of this test process's own.

A test starts from one of four states, chosen by the fixtures it uses:

- empty (the default): no tables at all;
- ``migrated``: the newest schema, no rows;
- ``loaded``: the newest schema with the 2023 registry loaded;
- ``two_years``: loaded, and the 2024 registry of ``next_year_registry`` beside it.

All but the empty state are built once per test process, each from the one before it, through
the same Alembic migrations and loader as in production, and then copied for each test: SQLite
copies the file; PostgreSQL fills the test's fresh schema from a template schema
(``clone_statements``: tables, constraints, indexes, sequences at their current values, rows). An
empty PostgreSQL database is a fresh schema of the ``TEST_DATABASE_URL`` database. Everything a
test wrote is thrown away after it; no test sees another's data.

Password hashing is made cheap here (the parameters travel inside each hash, so verifying works
either way); the application and the processes the tests start keep the production parameters.

With ``DUBAN_TEST_SETUP=per-test`` the suite runs as it did before both of these: every test
migrates and loads its own database from nothing and hashes at the production cost. Only
``bench/suite.py`` sets it, to time the same tests both ways.
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, Row, create_engine, make_url, text
from streamlit.testing.v1 import AppTest

from accounts import sessions, users
from accounts.access import SYSTEM, Actor
from db.engine import create_schema, dispose_engines, write_session
from registry.loader import init_database
from registry.parser import ParsedRegistry, load_registry
from ui import auth

ROOT = Path(__file__).resolve().parent.parent

PER_TEST = os.environ.get("DUBAN_TEST_SETUP") == "per-test"
if not PER_TEST:  # the cheapest argon2id there is; production uses OWASP's parameters (accounts/users.py)
    users._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

EMPTY, MIGRATED, LOADED, TWO_YEARS = "empty", "migrated", "loaded", "two_years"
STATES = (EMPTY, MIGRATED, LOADED, TWO_YEARS)  # each built on the one before it
_PREFIX = f"duban_test_{os.getpid()}"


@contextmanager
def _database(url: str) -> Iterator[None]:
    """Point the application at ``url`` for a while, as a test does for its whole run."""
    saved = os.environ.get("DATABASE_URL")
    dispose_engines()
    os.environ["DATABASE_URL"] = url
    try:
        yield
    finally:
        dispose_engines()
        if saved is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = saved


def _step(state: str, registry: ParsedRegistry) -> None:
    """Bring the database that ``DATABASE_URL`` names from the state before ``state`` to it."""
    if state == MIGRATED:
        create_schema()
    elif state == LOADED:
        init_database(registry=registry)
    elif state == TWO_YEARS:
        init_database(registry=next_year_registry(registry))


def _build(state: str, registry: ParsedRegistry) -> None:
    """Bring the database that ``DATABASE_URL`` names from empty to ``state``."""
    for step in STATES[1 : STATES.index(state) + 1]:
        _step(step, registry)


class SqliteDatabases:
    """Template files built on first use; each test gets a copy."""

    def __init__(self, folder: Path, registry: ParsedRegistry) -> None:
        self.folder = folder
        self.registry = registry
        self.templates: dict[str, Path] = {}

    def _template(self, state: str) -> Path:
        if state not in self.templates:
            path = self.folder / f"{state}.db"
            before = STATES[STATES.index(state) - 1]
            if before != EMPTY:
                shutil.copyfile(self._template(before), path)
            with _database(f"sqlite:///{path}"):
                _step(state, self.registry)
            # Closing the last connection checkpoints the write-ahead log into the file.
            assert not Path(f"{path}-wal").exists(), "the template is still open"
            self.templates[state] = path
        return self.templates[state]

    def create(self, state: str, folder: Path) -> str:
        path = folder / "duban.db"
        if state != EMPTY:
            shutil.copyfile(self._template(state), path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        pass

    def close(self) -> None:
        pass


class PostgresDatabases:
    """Each test gets the schema ``duban_test_<pid>`` of the configured database. A migrated or
    loaded one is filled from a template schema built once: ``clone_statements`` copies its
    tables, keys, constraints, indexes, sequences (at their current values) and rows.

    Making the schema anew takes about a second, most of it in the catalogues; so when the
    previous test left the schema's definitions as the copy made them (``catalog_mark``: no
    object added, dropped or altered), only its rows and sequences are put back instead
    (``refill_statements``). Otherwise, and for an empty database, it is dropped and made anew."""

    def __init__(self, base_url: str, registry: ParsedRegistry) -> None:
        self.base = make_url(base_url)
        self.registry = registry
        self.admin: Engine = create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.clones: dict[str, str] = {}  # state: the script that fills the test's schema
        self.refills: dict[str, str] = {}  # state: the script that puts its rows back
        self.filled: str | None = None  # the test schema's catalog mark, as last filled
        self._drop_leftovers()

    def url(self, schema: str) -> str:
        return self.base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)

    def _drop_leftovers(self) -> None:
        """Schemas left by test processes that died before cleaning up."""
        if self.base.host not in (None, "", "localhost", "127.0.0.1", "::1"):
            return  # process ids only mean something on this machine
        like = {"pattern": r"duban\_test\_%"}
        with self.admin.connect() as conn:
            schemas = conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :pattern"), like).all()
            for (name,) in schemas:
                if not _alive(name):
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))

    def _clone(self, state: str) -> str:
        if state not in self.clones:
            template = f"{_PREFIX}_template_{state}"
            with self.admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {template} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {template}"))
            with _database(self.url(template)):
                _build(state, self.registry)
            with self.admin.connect() as conn:
                self.clones[state] = ";\n".join(clone_statements(conn, template))
                self.refills[state] = ";\n".join(refill_statements(conn, template))
        return self.clones[state]

    def create(self, state: str, folder: Path) -> str:
        with self.admin.connect() as conn:
            script = f"DROP SCHEMA IF EXISTS {_PREFIX} CASCADE;\nCREATE SCHEMA {_PREFIX};\n"
            if state != EMPTY:
                fill = self._clone(state)
                if self.filled is not None and catalog_mark(conn, _PREFIX) == self.filled:
                    script, fill = "", self.refills[state]  # the definitions are as the copy made them
                script += f"SET LOCAL search_path TO {_PREFIX};\n{fill};\n"
            conn.exec_driver_sql(f"BEGIN;\n{script}COMMIT")  # one round trip, one transaction
            self.filled = None if state == EMPTY else catalog_mark(conn, _PREFIX)
        return self.url(_PREFIX)

    def drop(self, url: str) -> None:
        pass  # the next test drops it, or ``close``

    def close(self) -> None:
        with self.admin.connect() as conn:
            for state in self.clones:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {_PREFIX}_template_{state} CASCADE"))
            conn.execute(text(f"DROP SCHEMA IF EXISTS {_PREFIX} CASCADE"))
        self.admin.dispose()


def _rows(conn: Connection, query: str, schema: str) -> list[Row[Any]]:
    return list(conn.execute(text(query), {"schema": schema}).all())


def clone_statements(conn: Connection, source: str) -> list[str]:
    """SQL that makes the current schema an exact copy of schema ``source``: run it with
    ``search_path`` set to the new schema. Only what migrations create here is supported (tables,
    primary and unique keys, foreign keys, checks, indexes, serial sequences); anything else in
    ``source`` fails here, so a new kind of object is never silently left out."""
    unsupported = _rows(
        conn,
        """SELECT c.relname || ' (' || c.relkind::text || ')' FROM pg_class c
           WHERE c.relnamespace = CAST(:schema AS regnamespace) AND c.relkind NOT IN ('r', 'i', 'S')
           UNION ALL SELECT p.proname FROM pg_proc p WHERE p.pronamespace = CAST(:schema AS regnamespace)
           UNION ALL SELECT t.typname FROM pg_type t WHERE t.typnamespace = CAST(:schema AS regnamespace)
             AND t.typtype <> 'c' AND t.typelem = 0 AND t.typrelid = 0
           UNION ALL SELECT g.tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             WHERE c.relnamespace = CAST(:schema AS regnamespace) AND NOT g.tgisinternal
           UNION ALL SELECT a.attrelid::regclass::text || '.' || a.attname FROM pg_attribute a
             JOIN pg_class c ON c.oid = a.attrelid
             WHERE c.relnamespace = CAST(:schema AS regnamespace) AND (a.attidentity <> '' OR a.attgenerated <> '')""",
        source,
    )
    assert not unsupported, f"the test schema copy does not handle {unsupported}; extend clone_statements"
    conn.execute(text(f"SET search_path TO {source}"))  # so that definitions name no schema
    try:
        tables = [
            name
            for (name,) in _rows(
                conn,
                "SELECT relname FROM pg_class WHERE relnamespace = CAST(:schema AS regnamespace) AND relkind = 'r'"
                " ORDER BY relname",
                source,
            )
        ]
        sequences = _rows(
            conn,
            """SELECT s.relname, t.relname, a.attname, format_type(q.seqtypid, NULL), q.seqincrement, q.seqmin,
                      q.seqmax, q.seqstart, q.seqcache, q.seqcycle
               FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid
               JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'a'
               JOIN pg_class t ON t.oid = d.refobjid
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
               WHERE s.relnamespace = CAST(:schema AS regnamespace) ORDER BY s.relname""",
            source,
        )
        all_sequences = _rows(
            conn,
            "SELECT count(*) FROM pg_class WHERE relnamespace = CAST(:schema AS regnamespace) AND relkind = 'S'",
            source,
        )[0][0]
        assert all_sequences == len(sequences), "a sequence that belongs to no column; extend clone_statements"
        constraints = _rows(
            conn,
            """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
               FROM pg_constraint c WHERE c.connamespace = CAST(:schema AS regnamespace)
               AND c.contype IN ('p', 'u', 'x', 'f') ORDER BY c.contype = 'f', c.conrelid::regclass::text, c.conname""",
            source,
        )
        indexes = _rows(
            conn,
            """SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE c.relnamespace = CAST(:schema AS regnamespace)
               AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname""",
            source,
        )
    finally:
        conn.execute(text("RESET search_path"))

    def quoted(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    like = "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS"
    statements = [f"CREATE TABLE {quoted(t)} (LIKE {source}.{quoted(t)} {like})" for t in tables]
    for seq, table, column, kind, increment, low, high, start, cache, cycle in sequences:
        statements += [
            f"CREATE SEQUENCE {quoted(seq)} AS {kind} INCREMENT BY {increment} MINVALUE {low} MAXVALUE {high}"
            f" START WITH {start} CACHE {cache} {'CYCLE' if cycle else 'NO CYCLE'}"
            f" OWNED BY {quoted(table)}.{quoted(column)}",
            f"ALTER TABLE {quoted(table)} ALTER COLUMN {quoted(column)} SET DEFAULT nextval('{quoted(seq)}'::regclass)",
        ]
    statements += [
        f"ALTER TABLE {table} ADD CONSTRAINT {quoted(name)} {definition}"
        for table, name, definition, kind in constraints
        if kind != "f"
    ]
    for (definition,) in indexes:
        qualified = f" ON {source}."
        assert qualified in definition, definition
        statements.append(definition.replace(qualified, " ON ", 1))
    statements += [f"INSERT INTO {quoted(t)} SELECT * FROM {source}.{quoted(t)}" for t in tables]
    statements += [
        f"SELECT setval('{quoted(seq)}', last_value, is_called) FROM {source}.{quoted(seq)}" for seq, *_ in sequences
    ]
    statements += [  # after the rows, which may then come in any order
        f"ALTER TABLE {table} ADD CONSTRAINT {quoted(name)} {definition}"
        for table, name, definition, kind in constraints
        if kind == "f"
    ]
    return statements


# Every catalogue row that defines an object of the schema, by its id and the transaction that
# last wrote it: any DDL on the schema (an object added, dropped, altered, renamed, granted, a
# default or a constraint changed) writes one of these rows and changes the mark; rows written
# to the tables do not. A catalogue frozen by VACUUM changes it too, which costs only a rebuild.
_CATALOG_MARK = """
SELECT md5(coalesce(string_agg(item, ' ' ORDER BY item), '')) FROM (
  SELECT 'n' || oid || ':' || xmin FROM pg_namespace WHERE oid = :ns
  UNION ALL SELECT 'c' || oid || ':' || xmin FROM pg_class WHERE relnamespace = :ns
  UNION ALL SELECT 'a' || a.attrelid || '.' || a.attnum || ':' || a.xmin FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = :ns
  UNION ALL SELECT 'd' || d.oid || ':' || d.xmin FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
    WHERE c.relnamespace = :ns
  UNION ALL SELECT 'k' || oid || ':' || xmin FROM pg_constraint WHERE connamespace = :ns
  UNION ALL SELECT 'i' || i.indexrelid || ':' || i.xmin FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    WHERE c.relnamespace = :ns
  UNION ALL SELECT 't' || g.oid || ':' || g.xmin FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
    WHERE c.relnamespace = :ns
  UNION ALL SELECT 'r' || r.oid || ':' || r.xmin FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
    WHERE c.relnamespace = :ns
  UNION ALL SELECT 'o' || p.oid || ':' || p.xmin FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
    WHERE c.relnamespace = :ns
  UNION ALL SELECT 'q' || q.seqrelid || ':' || q.xmin FROM pg_sequence q JOIN pg_class c ON c.oid = q.seqrelid
    WHERE c.relnamespace = :ns
  UNION ALL SELECT 'p' || oid || ':' || xmin FROM pg_proc WHERE pronamespace = :ns
  UNION ALL SELECT 'y' || oid || ':' || xmin FROM pg_type WHERE typnamespace = :ns
  UNION ALL SELECT 'l' || oid || ':' || xmin FROM pg_collation WHERE collnamespace = :ns
  UNION ALL SELECT 'x' || oid || ':' || xmin FROM pg_operator WHERE oprnamespace = :ns
) AS items(item)
"""


def catalog_mark(conn: Connection, schema: str) -> str | None:
    """A digest of the definitions of ``schema``'s objects (None if there is no such schema)."""
    namespace = conn.execute(text("SELECT CAST(to_regnamespace(:schema) AS oid)"), {"schema": schema}).scalar()
    if namespace is None:
        return None
    mark: str = conn.execute(text(_CATALOG_MARK), {"ns": namespace}).scalar_one()
    return mark


def refill_statements(conn: Connection, source: str) -> list[str]:
    """SQL that gives the current schema, an exact copy of schema ``source`` whose rows may
    since have changed, ``source``'s rows and sequence values again (run it with ``search_path``
    set to the copy): the rows are deleted and copied in the order of the foreign keys."""
    relations = "SELECT relname FROM pg_class WHERE relnamespace = CAST(:schema AS regnamespace) AND relkind = :kind"
    tables = [name for (name,) in conn.execute(text(relations), {"schema": source, "kind": "r"}).all()]
    sequences = [name for (name,) in conn.execute(text(relations), {"schema": source, "kind": "S"}).all()]
    parents: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in _rows(
        conn,
        """SELECT child.relname, parent.relname FROM pg_constraint c
           JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid
           WHERE c.connamespace = CAST(:schema AS regnamespace) AND c.contype = 'f' AND c.conrelid <> c.confrelid""",
        source,
    ):
        parents[child].add(parent)
    ordered: list[str] = []  # every table after the tables it refers to
    while len(ordered) < len(tables):
        ready = sorted(t for t in tables if t not in ordered and parents[t] <= set(ordered))
        assert ready, f"foreign keys in a cycle among {set(tables) - set(ordered)}; extend refill_statements"
        ordered += ready

    def quoted(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    return [
        *(f"DELETE FROM {quoted(t)}" for t in reversed(ordered)),
        *(f"INSERT INTO {quoted(t)} SELECT * FROM {source}.{quoted(t)}" for t in ordered),
        *(f"SELECT setval('{quoted(seq)}', last_value, is_called) FROM {source}.{quoted(seq)}" for seq in sequences),
    ]


def _alive(name: str) -> bool:
    """Whether the test process named in ``duban_test_<pid>...`` is still running."""
    pid = name.split("_")[2]
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def registry() -> ParsedRegistry:
    return load_registry()


@pytest.fixture(scope="session")
def _databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteDatabases | PostgresDatabases]:
    base_url = os.environ.get("TEST_DATABASE_URL")
    registry = load_registry()
    databases = (
        PostgresDatabases(base_url, registry)
        if base_url
        else SqliteDatabases(tmp_path_factory.mktemp("templates"), registry)
    )
    yield databases
    databases.close()


_state_key = pytest.StashKey[str]()


@pytest.fixture(autouse=True)
def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    _databases: SqliteDatabases | PostgresDatabases,
) -> Iterator[str]:
    """The test's own database, in the state its fixtures ask for (see the module's docstring)."""
    wanted = request.fixturenames
    state = EMPTY if PER_TEST else next((s for s in reversed(STATES) if s in wanted), EMPTY)
    dispose_engines()
    url = _databases.create(state, tmp_path)
    request.node.stash[_state_key] = state
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    dispose_engines()
    _databases.drop(url)


def _reached(request: pytest.FixtureRequest, state: str) -> bool:
    """Whether the test's database was copied in ``state`` or a later one (a fixture asked for
    late, by ``getfixturevalue``, finds an earlier state and builds its own step)."""
    return STATES.index(request.node.stash.get(_state_key, EMPTY)) >= STATES.index(state)


@pytest.fixture
def migrated(request: pytest.FixtureRequest, db_url: str) -> str:
    """A database with the newest schema and no rows."""
    if not _reached(request, MIGRATED):
        create_schema()
    return db_url


@pytest.fixture
def loaded(request: pytest.FixtureRequest, db_url: str, registry: ParsedRegistry) -> str:
    """A database with the 2023 registry loaded."""
    if not _reached(request, LOADED):
        init_database(registry=registry)
    return db_url


# The second year of ``two_years``: the 2023 breakdown without its last task and without 区税务局.
NEXT_YEAR = 2024
DROPPED_UNIT = "区税务局"


def next_year_registry(registry: ParsedRegistry) -> ParsedRegistry:
    tasks = tuple(
        dataclasses.replace(task, units=tuple(u for u in task.units if u != DROPPED_UNIT))
        for task in registry.tasks[:-1]
    )
    return dataclasses.replace(registry, year=NEXT_YEAR, tasks=tasks)


@pytest.fixture
def two_years(request: pytest.FixtureRequest, loaded: str, registry: ParsedRegistry) -> str:
    """2023 as loaded, and 2024 beside it (124 tasks, 区税务局 not among its units)."""
    if not _reached(request, TWO_YEARS):
        init_database(registry=next_year_registry(registry))
    return loaded


TEST_PASSWORD = "test-password-1"


def add_user(username: str, role: str, *, must_change: bool = False, **kwargs: str) -> None:
    """An account with password ``TEST_PASSWORD`` (``unit=`` / ``leader=`` as for ``create_user``)."""
    with write_session() as session:
        users.create_user(
            session,
            username=username,
            password=TEST_PASSWORD,
            role=role,
            actor=SYSTEM,
            must_change_password=must_change,
            **kwargs,
        )


# AppTest cannot send cookies: under it the session id is read from this session-state key instead.
TEST_TOKEN_KEY = "test_session_token"


def cookie_from_session_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the pages read the session id from ``TEST_TOKEN_KEY`` (AppTest has no cookies)."""
    monkeypatch.setattr(auth, "session_token", lambda: st.session_state.get(TEST_TOKEN_KEY))


def start_session(at: AppTest, username: str) -> str:
    """A server-side session for ``username``, handed to ``at`` as its cookie; returns the id."""
    with write_session() as session:
        user = users.get_user(session, username)
        assert user is not None and user.id is not None
        token = sessions.start(session, user_id=user.id, lifetime=timedelta(hours=12))
    at.session_state[TEST_TOKEN_KEY] = token
    return token


@pytest.fixture
def login_as(migrated: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Actor]:
    """Sign an AppTest in before its first run: ``login_as(at)`` as the office,
    ``login_as(at, "unit", unit="岩寺镇")``, ``login_as(at, "leader", leader="黄劼")`` (those two
    need the ``loaded`` registry). The account (username: 督查室, the unit or the leader name,
    password ``TEST_PASSWORD``) is created on first use, with a server-side session whose id the
    pages read from the AppTest's session state (``TEST_TOKEN_KEY``) instead of a cookie.
    Returns the actor."""
    cookie_from_session_state(monkeypatch)

    def _login(at: AppTest, role: str = "admin", *, unit: str = "岩寺镇", leader: str = "黄劼") -> Actor:
        create_schema()
        username = {"admin": "督查室", "unit": unit, "leader": leader}[role]
        with write_session() as session:
            user = users.get_user(session, username)
            if user is None:
                user = users.create_user(
                    session,
                    username=username,
                    password=TEST_PASSWORD,
                    role=role,
                    unit=unit if role == "unit" else None,
                    leader=leader if role == "leader" else None,
                    actor=SYSTEM,
                    must_change_password=False,
                )
            actor = users.actor_for(user)
        start_session(at, username)
        return actor

    return _login


_STATE_CARD = re.compile(r"<div[^>]*>(?P<label>[^<]*)</div><div[^>]*><span[^>]*>(?P<value>[^<]*)</span></div>")


def figures(at: AppTest) -> dict[str, str]:
    """The page's figures, label → value: its metrics and its state cards (``ui.charts.state_card``)."""
    found = {m.label: m.value for m in at.metric}
    for block in at.markdown:
        match = _STATE_CARD.fullmatch(block.value)
        if match:
            found[html.unescape(match["label"])] = html.unescape(match["value"])
    return found
