"""The primary key of a stored row, as an ``int``.

The tables declare ``id: int | None`` because a row has no key until it is flushed; a row read
from the database or flushed always has one. ``id_of`` says so to the type checker, and fails
loudly for a row that was never stored instead of letting ``None`` travel on.
"""

from __future__ import annotations

from typing import Protocol


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Stored) -> int:
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush the session first")
    return row.id
