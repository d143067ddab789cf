"""The test suite's own time, with its setup as it is and as it was before.

    python bench/suite.py                 # the whole suite, both ways, on SQLite
    python bench/suite.py tests/status    # only some tests (any pytest arguments)

Runs the README's test command (``python -m pytest``) twice in turn, in a process of its own
each time: as it is (each test copies a database built once per test process; passwords hashed
at the cheapest cost), then with ``DUBAN_TEST_SETUP=per-test`` (each test migrates and loads its
own database from nothing and hashes at the production cost, as the suite did before). Both
runs have the same tests and the same parallelism, so the ratio is what the setup costs. Prints
a Markdown table: the clock, the CPU time of the test processes, the load at start and end.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUPS = {"模板复制、低成本哈希（现在）": {}, "每个测试自建数据库、生产哈希（以前）": {"DUBAN_TEST_SETUP": "per-test"}}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Result:
    seconds: float
    cpu: float  # user and system time of pytest and every process it started
    code: int
    counts: str
    load: tuple[float, float]  # the 1-minute load average at start and end


def run(arguments: list[str], extra: dict[str, str]) -> Result:
    load = os.getloadavg()[0]
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *arguments],
        cwd=ROOT,
        env={**os.environ, **extra},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
    summary = re.findall(r"^=+ (.*) in [\d.]+s", done.stdout, re.MULTILINE)
    counts = re.findall(r"(\d+) (passed|failed|skipped|error)", summary[-1] if summary else done.stdout[-2000:])
    words = "、".join(f"{n} {word}" for n, word in counts) or "?"
    return Result(seconds, cpu, done.returncode, words, (load, os.getloadavg()[0]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pytest_args", nargs="*", help="交给 pytest 的参数（默认全部测试）")
    args = parser.parse_args()
    os.environ.pop("TEST_DATABASE_URL", None)  # SQLite: the README's test command
    print("| 测试准备 | 结果 | 墙钟 (s) | 测试进程 CPU (s) | 开始/结束时负载 |")
    print("|---|---|---:|---:|---:|")
    results = []
    for title, extra in SETUPS.items():
        result = run(args.pytest_args, extra)
        results.append(result)
        start, end = result.load
        print(
            f"| {title} | {result.counts} | {result.seconds:.0f} | {result.cpu:.0f} | {start:.1f} / {end:.1f} |",
            flush=True,
        )
    now, before = results
    print(f"\n以前 ÷ 现在：墙钟 {before.seconds / now.seconds:.2f} 倍，CPU {before.cpu / now.cpu:.2f} 倍")
    return 0 if all(r.code == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
