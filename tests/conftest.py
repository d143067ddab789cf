"""Every test gets a fresh, empty database: a temporary SQLite file, or, when
``TEST_DATABASE_URL`` names a PostgreSQL database, a schema of this test process's own
(so two runs on one server never meet), dropped and recreated for each test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from accounts import users
from accounts.access import SYSTEM, Actor
from db.engine import create_schema, dispose_engines, write_session
from registry.loader import init_database
from registry.parser import ParsedRegistry, load_registry
from ui import auth

ROOT = Path(__file__).resolve().parent.parent


def _fresh_postgres_schema(base_url: str) -> str:
    schema = f"duban_test_{os.getpid()}"
    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def registry() -> ParsedRegistry:
    return load_registry()


@pytest.fixture(autouse=True)
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    dispose_engines()
    base_url = os.environ.get("TEST_DATABASE_URL")
    url = _fresh_postgres_schema(base_url) if base_url else f"sqlite:///{tmp_path / 'duban.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    dispose_engines()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    dispose_engines()


@pytest.fixture
def loaded(db_url: str, registry: ParsedRegistry) -> str:
    """A database with the 2023 registry loaded."""
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
def login_as(db_url: str) -> Callable[..., Actor]:
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
