"""Benchmark of ``python cli.py demo``: ten months of every unit's reports through the upload path.

    python bench/demo.py --repeat 3

On a fresh SQLite database with the 2023 registry it times the command as a user runs it (a
process of its own: start-up, the checks and the storing of all 660 files), the median of
``--repeat`` runs (each run replaces the previous run's demo data, as the command does). Two
references from the same run: ``python cli.py demo --clear`` on a database without demo data
(start-up and connecting, nothing to do), and a bare python-calamine read of the very files the
demo stored. Target: the demo within 10 s.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import python_calamine  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from db.engine import dispose_engines, read_session  # noqa: E402
from db.models import Submission  # noqa: E402
from registry.loader import init_database  # noqa: E402

TARGET_SECONDS = 10.0


def _command(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def _calamine_read_all(files: list[bytes]) -> float:
    start = time.perf_counter()
    for data in files:
        with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            book.get_sheet_by_name("月报").to_python()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        os.environ["DATABASE_URL"] = url
        dispose_engines()
        init_database(reset=True)
        env = {**os.environ, "DATABASE_URL": url}
        idle = [_command(["demo", "--clear"], env) for _ in range(args.repeat)]
        demo = [_command(["demo"], env) for _ in range(args.repeat)]
        with read_session() as session:
            files = list(session.exec(select(Submission.content).where(col(Submission.is_demo))))
        calamine = [_calamine_read_all(files) for _ in range(args.repeat)]
        dispose_engines()

    demo_s, idle_s, calamine_s = (statistics.median(x) for x in (demo, idle, calamine))
    print(f"| 项目（{len(files)} 份月报） | 用时 (s) | 演示 ÷ 此项 |")
    print("|---|---:|---:|")
    print(f"| `python cli.py demo` | {demo_s:.2f} | 1.0× |")
    print(f"| 参照：`python cli.py demo --clear`（启动、连库，无事可做） | {idle_s:.2f} | {demo_s / idle_s:.1f}× |")
    print(f"| 参照：calamine 读取同样的 {len(files)} 份文件 | {calamine_s:.2f} | {demo_s / calamine_s:.1f}× |")
    verdict = "达到" if demo_s <= TARGET_SECONDS else "未达到"
    print(f"\n目标：不超过 {TARGET_SECONDS:.0f} 秒（{verdict}）；各次：{'、'.join(f'{s:.2f}' for s in demo)} 秒。")


if __name__ == "__main__":
    main()
