"""Many rows into one table in one statement, in the caller's transaction.

On PostgreSQL the rows go in by ``COPY … FROM STDIN``: one statement and one stream, where an
``executemany`` of INSERTs makes the server run one statement per row. COPY checks every
constraint an INSERT does (NOT NULL, CHECK, UNIQUE, foreign keys) and fails the transaction in
the same way; its errors are raised as SQLAlchemy's, as an INSERT's would be. Elsewhere (SQLite,
in process) the driver's ``executemany`` of one prepared INSERT is already the fast way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy
from sqlalchemy import Table, insert
from sqlmodel import Session


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (column name → value, all with the same columns) into ``table``."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    import psycopg
    from psycopg import sql

    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except psycopg.IntegrityError as exc:
        raise sqlalchemy.exc.IntegrityError(statement.as_string(driver), None, exc) from exc
    except psycopg.Error as exc:
        raise sqlalchemy.exc.DBAPIError(statement.as_string(driver), None, exc) from exc
