"""Every test gets a database of its own: a temporary SQLite file or, when ``TEST_DATABASE_URL``
names a PostgreSQL database, a schema or database of this test process's own.

A test starts from one of three states, chosen by the fixtures it uses:

- empty (the default): no tables at all;
- ``migrated``: the newest schema, no rows;
- ``loaded``: the newest schema with the 2023 registry loaded.

The migrated and loaded states are built once per test process, through the same Alembic
migrations and loader as in production, and then copied for each test: SQLite copies the file,
PostgreSQL creates the test's database with ``CREATE DATABASE ... TEMPLATE``, an exact copy
(tables, constraints, indexes, sequences and their current values). An empty PostgreSQL database
is a fresh schema of the ``TEST_DATABASE_URL`` database. Everything a test wrote is thrown away
after it; no test sees another's data.

Password hashing is made cheap here (the parameters travel inside each hash, so verifying works
either way); the application and the processes the tests start keep the production parameters.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import streamlit as st
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, make_url, text
from streamlit.testing.v1 import AppTest

from accounts import users
from accounts.access import SYSTEM, Actor
from db.engine import create_schema, dispose_engines, write_session
from registry.loader import init_database
from registry.parser import ParsedRegistry, load_registry
from ui import auth

ROOT = Path(__file__).resolve().parent.parent

# The cheapest argon2id there is; production uses OWASP's parameters (accounts/users.py).
users._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

EMPTY, MIGRATED, LOADED = "empty", "migrated", "loaded"
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


def _build(state: str, registry: ParsedRegistry) -> None:
    """Bring the database that ``DATABASE_URL`` names from empty to ``state``."""
    if state == LOADED:
        init_database(registry=registry)
    elif state == MIGRATED:
        create_schema()


class SqliteDatabases:
    """Template files built on first use; each test gets a copy."""

    def __init__(self, folder: Path, registry: ParsedRegistry) -> None:
        self.folder = folder
        self.registry = registry
        self.templates: dict[str, Path] = {}

    def _template(self, state: str) -> Path:
        if state not in self.templates:
            path = self.folder / f"{state}.db"
            if state == LOADED:
                shutil.copyfile(self._template(MIGRATED), path)
            with _database(f"sqlite:///{path}"):
                _build(state, self.registry)
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
    """An empty test gets a fresh schema of the configured database; a migrated or loaded one a
    database of its own, created from a template database built once."""

    def __init__(self, base_url: str, registry: ParsedRegistry) -> None:
        self.base = make_url(base_url)
        self.registry = registry
        self.admin: Engine = create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.templates: dict[str, str] = {}
        self.counter = itertools.count()
        self._drop_leftovers()

    def _url(self, database: str) -> str:
        return self.base.set(database=database).render_as_string(hide_password=False)

    def _drop_leftovers(self) -> None:
        """Databases and schemas left by test processes that died before cleaning up."""
        if self.base.host not in (None, "", "localhost", "127.0.0.1", "::1"):
            return  # process ids only mean something on this machine
        like = {"pattern": r"duban\_test\_%"}
        with self.admin.connect() as conn:
            databases = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :pattern"), like).all()
            for (name,) in databases:
                if not _alive(name):
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            schemas = conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :pattern"), like).all()
            for (name,) in schemas:
                if not _alive(name):
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))

    def _template(self, state: str) -> str:
        if state not in self.templates:
            name = f"{_PREFIX}_template_{state}"
            source = self._template(MIGRATED) if state == LOADED else "template0"
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
            with _database(self._url(name)):
                _build(state, self.registry)
            self.templates[state] = name
        return self.templates[state]

    def create(self, state: str, folder: Path) -> str:
        if state == EMPTY:
            with self.admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {_PREFIX} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {_PREFIX}"))
            return self.base.update_query_dict({"options": f"-csearch_path={_PREFIX}"}).render_as_string(
                hide_password=False
            )
        template = self._template(state)
        name = f"{_PREFIX}_{next(self.counter)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return self._url(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        if name != self.base.database:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        with self.admin.connect() as conn:
            for name in self.templates.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f"DROP SCHEMA IF EXISTS {_PREFIX} CASCADE"))
        self.admin.dispose()


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
    state = LOADED if "loaded" in wanted else MIGRATED if "migrated" in wanted else EMPTY
    dispose_engines()
    url = _databases.create(state, tmp_path)
    request.node.stash[_state_key] = state
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    dispose_engines()
    _databases.drop(url)


@pytest.fixture
def migrated(request: pytest.FixtureRequest, db_url: str) -> str:
    """A database with the newest schema and no rows."""
    if request.node.stash.get(_state_key, EMPTY) == EMPTY:  # asked for late, by getfixturevalue
        create_schema()
    return db_url


@pytest.fixture
def loaded(request: pytest.FixtureRequest, db_url: str, registry: ParsedRegistry) -> str:
    """A database with the 2023 registry loaded."""
    if request.node.stash.get(_state_key, EMPTY) != LOADED:  # asked for late, by getfixturevalue
        init_database(registry=registry)
    return db_url


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


@pytest.fixture
def login_as(migrated: str) -> Callable[..., Actor]:
    """Sign an AppTest in before its first run: ``login_as(at)`` as the office,
    ``login_as(at, "unit", unit="岩寺镇")``, ``login_as(at, "leader", leader="黄劼")`` (those two
    need the ``loaded`` registry). The account (username: 督查室, the unit or the leader name,
    password ``TEST_PASSWORD``) is created on first use. Returns the actor."""

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
            at.session_state[auth.USER_KEY] = user.id
        return actor

    return _login
