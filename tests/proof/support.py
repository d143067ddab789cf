"""Shared by the proof tests: row counts of every table, and CJK detection for messages."""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlmodel import SQLModel, func, select

from db import models  # noqa: F401  (registers the tables)
from db.engine import read_session

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def table_counts() -> dict[str, int]:
    with read_session() as session:
        return {
            table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables
        }
