"""Benchmark of the dashboard pages at three scales.

    python bench/dashboards.py                      # all three scales
    python bench/dashboards.py --scales district    # one or more, comma-separated

Each scale runs in its own process: synthetic registry and monthly reports are bulk-inserted
into a temporary SQLite database, then every dashboard page and the reference page
``bench/reference_page.py`` are run through app.py with AppTest (signed in as the office),
cold (caches cleared, new session) and warm (the same session run again). Each page is run
once first so that imports are not timed; then all pages are run in turn ``--repeat`` times
and the medians reported; peak memory is the process's maximum RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = "参照页"
REFERENCE_PATH = "bench/reference_page.py"


@dataclass(frozen=True)
class Scale:
    tasks: int
    units: int
    months: int


SCALES = {
    "district": Scale(125, 90, 12),
    "city": Scale(1500, 600, 24),
    "province": Scale(10_000, 3000, 36),
}
PAGES = {
    "总览": "pages/overview.py",
    "按分类": "pages/by_category.py",
    "按领导": "pages/by_leader.py",
    "按单位": "pages/by_unit.py",
    "任务详情": "pages/task_detail.py",
}
STATUS_WEIGHTS = {"已完成": 2, "序时推进": 12, "滞后": 2, "未启动": 1}


def _progress(rng: random.Random, status: str, month: int) -> float:
    """Around 序时进度 when on track, well below it when lagging."""
    expected = month / 12 * 100
    if status in ("已完成", "未启动"):
        return 100.0 if status == "已完成" else 0.0
    below = rng.uniform(15, 40) if status == "滞后" else rng.gauss(0, 8)
    return float(min(99, max(1, round(expected - below))))


def build(scale: Scale, seed: int = 7) -> dict[str, int]:
    """Bulk-insert a registry and its monthly reports; returns row counts."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from core.period import Month
    from db.engine import bump_revision, create_schema, get_engine
    from db.models import Category, Leader, Period, Submission, SubmissionRow, Task, TaskLeader, TaskUnit, Unit
    from registry.obligations import refresh as refresh_obligations

    rng = random.Random(seed)
    create_schema()
    engine = get_engine()
    years = list(range(2024 - scale.months // 12, 2024))
    leaders = max(8, scale.tasks // 80)
    with engine.begin() as conn:
        conn.execute(
            insert(Unit),
            [
                {"id": i + 1, "name": f"单位{i + 1:05d}", "kind": "乡镇" if i % 13 == 0 else "部门", "note": ""}
                for i in range(scale.units)
            ],
        )
        conn.execute(insert(Leader), [{"id": i + 1, "name": f"领导{i + 1:03d}"} for i in range(leaders)])
        categories, tasks, task_leaders, task_units, periods = [], [], [], [], []
        for y, year in enumerate(years):
            for seq in range(10):
                categories.append(
                    {
                        "id": y * 10 + seq + 1,
                        "year": year,
                        "seq": seq,
                        "name": f"（{seq + 1}）第{seq + 1}类任务",
                        "short": f"第{seq + 1}类",
                    }
                )
            for no in range(1, scale.tasks + 1):
                task_id = y * scale.tasks + no
                tasks.append(
                    {
                        "id": task_id,
                        "year": year,
                        "no": no,
                        "category_id": y * 10 + (no * 10) // (scale.tasks + 1) + 1,
                        "text": f"第{no}项：推进重点项目建设，加快产业转型升级，确保年度目标任务按期完成。",
                    }
                )
                lead = (no - 1) % leaders + 1
                helpers = rng.sample([i for i in range(1, leaders + 1) if i != lead], rng.randint(0, 3))
                task_leaders += [{"task_id": task_id, "leader_id": lead, "role": "牵头", "position": 0}]
                task_leaders += [
                    {"task_id": task_id, "leader_id": h, "role": "协助", "position": p + 1}
                    for p, h in enumerate(helpers)
                ]
                lead_unit = (no - 1) % scale.units + 1
                co = rng.sample(
                    [u for u in rng.sample(range(1, scale.units + 1), 6) if u != lead_unit], rng.randint(0, 5)
                )
                task_units += [{"task_id": task_id, "unit_id": lead_unit, "role": "牵头", "position": 0}]
                task_units += [
                    {"task_id": task_id, "unit_id": u, "role": "配合", "position": p + 1} for p, u in enumerate(co)
                ]
            for month in range(1, 13):
                due = datetime(year + (month == 12), month % 12 + 1, 5, 23, 59, 59)
                periods.append(
                    {
                        "id": y * 12 + month,
                        "code": Month(year, month).code,
                        "year": year,
                        "month": month,
                        "due_at": due,
                        "due_note": "",
                        "closed": False,
                    }
                )
        for table, rows in (
            (Category, categories),
            (Task, tasks),
            (TaskLeader, task_leaders),
            (TaskUnit, task_units),
            (Period, periods),
        ):
            conn.execute(insert(table), rows)
        bump_revision(conn)  # written past write_session: move the revision on by hand
    with Session(engine) as session, session.begin():
        refresh_obligations(session)

    duties: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for row in task_units:
        year_index = (row["task_id"] - 1) // scale.tasks
        duties.setdefault((year_index, row["unit_id"]), []).append((row["task_id"], row["role"]))
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    submission_id = rows_written = 0
    with engine.begin() as conn:
        for period in periods:
            year_index = (period["id"] - 1) // 12
            submissions, rows = [], []
            for unit in range(1, scale.units + 1):
                items = duties.get((year_index, unit))
                if not items or rng.random() < 0.05:
                    continue
                received = period["due_at"] - timedelta(days=rng.randint(-6, 4))
                for version in range(1, 2 + (rng.random() < 0.05)):
                    submission_id += 1
                    submissions.append(
                        {
                            "id": submission_id,
                            "unit_id": unit,
                            "period_id": period["id"],
                            "version": version,
                            "received_at": received + timedelta(days=version - 1),
                            "uploaded_by": "bench",
                            "on_behalf": False,
                            "is_demo": False,
                            "file_name": "x.xlsx",
                            "size": 1,
                            "sha256": "-",
                            "content": b"-",
                            "filler": "",
                            "phone": "",
                            "head": "",
                        }
                    )
                    for task_id, role in items:
                        status = rng.choices(statuses, weights)[0]
                        progress = _progress(rng, status, period["month"])
                        rows.append(
                            {
                                "submission_id": submission_id,
                                "task_id": task_id,
                                "role": role,
                                "status": status,
                                "progress": progress,
                                "progress_text": "本月按计划推进各项工作，取得阶段性进展。",
                                "problems": "",
                                "next_steps": "",
                                "remarks": "",
                            }
                        )
            conn.execute(insert(Submission), submissions)
            conn.execute(insert(SubmissionRow), rows)
            rows_written += len(rows)
        bump_revision(conn)
    return {
        "tasks": len(tasks),
        "units": scale.units,
        "periods": len(periods),
        "submissions": submission_id,
        "rows": rows_written,
    }


def _admin() -> int:
    from accounts import users
    from accounts.access import SYSTEM
    from db.engine import write_session

    with write_session() as session:
        user = users.create_user(
            session,
            username="bench",
            password="bench-password-1",
            role="admin",
            actor=SYSTEM,
            must_change_password=False,
        )
        return user.id  # type: ignore[return-value]


def _session_token(user_id: int) -> str:
    """A server-side session for the bench account, as the sign-in endpoint would start."""
    from datetime import timedelta

    from accounts import sessions
    from db.engine import write_session

    with write_session() as session:
        return sessions.start(session, user_id=user_id, lifetime=timedelta(hours=12))


def _cold_and_warm(make) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Seconds of a cold run (caches cleared, new session), of a warm run right after it, and
    the process CPU time of the cold run: the script runs in a thread of this process, so on a
    busy machine the CPU time says what the page costs, the clock what a user would wait."""
    import streamlit as st

    st.cache_data.clear()
    at = make()
    started, cpu = time.perf_counter(), time.process_time()
    at.run()
    cold, cold_cpu = time.perf_counter() - started, time.process_time() - cpu
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    started = time.perf_counter()
    at.run()
    return cold, time.perf_counter() - started, cold_cpu


def measure(name: str, repeat: int) -> dict:
    scale = SCALES[name]
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
        sys.path.insert(0, str(ROOT))
        started = time.perf_counter()
        counts = build(scale)
        built = time.perf_counter() - started
        user_id = _admin()

        # AppTest sends no cookies: the pages read the session id from the session state instead.
        import streamlit as st
        from streamlit.testing.v1 import AppTest

        from ui import auth, pages_registry

        token = _session_token(user_id)
        auth.session_token = lambda: st.session_state.get("bench_session_token")  # type: ignore[assignment]

        # The reference page joins the page list in this process only, so that it runs
        # through app.py (sign-in check, navigation) exactly like the dashboards.
        pages_registry.PAGES.append(
            pages_registry.PageSpec(REFERENCE_PATH, REFERENCE, "📏", pages_registry.EVERYONE, "基准")
        )

        def page(path: str):  # type: ignore[no-untyped-def]
            def make():  # type: ignore[no-untyped-def]
                at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
                at.session_state["bench_session_token"] = token
                return at.switch_page(path)

            return make

        paths = {REFERENCE: REFERENCE_PATH, **PAGES}
        for path in paths.values():
            _cold_and_warm(page(path))  # imports and first-run costs, paid once per process
        runs: dict[str, list[tuple[float, float, float]]] = {title: [] for title in paths}
        for _ in range(repeat):  # round robin, so that a busy moment hits every page alike
            for title, path in paths.items():
                runs[title].append(_cold_and_warm(page(path)))
        times = {title: tuple(map(statistics.median, zip(*results, strict=True))) for title, results in runs.items()}
        from db.engine import dispose_engines

        dispose_engines()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"scale": name, "counts": counts, "build_seconds": built, "times": times, "peak_mb": peak_mb}


def _table(results: list[dict]) -> str:
    lines = [
        "| 规模 | 页面 | 冷启动 (s) | 热缓存 (s) | 冷启动 CPU (s) | 冷/参照 | 热/参照 | CPU 冷/参照 |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        ref_cold, ref_warm, ref_cpu = result["times"][REFERENCE]
        for title, (cold, warm, cpu) in result["times"].items():
            ratios = f"{cold / ref_cold:.2f}× | {warm / ref_warm:.2f}× | {cpu / ref_cpu:.2f}×"
            lines.append(f"| {result['scale']} | {title} | {cold:.3f} | {warm:.3f} | {cpu:.3f} | {ratios} |")
    lines.append("")
    lines.append("| 规模 | 任务（各年合计） | 单位 | 月份 | 报送 | 报送行 | 造数 (s) | 峰值内存 (MB) |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        c = r["counts"]
        lines.append(
            f"| {r['scale']} | {c['tasks']} | {c['units']} | {c['periods']} | {c['submissions']} | {c['rows']} "
            f"| {r['build_seconds']:.1f} | {r['peak_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="看板页面性能基准")
    parser.add_argument("--scales", default=",".join(SCALES), help="逗号分隔：district,city,province")
    parser.add_argument("--repeat", type=int, default=3, help="每页重复次数（取中位数）")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.repeat)))
        return 0
    names = [n.strip() for n in args.scales.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCALES]
    if unknown:
        parser.error(f"未知规模：{'、'.join(unknown)}；可选 {', '.join(SCALES)}")
    results = []
    for name in names:
        print(f"… {name}", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, __file__, "--one", name, "--repeat", str(args.repeat)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return 1
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
