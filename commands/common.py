"""What every subcommand shares: errors, JSON output, refusals, output files."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlmodel import Session

from core.files import os_reason
from core.text import unknown_unit
from db import queries
from db.models import Unit


class DataError(Exception):
    """A problem with the data or the input files; printed for the user, exit 1."""


class UsageProblem(Exception):
    """A wrong argument (an unknown unit or year, ...); printed for the user, exit 2."""


def known_unit(session: Session, name: str) -> Unit:
    """The unit ``--unit`` names (full name or registered alias), or ``UsageProblem``."""
    unit = queries.resolve_unit(session, name)
    if unit is None:
        raise UsageProblem(unknown_unit(name))
    return unit


def known_year(session: Session, year: int | None) -> None:
    """``UsageProblem`` unless ``--year`` is absent or a year whose tasks are loaded."""
    if year is None:
        return
    years = queries.registry_years(session)
    if year not in years:
        listed = "、".join(str(y) for y in years) or "无"
        raise UsageProblem(f"没有 {year} 年的任务（已载入的年份：{listed}）")


def print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


class Problem(Protocol):
    def as_json(self) -> dict[str, Any]: ...


def refused(problems: Sequence[Problem], *, as_json: bool, verdict: str) -> int:
    """Every problem of a refused file (as JSON or a line each), a summary on stderr; exit 1."""
    if as_json:
        print_json([p.as_json() for p in problems])
    else:
        for problem in problems:
            print(problem)
    print(f"{verdict}：共 {len(problems)} 处问题，未写入任何数据", file=sys.stderr)
    return 1


def usage(message: str) -> int:
    """A usage error: the message on stderr, exit 2."""
    print(f"错误：{message}", file=sys.stderr)
    return 2


def write_output(path: str, data: bytes) -> None:
    """Write through a temporary file beside the target, so a failure leaves nothing half-written."""
    out = Path(path)
    part = out.with_name(f".{out.name}.part")
    try:
        part.write_bytes(data)
        os.replace(part, out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise DataError(f"无法写入 {path}：{os_reason(exc)}") from None
