"""``plan …``: the yearly plans (年度节点计划) — template, ingest, confirm, return, show."""

from __future__ import annotations

import argparse
from pathlib import Path

from accounts.access import SYSTEM
from commands.common import known_unit, known_year, print_json, refused, usage, write_output
from db.engine import read_session, write_session
from db.ids import id_of
from intake.guard import TOO_LARGE
from intake.ingest import UsageError
from intake.limits import MAX_UPLOAD_BYTES
from intake.plans import build_plan_template, ingest_plan
from office.plans import confirm_plan, return_plan
from registry.loader import ensure_loaded
from status.plans import task_plans


def cmd_plan_template(args: argparse.Namespace) -> int:
    ensure_loaded()
    with read_session() as session:
        unit = known_unit(session, args.unit)
        known_year(session, args.year)
        data = build_plan_template(session, unit_id=id_of(unit), year=args.year)
    write_output(args.out, data)
    print(f"已生成 {unit.name} {args.year} 年度节点计划模板：{args.out}")
    return 0


def cmd_plan_ingest(args: argparse.Namespace) -> int:
    ensure_loaded()
    path = Path(args.path)
    if not path.is_file():
        return usage(f"找不到文件 {path}")
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        return refused([_FileProblem(TOO_LARGE)], as_json=args.json, verdict="未通过校验")
    try:
        result = ingest_plan(path.read_bytes(), file_name=path.name, unit=args.unit, actor=SYSTEM, on_behalf=True)
    except UsageError as exc:
        return usage(str(exc))
    if not result.accepted:
        return refused(result.errors, as_json=args.json, verdict="未通过校验")
    if args.json:
        print_json(result.as_json())
    elif result.duplicate:
        print(f"与 {result.unit} {result.year} 年度节点计划第 {result.version} 版内容完全相同，未生成新版本")
    else:
        print(f"已接收：{result.unit} {result.year} 年度节点计划第 {result.version} 版，共 {result.rows} 个节点")
        print("待督查室确认（python cli.py plan confirm）后生效")
    return 0


class _FileProblem:
    def __init__(self, message: str) -> None:
        self.message = message

    def as_json(self) -> dict[str, str]:
        return {"sheet": "", "cell": "", "value": "", "message": self.message}

    def __str__(self) -> str:
        return f"文件: {self.message}"


def _decide(args: argparse.Namespace) -> int:
    ensure_loaded()
    with write_session() as session:
        unit = known_unit(session, args.unit)
        known_year(session, args.year)
        if args.plan_command == "confirm":
            plan = confirm_plan(session, unit_id=id_of(unit), year=args.year, actor=SYSTEM)
            done = "已确认"
        else:
            plan = return_plan(session, unit_id=id_of(unit), year=args.year, reason=args.reason, actor=SYSTEM)
            done = "已退回"
        shown = f"{done}：{unit.name} {args.year} 年度节点计划第 {plan.version} 版"
    print(shown)
    return 0


def cmd_plan_show(args: argparse.Namespace) -> int:
    ensure_loaded()
    with read_session() as session:
        known_year(session, args.year)
        views = task_plans(session, year=args.year)
    if args.json:
        print_json([view.as_json() for view in views])
        return 0
    for view in views:
        version = f"第 {view.version} 版" if view.version else ""
        print(f"第 {view.no} 项  {view.lead_unit}  {view.state.label} {version}".rstrip())
        for m in view.milestones:
            print(f"    {m.due.isoformat()}  {m.target:g}%  {m.text}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = sub.add_parser("plan", help="年度节点计划：模板、导入、确认、退回、查看")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True, metavar="子命令")

    p = plan_sub.add_parser("template", help="生成某单位某年的节点计划模板（.xlsx）")
    p.add_argument("--unit", required=True, help="牵头单位名称或简称")
    p.add_argument("--year", required=True, type=int, help="年份，例如 2023")
    p.add_argument("--out", required=True, help="输出的 .xlsx 文件路径")
    p.set_defaults(func=cmd_plan_template)

    p = plan_sub.add_parser("ingest", help="导入一份填好的节点计划（督查室代为录入）")
    p.add_argument("path", help="节点计划文件（.xlsx）")
    p.add_argument("--unit", required=True, help="牵头单位名称或简称")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_plan_ingest)

    p = plan_sub.add_parser("confirm", help="确认某单位某年待确认的节点计划")
    p.add_argument("--unit", required=True, help="牵头单位名称或简称")
    p.add_argument("--year", required=True, type=int, help="年份，例如 2023")
    p.set_defaults(func=_decide)

    p = plan_sub.add_parser("return", help="退回某单位某年待确认的节点计划")
    p.add_argument("--unit", required=True, help="牵头单位名称或简称")
    p.add_argument("--year", required=True, type=int, help="年份，例如 2023")
    p.add_argument("--reason", required=True, help="退回原因")
    p.set_defaults(func=_decide)

    p = plan_sub.add_parser("show", help="各任务的节点计划（牵头单位最新版本及其状态）")
    p.add_argument("--year", required=True, type=int, help="年份，例如 2023")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_plan_show)
