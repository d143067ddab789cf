"""The Alembic migrations build exactly the schema the tables describe."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from sqlmodel import SQLModel

from db.engine import create_schema, get_engine
from db.migrate import alembic_config


def test_migrations_match_the_models() -> None:
    create_schema()
    command.check(alembic_config())  # raises when a model change has no migration
    tables = set(inspect(get_engine()).get_table_names())
    assert set(SQLModel.metadata.tables) | {"alembic_version"} == tables


# Tables that later migrations add: a database from before migrations existed lacks them.
LATER_TABLES = {"unit_obligation", "login_throttle", "auth_session"} | {
    "inspection",
    "inspection_task",
    "inspection_unit",
    "finding",
    "attachment",
    "instruction",
    "instruction_reply",
    "notice",
    "review",
    "review_row",
    "task_plan",
    "plan_milestone",
    "task_closure",
    "issued_bulletin",
}


def test_a_database_made_before_migrations_is_adopted() -> None:
    from db import models  # noqa: F401

    initial = [t for name, t in SQLModel.metadata.tables.items() if name not in LATER_TABLES]
    SQLModel.metadata.create_all(get_engine(), tables=initial)
    create_schema()
    command.check(alembic_config())
    with get_engine().connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() is not None


def test_group_members_become_each_years_own() -> None:
    """0006 keeps every year's members as they were: each membership is copied to every year
    that has tasks, so a later edit for one year leaves the others alone."""
    config = alembic_config()
    command.upgrade(config, "0005")
    with get_engine().begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO unit (id, name, kind, note) VALUES (1, '沿线各乡镇', '群组', ''), (2, '岩寺镇', '乡镇', ''),"
            " (3, '潜口镇', '乡镇', '')"
        )
        conn.exec_driver_sql(
            "INSERT INTO category (id, year, seq, name, short)"
            " VALUES (1, 2023, 1, '（一）甲', '甲'), (2, 2024, 1, '（一）甲', '甲')"
        )
        conn.exec_driver_sql(
            "INSERT INTO task (id, year, no, category_id, text) VALUES (1, 2023, 1, 1, '任务'), (2, 2024, 1, 2, '任务')"
        )
        conn.exec_driver_sql("INSERT INTO groupmember (group_id, member_id) VALUES (1, 2), (1, 3)")
    command.upgrade(config, "head")
    with get_engine().connect() as conn:
        rows = conn.exec_driver_sql("SELECT year, member_id FROM groupmember ORDER BY year, member_id").all()
    assert [tuple(r) for r in rows] == [(2023, 2), (2023, 3), (2024, 2), (2024, 3)]
    command.check(config)
