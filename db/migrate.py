"""Schema changes go through Alembic migrations in ``db/migrations``; ``upgrade`` applies them."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from db.engine import get_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade() -> None:
    """Bring the configured database to the newest schema.

    A database made before migrations existed (tables but no ``alembic_version``) is stamped
    as the first revision, then upgraded like any other.
    """
    config = alembic_config()
    tables = set(inspect(get_engine()).get_table_names())
    if "task" in tables and "alembic_version" not in tables:
        command.stamp(config, "0001")
    command.upgrade(config, "head")


def revision(message: str) -> None:
    """Write a new migration from the difference between the tables and the database."""
    command.revision(alembic_config(), message=message, autogenerate=True)
