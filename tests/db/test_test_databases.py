"""The databases the tests start from (``tests/conftest.py``) are what production builds: a copy
of a template keeps the schema at the newest migration, the registry's rows, key sequences that
go on after those rows, and every constraint."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, func, select

from db.engine import create_schema, dispose_engines, get_engine, read_session, write_session
from db.migrate import alembic_config
from db.models import Task, TaskUnit, Unit
from registry.parser import ParsedRegistry


def test_a_loaded_database_is_at_the_newest_schema_with_the_registry(loaded: str) -> None:
    command.check(alembic_config())
    assert set(inspect(get_engine()).get_table_names()) == set(SQLModel.metadata.tables) | {"alembic_version"}
    with read_session() as session:
        assert session.exec(select(func.count()).select_from(Task)).one() == 125


def test_new_rows_get_the_next_key_and_constraints_hold(loaded: str) -> None:
    with read_session() as session:
        highest = session.exec(select(func.max(Unit.id))).one()
    with write_session() as session:
        unit = Unit(name="新单位", kind="部门")
        session.add(unit)
        session.flush()
        assert unit.id == highest + 1
    with pytest.raises(IntegrityError), write_session() as session:  # the foreign key
        session.add(TaskUnit(task_id=1, unit_id=highest + 100, role="牵头", position=99))
    with pytest.raises(IntegrityError), write_session() as session:  # a check constraint
        session.add(Unit(name="另一个单位", kind="不存在的类别"))
    with pytest.raises(IntegrityError), write_session() as session:  # a unique constraint
        session.add(Unit(name="新单位", kind="部门"))


def test_a_migrated_database_has_the_schema_and_no_rows(migrated: str) -> None:
    command.check(alembic_config())
    with read_session() as session:
        assert session.exec(select(func.count()).select_from(Unit)).one() == 0


def test_the_default_database_is_empty(db_url: str) -> None:
    assert inspect(get_engine()).get_table_names() == []


def test_each_test_has_its_own_copy_first(loaded: str) -> None:
    """Together with the next test: what one test writes, the next never sees."""
    _write_and_check_untouched()


def test_each_test_has_its_own_copy_second(loaded: str) -> None:
    _write_and_check_untouched()


def _write_and_check_untouched() -> None:
    with write_session() as session:
        assert session.exec(select(Unit).where(Unit.name == "测试留下的单位")).first() is None
        session.add(Unit(name="测试留下的单位", kind="部门"))


def _schema_signature() -> set[tuple[object, ...]]:
    """Everything the schema of the current database consists of, without the schema's name."""
    engine = get_engine()
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return set(conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master").all())
        queries = (
            """SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default
               FROM information_schema.columns WHERE table_schema = current_schema()""",
            """SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE connamespace = current_schema()::regnamespace""",
            """SELECT 'index', tablename, indexname, replace(indexdef, current_schema() || '.', '') FROM pg_indexes
               WHERE schemaname = current_schema()""",
            """SELECT sequencename, data_type::text, start_value, min_value, max_value, increment_by, cycle, cache_size
               FROM pg_sequences WHERE schemaname = current_schema()""",
            """SELECT 'owned', s.relname, t.relname, d.refobjsubid FROM pg_depend d
               JOIN pg_class s ON s.oid = d.objid JOIN pg_class t ON t.oid = d.refobjid
               WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace AND d.deptype = 'a'""",
        )
        return {tuple(row) for query in queries for row in conn.execute(text(query)).all()}


def test_a_copied_database_has_exactly_the_schema_the_migrations_build(
    migrated: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied = _schema_signature()
    url = make_url(migrated)
    if url.get_backend_name() == "sqlite":
        fresh_url, fresh_schema = f"sqlite:///{tmp_path / 'fresh.db'}", None
    else:
        fresh_schema = url.query["options"].rsplit("=", 1)[1] + "_fresh"  # type: ignore[union-attr]
        fresh_url = url.update_query_dict({"options": f"-csearch_path={fresh_schema}"}).render_as_string(False)
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {fresh_schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {fresh_schema}"))
    try:
        dispose_engines()
        monkeypatch.setenv("DATABASE_URL", fresh_url)
        create_schema()
        assert _schema_signature() == copied
    finally:
        dispose_engines()
        if fresh_schema:
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA {fresh_schema} CASCADE"))
            admin.dispose()


def test_a_two_years_database_has_2024_beside_2023(two_years: str, registry: ParsedRegistry) -> None:
    with read_session() as session:
        counts = dict(session.exec(select(Task.year, func.count()).group_by(Task.year)).all())
    assert counts == {2023: len(registry.tasks), 2024: len(registry.tasks) - 1}
