"""Ingest one file in a process of its own, under hard limits; print the outcome as one JSON line.

``python -m tests.proof.isolated_ingest FILE UNIT PERIOD`` (from the repository root). The
address space and CPU time are capped before anything is imported, so a file that made a
parser run away would kill only this process, and the test would see it.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ADDRESS_SPACE = 1536 * 1024 * 1024
CPU_SECONDS = 60


def _peak_mb() -> float:
    """This process's own peak resident memory. (``ru_maxrss`` would also count the parent's
    peak before the fork: Linux keeps it across ``execve``.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM missing from /proc/self/status")


def main(argv: list[str]) -> None:
    path, unit, period = argv
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))

    from accounts.access import SYSTEM
    from intake.ingest import ingest_upload

    data = Path(path).read_bytes()
    baseline = _peak_mb()
    start = time.perf_counter()
    result = ingest_upload(data, file_name=Path(path).name, unit=unit, actor=SYSTEM, period=period)
    seconds = time.perf_counter() - start
    outcome = {
        "accepted": result.accepted,
        "messages": [p.message for p in result.errors],
        "seconds": seconds,
        "baseline_mb": baseline,
        "peak_mb": _peak_mb(),
    }
    print(json.dumps(outcome, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
