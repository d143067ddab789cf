"""One of several processes uploading at once; prints one JSON line per upload.

``python -m tests.proof.upload_worker JOBS READY START THREADS`` (from the repository root):
JOBS is a JSON list of [file, unit, period]. The worker reads its files, creates READY, waits
until START exists, then runs every upload on THREADS threads. An exception is reported, not
raised, so the test sees every outcome, including any "database is locked".
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from accounts.access import SYSTEM
from intake.ingest import IngestResult, ingest_upload

START_TIMEOUT = 120


def outcome(unit: str, period: str, result: IngestResult | Exception) -> dict:
    """What the concurrency test checks about one upload, as plain JSON."""
    if isinstance(result, Exception):
        return {"unit": unit, "period": period, "error": f"{type(result).__name__}: {result}"}
    return {
        "unit": unit,
        "period": period,
        "error": None,
        "accepted": result.accepted,
        "duplicate": result.duplicate,
        "version": result.version,
        "rows": result.rows,
    }


def _upload(job: tuple[str, bytes, str, str]) -> dict:
    name, data, unit, period = job
    try:
        return outcome(unit, period, ingest_upload(data, file_name=name, unit=unit, actor=SYSTEM, period=period))
    except Exception as exc:  # reported to the test, which fails on it
        return outcome(unit, period, exc)


def main(argv: list[str]) -> None:
    jobs_file, ready, start, threads = argv
    jobs = [
        (Path(f).name, Path(f).read_bytes(), unit, period)
        for f, unit, period in json.loads(Path(jobs_file).read_text())
    ]
    Path(ready).touch()
    deadline = time.monotonic() + START_TIMEOUT
    while not Path(start).exists():
        if time.monotonic() > deadline:
            raise SystemExit("never told to start")
        time.sleep(0.005)
    with ThreadPoolExecutor(max_workers=int(threads)) as pool:
        for line in pool.map(_upload, jobs):
            print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
