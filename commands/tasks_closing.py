"""``task close`` and ``task reopen``: the office's 办结 of a task and its reopening (撤销办结).

Exit 0 done; 1 refused (not reported 已完成, already closed, not closed, unknown task), with a
Chinese message; 2 usage (a malformed date or number).
"""

from __future__ import annotations

import argparse
from datetime import date

from accounts.access import SYSTEM
from commands.common import usage
from db.engine import write_session
from office.closing import close_task, reopen_task
from registry.loader import ensure_loaded


def cmd_close(args: argparse.Namespace) -> int:
    try:
        on = date.fromisoformat(args.date)
    except ValueError:
        return usage(f"办结日期格式不正确：{args.date!r}，请写成 YYYY-MM-DD，例如 2023-06-30")
    ensure_loaded()
    with write_session() as session:
        done = close_task(session, year=args.year, no=args.no, on=on, note=args.note, actor=SYSTEM)
    print(f"第 {args.no} 项任务已办结（{done.closed_on.isoformat()}）：{done.last_month.next().code} 起不再报送")
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    ensure_loaded()
    with write_session() as session:
        reopen_task(session, year=args.year, no=args.no, reason=args.reason, actor=SYSTEM)
    print(f"第 {args.no} 项任务已撤销办结，恢复逐月报送")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("task", help="一项任务的办结（销号）与撤销办结")
    actions = p.add_subparsers(dest="action", required=True, metavar="操作")
    close = actions.add_parser("close", help="确认办结：牵头单位已报“已完成”的任务，次月起不再报送")
    close.add_argument("--no", type=int, required=True, help="任务序号")
    close.add_argument("--year", type=int, required=True, help="年度")
    close.add_argument("--date", required=True, help="办结日期 YYYY-MM-DD")
    close.add_argument("--note", required=True, help="办结说明")
    close.set_defaults(func=cmd_close)
    reopen = actions.add_parser("reopen", help="撤销办结，恢复逐月报送")
    reopen.add_argument("--no", type=int, required=True, help="任务序号")
    reopen.add_argument("--year", type=int, required=True, help="年度")
    reopen.add_argument("--reason", required=True, help="撤销理由")
    reopen.set_defaults(func=cmd_reopen)
