"""The whole benchmark in one go: the machine, then the dashboards, the ingestion and the demo.

    python bench/run.py                              # everything (dashboards at three scales)
    python bench/run.py --scales district --no-postgres --repeat 7

Each part runs in a process of its own (``bench/dashboards.py``, ``bench/ingest.py``,
``bench/demo.py``); their
tables are printed as they come, in Markdown, ready for ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "未知"


def _memory_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    return "未知"


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"机器：{os.cpu_count()} 核（`nproc` = {len(os.sched_getaffinity(0))}），{_cpu_model()}，{_memory_gb()} 内存；"
        f"Python {platform.python_version()}，SQLite {sqlite3.sqlite_version}；开始时平均负载 {load}（1/5/15 分钟）。"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", help="看板的规模，逗号分隔（默认三级全部）")
    parser.add_argument("--repeat", type=int, help="每项重复次数，取中位数（默认各自的默认值）")
    parser.add_argument("--no-postgres", action="store_true", help="入库只测 SQLite")
    args = parser.parse_args()

    repeat = ["--repeat", str(args.repeat)] if args.repeat else []
    parts = [
        ("看板 / Dashboards", ["bench/dashboards.py", *repeat, *(["--scales", args.scales] if args.scales else [])]),
        ("月报入库 / Ingestion", ["bench/ingest.py", *repeat, *(["--no-postgres"] if args.no_postgres else [])]),
        ("演示数据 / Demo data", ["bench/demo.py", *repeat]),
    ]
    print(machine(), flush=True)
    failed = []
    for title, command in parts:
        print(f"\n## {title}\n", flush=True)
        if subprocess.run([sys.executable, *command], cwd=ROOT, check=False).returncode != 0:
            failed.append(title)
    if failed:
        print(f"\n未完成：{'、'.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
