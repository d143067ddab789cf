"""``notice``: issue a 督办单 (督办通知单) for a task that is 滞后 or 欠进度, and write the Word file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accounts.access import SYSTEM
from commands.common import known_year, usage, write_output
from db.engine import read_session, write_session
from office import notices
from registry.loader import ensure_loaded


def cmd_notice(args: argparse.Namespace) -> int:
    if Path(args.out).suffix.lower() != ".docx":
        return usage("--out 须为 .docx 文件，例如 --out 督办单.docx")
    ensure_loaded()
    with read_session() as session:
        known_year(session, args.year)
    with write_session() as session:  # written inside: a file that cannot be written issues nothing
        view = notices.issue_notice(session, SYSTEM, year=args.year, task_no=args.task)
        _, content = notices.notice_document(session, SYSTEM, notice_id=view.id)
        write_output(args.out, content)
    print(f"已印发 {view.number}：第 {view.task_no} 项任务，致{view.unit}，回复时限 {view.due}；文件 {args.out}")
    return 0


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("notice", help="为滞后或欠进度的任务印发督办单（Word）")
    p.add_argument("--task", required=True, type=int, help="任务序号")
    p.add_argument("--year", required=True, type=int, help="任务所属年度")
    p.add_argument("--out", required=True, help="输出的 .docx 文件路径")
    p.set_defaults(func=cmd_notice)
