"""What every subcommand shares: errors, JSON output, refusals, output files."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from core.files import os_reason


class DataError(Exception):
    """A problem with the data or the input files; printed for the user, exit 1."""


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
