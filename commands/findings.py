"""``findings``: the findings of inspections (督查发现问题) as a list or JSON; ``findings import``
reads a findings workbook the inspectors filled in (all or nothing)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from accounts.access import SYSTEM
from commands.common import DataError, known_unit, known_year, print_json, refused, usage
from db.engine import read_session, write_session
from intake.findings_sheet import FindingsRefused
from intake.guard import TOO_LARGE
from intake.limits import MAX_UPLOAD_BYTES
from office import inspections
from registry.loader import ensure_loaded


def cmd_findings(args: argparse.Namespace) -> int:
    ensure_loaded()
    with read_session() as session:
        known_year(session, args.year)
        unit_id = None if args.unit is None else known_unit(session, args.unit).id
        views = inspections.findings(session, SYSTEM, year=args.year, unit_id=unit_id)
    if args.json:
        print_json([v.as_json() for v in views])
        return 0
    for v in views:
        flag = "（逾期）" if v.overdue else ""
        print(
            f"{v.id:>4}  {v.inspection_date}  第{v.task_no}项  {v.unit}  {v.state.label}{flag}  {v.due}  {v.text[:40]}"
        )
    print(f"共 {len(views)} 个问题")
    return 0


def cmd_findings_import(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.suffix.lower() != ".xlsx":
        return usage("督查问题清单须为 .xlsx 文件（可用 Excel 或 WPS 另存为）")
    if not path.is_file():
        return usage(f"找不到文件 {path}")
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        raise DataError(TOO_LARGE)
    ensure_loaded()
    try:
        with write_session() as session:
            result = inspections.import_findings(session, SYSTEM, data=path.read_bytes(), file_name=path.name)
    except FindingsRefused as exc:
        return refused(exc.problems, as_json=False, verdict="未导入")
    print(result.message())
    return 0


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "findings", help="督查发现问题：列出（--json）；导入督查问题清单（findings import）"
    )
    p.add_argument("--year", type=int, help="任务所属年度")
    p.add_argument("--unit", help="责任单位全称或简称")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_findings)
    actions = p.add_subparsers(dest="findings_command", metavar="子命令")
    i = actions.add_parser("import", help="导入督查问题清单（.xlsx；全部无误才导入）")
    i.add_argument("path", help="督查问题清单 .xlsx")
    i.set_defaults(func=cmd_findings_import)
