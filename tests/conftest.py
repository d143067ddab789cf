"""Every test gets a fresh, empty database: a temporary SQLite file, or the PostgreSQL
database named by ``TEST_DATABASE_URL`` with its schema dropped and recreated."""

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


def _wipe_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def registry() -> ParsedRegistry:
    return load_registry()


@pytest.fixture(autouse=True)
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        dispose_engines()
        _wipe_postgres(url)
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
