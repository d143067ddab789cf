"""Every test gets a fresh, empty database: a temporary SQLite file, or, when
``TEST_DATABASE_URL`` names a PostgreSQL database, a schema of this test process's own
(so two runs on one server never meet), dropped and recreated for each test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import create_engine, text

from db.engine import dispose_engines
from seed.loader import init_database
from seed.parser import ParsedRegistry, load_registry

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
    if base_url:
        url = _fresh_postgres_schema(base_url)
    else:
        url = f"sqlite:///{tmp_path / 'duban.db'}"
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
