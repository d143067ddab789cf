"""Benchmark of monthly-report ingestion, on SQLite and (when reachable) on PostgreSQL.

    python bench/ingest.py                   # both databases
    python bench/ingest.py --no-postgres     # SQLite only

For a 130-row and a 2,000-row sheet (a synthetic unit responsible for that many tasks) it times
a bare python-calamine read, an openpyxl read, and the whole upload path (file checks,
validation, one transaction of ingestion); then the whole district: the real registry's
reporting units, 90 files for 2023-03 and 2023-04, ingested one after another in one go.
Medians of ``--repeat`` runs; the calamine read and the upload take turns, each timed both by
the clock and by the process's CPU time (which a busy machine's other work does not inflate, but
which leaves out the database server's own time on PostgreSQL). Targets: the 130-row upload
within 5× the bare calamine read on SQLite, 10× on PostgreSQL; the 90 district files in under 3 s.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import python_calamine  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from accounts.access import SYSTEM  # noqa: E402
from db.engine import dispose_engines, write_session  # noqa: E402
from db.models import Category, Task, TaskUnit, Unit  # noqa: E402
from db.queries import resolve_unit  # noqa: E402
from intake.ingest import ingest_upload  # noqa: E402
from intake.template import build_template, fill_workbook  # noqa: E402
from registry.loader import init_database  # noqa: E402
from registry.obligations import obligations  # noqa
from registry.obligations import refresh as refresh_obligations  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_UNIT = "基准测试单位"
HEADER = {"填报人": "张三", "联系电话": "0559-3512345", "单位主要负责人": "李四"}


def _median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _alternating(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple[float, float]]:
    """name -> (median wall time, median process CPU time), the runs taking turns so that a
    change of load on a busy machine falls on all of them alike."""
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start)
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name in runs}


def _use_database(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    dispose_engines()


def _fresh_postgres() -> str | None:
    schema = "duban_bench"
    try:
        engine = create_engine(POSTGRES)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
            version = conn.execute(text("SHOW server_version")).scalar()
        engine.dispose()
    except Exception as exc:  # any failure means: no PostgreSQL here
        print(f"PostgreSQL not reachable, skipped: {exc.__class__.__name__}")
        return None
    print(f"PostgreSQL {version}（本机，{POSTGRES.split('@')[1]}）\n")
    return f"{POSTGRES}?options=-csearch_path%3D{schema}"


def _add_bench_unit(rows: int) -> None:
    """A unit leading ``rows`` extra tasks of 2023, so its sheet has that many rows."""
    with write_session() as session:
        unit = Unit(name=f"{BENCH_UNIT}{rows}", kind="部门")
        session.add(unit)
        category = session.exec(select(Category).where(Category.year == 2023)).first()
        last = max(session.exec(select(Task.no).where(Task.year == 2023)).all())
        session.flush()
        for offset in range(1, rows + 1):
            text_ = f"基准任务第{offset}项：推进重点项目建设。"
            task = Task(year=2023, no=last + offset, category_id=category.id, text=text_)
            session.add(task)
            session.flush()
            session.add(TaskUnit(task_id=task.id, unit_id=unit.id, role="牵头", position=1))
        session.flush()
        refresh_obligations(session, year=2023)


def _filled(unit: str, period: str, variant: int = 0) -> bytes:
    with write_session() as session:
        unit_row = resolve_unit(session, unit)
        template = build_template(session, unit_row.id, period)
        tasks = obligations(session, 2023).get(unit_row.id, [])
    values = {
        o.task_no: {
            "status": "序时推进",
            "progress": 40 + variant % 50,
            "progress_text": f"本月推进第{o.task_no}项工作（{variant}）",
        }
        for o in tasks
    }
    return fill_workbook(template, values, HEADER)


def _calamine_read(data: bytes) -> None:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    book.get_sheet_by_name("月报").to_python()


def _openpyxl_read(data: bytes) -> None:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for _ in book["月报"].iter_rows(values_only=True):
        pass
    book.close()


def sheet_rows(label: str, rows: int, repeat: int) -> dict[str, float]:
    unit = f"{BENCH_UNIT}{rows}"
    _add_bench_unit(rows)
    files = [_filled(unit, "2023-03", variant) for variant in range(repeat + 1)]
    openpyxl = _median(lambda: _openpyxl_read(files[0]), repeat)
    pending = iter(files)

    def upload() -> None:
        result = ingest_upload(next(pending), file_name="bench.xlsx", unit=unit, actor=SYSTEM)
        assert result.accepted, result.errors[:3]

    upload()  # the first upload of the run opens the connection
    timed = _alternating({"calamine": lambda: _calamine_read(files[0]), "upload": upload}, repeat)
    (calamine, calamine_cpu), (full, full_cpu) = timed["calamine"], timed["upload"]
    return {
        "rows": rows,
        "calamine": calamine,
        "openpyxl": openpyxl,
        "upload": full,
        "calamine_cpu": calamine_cpu,
        "upload_cpu": full_cpu,
    }


def district(repeat: int) -> float:
    """The real registry's reporting units, 90 files, ingested in one go."""
    with write_session() as session:
        units = [u.name for u in session.exec(select(Unit).order_by(Unit.id)) if u.id in obligations(session, 2023)]
    jobs = [(u, "2023-03") for u in units] + [(u, "2023-04") for u in units]
    jobs = jobs[:90]
    files = [(u, p, _filled(u, p)) for u, p in jobs]
    start = time.perf_counter()
    for unit, _period, data in files:
        result = ingest_upload(data, file_name=f"{unit}.xlsx", unit=unit, actor=SYSTEM)
        assert result.accepted, result.errors[:3]
    return time.perf_counter() - start


def run(url: str, repeat: int) -> tuple[list[dict[str, float]], float]:
    _use_database(url)
    init_database(reset=True)
    sheets = [sheet_rows("130", 130, repeat), sheet_rows("2000", 2000, repeat)]
    return sheets, district(repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    targets = {}
    with tempfile.TemporaryDirectory() as tmp:
        targets["SQLite"] = f"sqlite:///{Path(tmp) / 'bench.db'}"
        if not args.no_postgres and (pg := _fresh_postgres()):
            targets["PostgreSQL"] = pg
        print(
            "| 数据库 | 表格行数 | calamine 读取 | openpyxl 读取 | 上传全过程（检查+校验+入库） | 上传 ÷ calamine "
            "| CPU 时间：calamine / 上传 | CPU 时间之比 |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        districts = {}
        for name, url in targets.items():
            sheets, districts[name] = run(url, args.repeat)
            for s in sheets:
                ratio = s["upload"] / s["calamine"]
                print(
                    f"| {name} | {s['rows']:.0f} | {s['calamine'] * 1000:.1f} ms | {s['openpyxl'] * 1000:.1f} ms "
                    f"| {s['upload'] * 1000:.1f} ms | {ratio:.1f}× "
                    f"| {s['calamine_cpu'] * 1000:.1f} / {s['upload_cpu'] * 1000:.1f} ms "
                    f"| {s['upload_cpu'] / s['calamine_cpu']:.1f}× |"
                )
        print()
        print("| 数据库 | 全区 90 份月报逐份入库 | 目标 |")
        print("|---|---:|---:|")
        for name, seconds in districts.items():
            print(f"| {name} | {seconds:.2f} s | < 3 s |")
    dispose_engines()


if __name__ == "__main__":
    main()
