"""An ingest that stops inside its transaction and waits there to be killed.

``python -m tests.proof.crashing_ingest FILE UNIT PERIOD SIGNAL POINT`` (from the repository
root). POINT is where to stop: ``submission`` (just after the submission's own row is
inserted), ``rows=N`` (just after the first N of its task rows are in) or
``commit`` (everything written, the COMMIT about to be sent). There the hook counts what the
open transaction holds, writes it to SIGNAL as JSON, and sleeps; the test then kills the
process with SIGKILL. The hook lives here, not in the application.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, event

import intake.ingest as ingest_module
from accounts.access import SYSTEM
from intake.ingest import ingest_upload

SUBMISSION_INSERT = re.compile(r"^\s*INSERT INTO submission\b", re.IGNORECASE)


def _held(dbapi_connection) -> dict[str, int]:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    held = {}
    for table in ("submission", "submissionrow"):
        cursor.execute(f"SELECT count(*) FROM {table}")
        held[table] = cursor.fetchone()[0]
    return held


def _stop(signal: str, held: dict[str, int]) -> None:
    partial = Path(f"{signal}.partial")
    partial.write_text(json.dumps(held))
    partial.rename(signal)
    time.sleep(600)


def main(argv: list[str]) -> None:
    path, unit, period, signal, point = argv

    if point == "commit":

        @event.listens_for(Engine, "commit")
        def _before_commit(conn) -> None:  # type: ignore[no-untyped-def]
            _stop(signal, _held(conn.connection.dbapi_connection))

    elif point == "submission":

        @event.listens_for(Engine, "after_cursor_execute")
        def _after_insert(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
            if SUBMISSION_INSERT.match(statement):
                _stop(signal, _held(cursor.connection))

    else:
        rows = int(point.split("=")[1])
        real_insert = ingest_module.insert_rows

        def _rows_then_stop(session, table, values) -> None:  # type: ignore[no-untyped-def]
            # The first ``rows`` task rows in, however they go (executemany or COPY), then stop.
            real_insert(session, table, values[:rows])
            _stop(signal, _held(session.connection().connection.dbapi_connection))

        ingest_module.insert_rows = _rows_then_stop

    ingest_upload(Path(path).read_bytes(), file_name=Path(path).name, unit=unit, actor=SYSTEM, period=period)
    raise SystemExit("the ingest finished without reaching the stopping point")


if __name__ == "__main__":
    main(sys.argv[1:])
