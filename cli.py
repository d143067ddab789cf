"""Duban command line for the office and for automation.

Exit codes: 0 success, 1 data error (message on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from db import backup, queries
from db.engine import database_url, read_session
from seed.loader import ensure_loaded, init_database
from seed.units import SeedError


class DataError(Exception):
    """A problem with the data or the input files; printed for the user, exit 1."""


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# --- registry ---------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    result = init_database(reset=args.reset)
    if result.changed:
        print(
            f"已载入 {result.year} 年任务 {result.tasks_added} 项，单位 {result.units_added} 个，"
            f"别名 {result.aliases_added} 个；数据库：{database_url()}"
        )
    else:
        print(f"数据库已是最新，无需改动：{database_url()}")
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    ensure_loaded()
    with read_session() as session:
        views = queries.tasks(session)
    if args.json:
        _print_json([v.as_json() for v in views])
    else:
        for v in views:
            print(f"{v.no:>3}  {v.category_short}  {v.lead_leader}  {v.lead_unit}  {v.text[:40]}")
    return 0


def cmd_units(args: argparse.Namespace) -> int:
    ensure_loaded()
    with read_session() as session:
        views = queries.units(session)
    if args.json:
        _print_json([v.as_json() for v in views])
    else:
        for v in views:
            extra = f"  别名：{'、'.join(v.aliases)}" if v.aliases else ""
            if v.kind == "群组":
                extra += f"  成员：{'、'.join(v.members) or '（待督查室指定）'}"
            print(f"{v.name}（{v.kind}）{extra}")
    return 0


# --- maintenance ------------------------------------------------------------


def cmd_backup(args: argparse.Namespace) -> int:
    out = backup.backup(Path(args.out))
    print(f"已备份到 {out}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    if not args.yes:
        raise DataError("恢复会用备份覆盖当前数据库的全部内容；确认无误请加 --yes 再运行")
    target = backup.restore(Path(args.backup_file))
    print(f"已用 {args.backup_file} 恢复数据库 {target}")
    return 0


# --- parser -----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python cli.py", description="督办：政府工作报告重点任务督查")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("init", help="建库并载入任务清单（可重复运行）")
    p.add_argument("--reset", action="store_true", help="清空数据库后按文件重建")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("tasks", help="列出全部任务")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_tasks)

    p = sub.add_parser("units", help="列出全部单位、别名与群组")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_units)

    p = sub.add_parser("backup", help="在线备份 SQLite 数据库（运行中也可备份）")
    p.add_argument("out", help="备份文件路径（不能已存在）")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="用备份文件恢复数据库（先停止系统）")
    p.add_argument("backup_file", help="由 backup 生成的备份文件")
    p.add_argument("--yes", action="store_true", help="确认覆盖当前数据库")
    p.set_defaults(func=cmd_restore)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        return handler(args)
    except (DataError, SeedError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
