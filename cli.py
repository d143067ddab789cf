"""Duban command line for the office and for automation.

Exit codes: 0 success, 1 data error (message on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from accounts import users
from accounts.access import SYSTEM
from commands import COMMAND_MODULES
from commands.common import DataError, UsageProblem, known_unit, known_year, print_json, refused, usage, write_output
from core import clock
from core.files import os_reason
from core.vocab import DeductionKind, Lateness, UnitKind, UserRole
from cycle.admin import change_setting, set_period_open
from cycle.periods import PeriodError, all_periods, get_period
from cycle.settings import SPECS, get_setting, setting_problems
from db import backup, queries
from db.engine import database_url, read_session, write_session
from db.models import Period
from intake import demo
from intake.guard import TOO_LARGE
from intake.ingest import UsageError, ingest_upload
from intake.limits import MAX_UPLOAD_BYTES
from intake.template import build_template, last_month_values
from office import deductions, exports, workbench
from office.bulletin import DRAFT_MARK, Additions, bulletin_data
from office.bulletin import issue as issue_bulletin
from office.bulletin import issued as issued_bulletin
from office.bulletin import next_number as next_bulletin_number
from office.bulletin import render as render_bulletin
from registry import importer, units_admin
from registry.catalogue import SeedError
from registry.loader import ensure_loaded, init_database
from registry.tables import blank_workbook
from status.engine import task_states
from status.lateness import lateness

# --- registry ---------------------------------------------------------------


def _shown_url() -> str:
    """The database's address as printed: never with its password."""
    return make_url(database_url()).render_as_string(hide_password=True)


def cmd_init(args: argparse.Namespace) -> int:
    result = init_database(reset=args.reset)
    if result.changed:
        print(
            f"已载入 {result.year} 年任务 {result.tasks_added} 项，单位 {result.units_added} 个，"
            f"别名 {result.aliases_added} 个；数据库：{_shown_url()}"
        )
    else:
        print(f"数据库已是最新，无需改动：{_shown_url()}")
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    ensure_loaded()
    with read_session() as session:
        known_year(session, args.year)
        views = queries.tasks(session, args.year)
    if args.json:
        print_json([v.as_json() for v in views])
    else:
        for v in views:
            print(f"{v.no:>3}  {v.category_short}  {v.lead_leader}  {v.lead_unit}  {v.text[:40]}")
    return 0


def cmd_tasks_import(args: argparse.Namespace) -> int:
    path = Path(args.path)
    try:
        importer.check_year(args.year)
        importer.check_file_name(path.name)
    except importer.ImportUsageError as exc:
        return usage(str(exc))
    if not path.is_file():
        return usage(f"找不到文件 {path}")
    ensure_loaded()
    options = {"data": path.read_bytes(), "file_name": path.name, "year": args.year, "create_units": args.create_units}
    try:
        if args.dry_run:
            with read_session() as session:
                seen = importer.preview(session, **options)
            if not seen.ok:
                raise importer.ImportRefused(seen.problems)
            result = importer.ImportResult(seen)
        else:
            with write_session() as session:
                result = importer.import_breakdown(session, actor=SYSTEM, **options)
    except importer.ImportRefused as exc:
        return refused(exc.problems, as_json=args.json, verdict="未导入")
    if args.json:
        print_json({**result.as_json(), "dry_run": args.dry_run})
        return 0
    for name, count in result.preview.counts():
        print(f"{count:>4}  {name}")
    if args.dry_run:
        print(f"检查通过（未写入）：{result.preview.summary()}")
        for name, kind in result.preview.new_units:
            print(f"将新建单位：{name}（{kind}）")
    else:
        print(result.message())
    return 0


def cmd_tasks_blank(args: argparse.Namespace) -> int:
    if Path(args.out).suffix.lower() != ".xlsx":
        return usage("--out 须为 .xlsx 文件，例如 --out 任务分解表.xlsx")
    write_output(args.out, blank_workbook())
    print(f"已生成空白任务分解表：{args.out}")
    return 0


def cmd_units(args: argparse.Namespace) -> int:
    ensure_loaded()
    with read_session() as session:
        known_year(session, args.year)
        views = queries.units(session, args.year)
    if args.json:
        print_json([v.as_json() for v in views])
    else:
        for v in views:
            extra = f"  别名：{'、'.join(v.aliases)}" if v.aliases else ""
            if v.kind == UnitKind.GROUP:
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


# --- accounts ---------------------------------------------------------------


def _read_password(args: argparse.Namespace) -> str:
    """One line from stdin with --password-stdin; otherwise typed twice, not echoed."""
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise DataError("标准输入中没有读到密码：使用 --password-stdin 时请通过管道传入一行密码")
        return line.rstrip("\r\n")
    try:
        password = getpass.getpass("密码：")
        again = getpass.getpass("再次输入密码：")
    except EOFError:
        raise DataError(
            "没有读到密码（输入已结束）：请在终端中运行并按提示输入，或加 --password-stdin 通过管道传入一行密码"
        ) from None
    if again != password:
        raise DataError("两次输入的密码不一致")
    return password


def cmd_user_add(args: argparse.Namespace) -> int:
    role, unit, leader = UserRole.of(args.role), UserRole.UNIT, UserRole.LEADER
    if role is unit and not args.unit:
        args.usage_error(f"{unit.label}账号（--role {unit.code}）须用 --unit 指定所属单位")
    if role is leader and not args.leader:
        args.usage_error(f"{leader.label}账号（--role {leader.code}）须用 --leader 指定责任领导")
    if args.unit and role is not unit:
        args.usage_error(f"--unit 只用于{unit.label}账号（--role {unit.code}）")
    if args.leader and role is not leader:
        args.usage_error(f"--leader 只用于{leader.label}账号（--role {leader.code}）")
    ensure_loaded()
    password = _read_password(args)
    with write_session() as session:
        user = users.create_user(
            session,
            username=args.username,
            password=password,
            role=role,
            unit=args.unit,
            leader=args.leader,
            actor=SYSTEM,
        )
        name = user.username
    print(f"已新建账号 {name}（{role.label}）；首次登录时须修改密码")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    ensure_loaded()
    with read_session() as session:
        found = users.list_users(session)
    if not found:
        print("还没有任何账号：可用 python cli.py user add 新建，或在系统首页初始化管理员")
        return 0
    now = clock.now()
    for u in found:
        last = clock.fmt(u.last_login_at) or "从未登录"
        print(f"{u.username}\t{u.role_label}\t{u.unit or u.leader or '-'}\t{u.status(now)}\t最近登录：{last}")
    return 0


def cmd_user_reset_password(args: argparse.Namespace) -> int:
    ensure_loaded()
    with read_session() as session:
        if users.get_user(session, args.username.strip()) is None:
            raise DataError(f"没有名为 {args.username} 的账号；可用 python cli.py user list 查看")
    password = _read_password(args)
    with write_session() as session:
        users.reset_password(session, username=args.username, new_password=password, actor=SYSTEM)
    print(f"已重置 {args.username.strip()} 的密码，此前的登录失败次数已清零；该账号下次登录时须修改密码")
    return 0


def cmd_users_bootstrap(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        args.usage_error("--out 须为 .xlsx 文件，例如 --out 单位账号.xlsx")
    if out.exists():
        raise DataError(f"文件已存在：{out}；请换一个文件名，以免覆盖此前生成的初始密码表")
    if not out.parent.is_dir():
        raise DataError(f"目录不存在：{out.parent}")
    ensure_loaded()
    written = False
    try:
        with write_session() as session:
            created = users.bootstrap_unit_accounts(session, actor=SYSTEM)
            if created:
                out.write_bytes(users.credentials_workbook(created))
                written = True
    except BaseException:
        if written:
            out.unlink(missing_ok=True)
        raise
    if not created:
        print("所有单位都已有账号，未生成文件")
        return 0
    print(f"已为 {len(created)} 个单位开设账号，初始密码表已写入 {out}；请分发给各单位，首次登录时须修改密码")
    return 0


def _add_task_commands(tasks: argparse.ArgumentParser) -> None:
    tasks_sub = tasks.add_subparsers(dest="tasks_command", metavar="子命令")
    p = tasks_sub.add_parser("import", help="导入某年的任务分解表（.docx / .xlsx / .txt）")
    p.add_argument("path", help="任务分解表文件")
    p.add_argument("--year", required=True, type=int, help="年份，例如 2024")
    p.add_argument("--dry-run", action="store_true", help="只检查并显示结果，不写入")
    p.add_argument("--create-units", action="store_true", help="把单位名录中没有的名称新建为单位")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_tasks_import)
    p = tasks_sub.add_parser("blank", help="生成空白任务分解表（.xlsx），供在 Excel 中编制")
    p.add_argument("--out", required=True, help="输出的 .xlsx 文件路径")
    p.set_defaults(func=cmd_tasks_blank)


def _add_account_commands(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="账号：新建、列出、重置密码")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="子命令")

    p = user_sub.add_parser("add", help="新建账号（密码从提示输入，或 --password-stdin 从标准输入读一行）")
    roles = UserRole.accounts()
    p.add_argument(
        "--role",
        required=True,
        choices=[r.code for r in roles],
        help=" / ".join(f"{r.code} {r.label}" for r in roles),
    )
    p.add_argument("--username", required=True, help="用户名")
    p.add_argument("--unit", help="责任单位账号的所属单位（名称或别名）")
    p.add_argument("--leader", help="领导账号对应的责任领导姓名")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    p.set_defaults(func=cmd_user_add, usage_error=p.error)

    p = user_sub.add_parser("list", help="列出全部账号")
    p.set_defaults(func=cmd_user_list)

    p = user_sub.add_parser("reset-password", help="重置密码（登录失败次数清零）；下次登录时须修改")
    p.add_argument("--username", required=True, help="用户名")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取新密码（一行）")
    p.set_defaults(func=cmd_user_reset_password)

    bulk = sub.add_parser("users", help="批量开设单位账号")
    users_sub = bulk.add_subparsers(dest="users_command", required=True, metavar="子命令")
    p = users_sub.add_parser("bootstrap", help="为尚无账号的单位开设账号，并写出初始密码表")
    p.add_argument("--out", required=True, help="初始密码表（.xlsx，不能已存在）")
    p.set_defaults(func=cmd_users_bootstrap, usage_error=p.error)


# --- units, aliases and groups -------------------------------------------------


def cmd_group_set(args: argparse.Namespace) -> int:
    members = [name for name in re.split(r"[,，、]", args.members) if name.strip()]
    ensure_loaded()
    with read_session() as session:
        known_year(session, args.year)
    with write_session() as session:
        change = units_admin.set_group_members(session, actor=SYSTEM, group=args.name, members=members, year=args.year)
    print(change.message())
    if change.impact.warning():
        print(change.impact.warning())
    return 0


def cmd_alias_add(args: argparse.Namespace) -> int:
    ensure_loaded()
    with write_session() as session:
        unit, alias = units_admin.add_alias(session, actor=SYSTEM, unit=args.unit, alias=args.alias)
    print(f"已将“{alias}”添加为{unit}的别名")
    return 0


def cmd_alias_remove(args: argparse.Namespace) -> int:
    ensure_loaded()
    with write_session() as session:
        unit, alias = units_admin.remove_alias(session, actor=SYSTEM, alias=args.alias)
    print(f"已删除{unit}的别名“{alias}”")
    return 0


def _add_unit_commands(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("group", help="群组：设置成员")
    group_sub = group.add_subparsers(dest="group_command", required=True, metavar="子命令")
    p = group_sub.add_parser("set", help='把群组的成员设为所列单位（覆盖原有成员；--members "" 清空）')
    p.add_argument("name", help="群组名称，例如 沿线各乡镇")
    p.add_argument("--members", required=True, help="成员单位（名称或别名），用逗号或顿号分隔")
    p.add_argument("--year", type=int, help="设置哪一年的成员，默认为有任务的最近一年；其他年份的成员不变")
    p.set_defaults(func=cmd_group_set)

    alias = sub.add_parser("alias", help="单位别名：添加、删除")
    alias_sub = alias.add_subparsers(dest="alias_command", required=True, metavar="子命令")
    p = alias_sub.add_parser("add", help="为单位添加别名")
    p.add_argument("alias", help="别名")
    p.add_argument("--unit", required=True, help="单位名称（或已有别名）")
    p.set_defaults(func=cmd_alias_add)
    p = alias_sub.add_parser("remove", help="删除在系统中添加的别名（任务分解表原文中的写法不能删除）")
    p.add_argument("alias", help="别名")
    p.set_defaults(func=cmd_alias_remove)


# --- monthly reporting --------------------------------------------------------


def cmd_template(args: argparse.Namespace) -> int:
    ensure_loaded()
    with read_session() as session:
        unit = known_unit(session, args.unit)
        try:
            period = get_period(session, args.period)
        except PeriodError as exc:
            return usage(str(exc))
        data = build_template(session, unit.id, period.code, prefill=args.prefill)
        carried = len(last_month_values(session, unit.id, period.code)) if args.prefill else 0
    try:
        Path(args.out).write_bytes(data)
    except OSError as exc:
        raise DataError(f"无法写入 {args.out}：{os_reason(exc)}") from None
    print(f"已生成 {unit.name} {period.code} 月报模板：{args.out}")
    if args.prefill:
        print(f"已带入上月填报内容：{carried} 项任务" if carried else "上月没有本单位的报送，未带入内容")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    ensure_loaded()
    path = Path(args.path)
    if not path.is_file():
        return usage(f"找不到文件 {path}")
    try:
        received = clock.parse_moment(args.received_at) if args.received_at else None
    except ValueError as exc:
        return usage(str(exc))
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        raise DataError(TOO_LARGE)
    try:
        result = ingest_upload(
            path.read_bytes(),
            file_name=path.name,
            unit=args.unit,
            actor=SYSTEM,
            received_at=received,
            period=args.period,
            on_behalf=True,
        )
    except (UsageError, PeriodError) as exc:
        return usage(str(exc))
    if not result.accepted:
        return refused(result.errors, as_json=args.json, verdict="未通过校验")
    if args.json:
        print_json(result.as_json())
        return 0
    if result.duplicate:
        print(f"与 {result.unit} {result.period} 当前版本（第 {result.version} 版）内容完全相同，未生成新版本")
    else:
        print(f"已接收：{result.unit} {result.period} 第 {result.version} 版，共 {result.rows} 项任务")
    for warning in result.warnings:
        print(f"提醒 {warning}")
    return 0


def cmd_lateness(args: argparse.Namespace) -> int:
    ensure_loaded()
    try:
        as_of = clock.parse_moment(args.as_of) if args.as_of else clock.now()
        with read_session() as session:
            period = get_period(session, args.period)
            rows = lateness(session, period, as_of)
    except ValueError as exc:
        return usage(str(exc))
    if args.json:
        print_json([row.as_json() for row in rows])
        return 0
    print(f"{period.code} 报送情况（截止 {clock.fmt(period.due_at)}，统计时点 {clock.fmt(as_of)}）")
    for row in rows:
        days = f"，迟 {row.days_late} 天" if row.status == Lateness.LATE else ""
        submitted = f"  报送于 {clock.fmt(row.submitted_at)}" if row.submitted_at else ""
        print(f"{row.unit}  {row.label}{days}{submitted}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    ensure_loaded()
    try:
        as_of = clock.parse_moment(args.as_of) if args.as_of else clock.now()
        with read_session() as session:
            period = get_period(session, args.period)
            states = task_states(session, period, as_of=as_of)
    except ValueError as exc:
        return usage(str(exc))
    if args.json:
        print_json([state.as_json() for state in states.values()])
        return 0
    print(f"{period.code} 任务完成状态（统计时点 {clock.fmt(as_of)}）")
    for state in states.values():
        progress = "" if state.progress is None else f"  进度 {state.progress:g}%"
        behind = "  欠进度" if state.behind else ""
        source = f"  据 {state.source.unit} 第 {state.source.version} 版" if state.source else ""
        expected = f"  应达 {state.expected:.1f}%（{state.expected_source.label}）"
        print(
            f"{state.no:>3}  {state.status.label}  {state.light.label}{progress}{expected}{behind}"
            f"  牵头：{state.lead_unit}{source}"
        )
    return 0


def cmd_periods(args: argparse.Namespace) -> int:
    ensure_loaded()
    try:
        for code, is_open in ((args.close, False), (args.open, True)):
            if code:
                with write_session() as session:
                    set_period_open(session, period=code, is_open=is_open, actor=SYSTEM)
    except PeriodError as exc:
        return usage(str(exc))
    with read_session() as session:
        periods = all_periods(session)
    if args.json:
        print_json(
            [
                {
                    "period": p.code,
                    "due": p.due_at.isoformat(timespec="seconds"),
                    "due_note": p.due_note,
                    "closed": p.closed,
                }
                for p in periods
            ]
        )
        return 0
    for p in periods:
        note = f"（{p.due_note}）" if p.due_note else ""
        print(f"{p.code}  截止 {clock.fmt(p.due_at)}{note}  {'已关闭' if p.closed else '开放'}")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    ensure_loaded()
    if args.action == "set":
        try:
            with write_session() as session:
                value = change_setting(session, key=args.key, value=args.value, actor=SYSTEM)
        except ValueError as exc:
            return usage(str(exc))
        print(f"已设置 {SPECS[args.key].label} = {value}")
        if args.key in ("deadline_day", "roll_to_workday"):
            print("已按新规则重算各月份的报送截止时间（python cli.py periods 查看）")
        return 0
    with read_session() as session:
        for key, spec in SPECS.items():
            print(f"{key} = {get_setting(session, key)}  # {spec.label}")
        problems = setting_problems(session)
    for problem in problems:
        print(f"注意：{problem}", file=sys.stderr)
    return 0


# --- office workbench ---------------------------------------------------------


def _workbench_inputs(args: argparse.Namespace, suffix: str | None) -> tuple[datetime, Period] | int:
    """The moment and period a command is about, or the exit code of a usage error."""
    if suffix and args.out and Path(args.out).suffix.lower() != suffix:
        return usage(f"--out 须为 {suffix} 文件，例如 --out {args.period}{suffix}")
    ensure_loaded()
    try:
        as_of = clock.parse_moment(args.as_of) if args.as_of else clock.now()
        with read_session() as session:
            period = get_period(session, args.period)
    except ValueError as exc:
        return usage(str(exc))
    return as_of, period


def cmd_bulletin(args: argparse.Namespace) -> int:
    inputs = _workbench_inputs(args, ".docx")
    if isinstance(inputs, int):
        return inputs
    as_of, period = inputs
    additions = Additions(args.remarks or "", args.praise or "", args.criticism or "")
    with read_session() as session:
        done = issued_bulletin(session, period.code)
    if done is not None:
        if args.issue or args.as_of or additions != Additions():
            raise DataError(
                f"{period.code} 的督查通报已于 {clock.fmt(done.issued_at)} 签发为第{done.number}期，"
                "不能再签发或改动；不带 --issue、--as-of 和督查室意见运行即可取得签发的文件"
            )
        write_output(args.out, done.content)
        print(f"{period.code} 的督查通报已于 {clock.fmt(done.issued_at)} 签发为第{done.number}期：已写出签发的文件")
        return 0
    if args.issue:
        with write_session() as session:
            record = issue_bulletin(session, period_code=period.code, as_of=as_of, additions=additions, actor=SYSTEM)
            number, content = record.number, record.content
        with read_session() as session:
            data = bulletin_data(session, period.code, as_of)
        verdict = f"已签发督查通报第{number}期"
    else:
        with read_session() as session:
            data = bulletin_data(session, period.code, as_of)
            number = next_bulletin_number(session, data.year)
        content = render_bulletin(data, number=number, additions=additions, draft=True)
        verdict = f"已生成督查通报{DRAFT_MARK}（签发后为第{number}期；签发：加 --issue）"
    write_output(args.out, content)
    print(
        f"{verdict}“{data.title}”：{args.out}\n"
        f"滞后任务 {len(data.lagging)} 项，迟报单位 {len(data.late)} 个，漏报单位 {len(data.missing)} 个"
    )
    return 0


def cmd_ledger(args: argparse.Namespace) -> int:
    inputs = _workbench_inputs(args, ".xlsx")
    if isinstance(inputs, int):
        return inputs
    as_of, period = inputs
    with read_session() as session:
        data = exports.task_ledger(session, period, as_of)
    write_output(args.out, data)
    print(f"已生成 {period.code} 重点任务台账：{args.out}")
    return 0


def cmd_chase(args: argparse.Namespace) -> int:
    inputs = _workbench_inputs(args, ".xlsx")
    if isinstance(inputs, int):
        return inputs
    as_of, period = inputs
    with read_session() as session:
        rows = workbench.chase_list(session, period, as_of)
    if args.out:
        write_output(args.out, exports.chase_workbook(period, rows, as_of))
        print(f"已生成催报名单（{len(rows)} 个单位）：{args.out}", file=sys.stderr)
    if args.json:
        print_json(
            [{"unit": r.unit, "kind": r.kind, "status": r.status, "filler": r.filler, "phone": r.phone} for r in rows]
        )
    else:
        print(workbench.chase_text(period, rows))
    return 0


def cmd_deductions(args: argparse.Namespace) -> int:
    if args.out and Path(args.out).suffix.lower() != ".xlsx":
        return usage(f"--out 须为 .xlsx 文件，例如 --out 扣分-{args.year or 2023}.xlsx")
    ensure_loaded()
    try:
        as_of = clock.parse_moment(args.as_of) if args.as_of else clock.now()
    except ValueError as exc:
        return usage(str(exc))
    with read_session() as session:
        args.year = args.year or queries.current_year(session)
        if not workbench.year_periods(session, args.year):
            return usage(f"没有 {args.year} 年的填报月份")
        ledgers = deductions.ledger(session, args.year, as_of)
        rules = deductions.rules(session)
    if args.out:
        write_output(args.out, exports.deductions_workbook(args.year, ledgers, rules, as_of))
        print(f"已生成 {args.year} 年考核扣分台账：{args.out}")
        return 0
    if args.json:
        print_json([one.as_json() for one in ledgers])
        return 0
    print(f"{args.year} 年“推进工作落实”扣分（统计时点 {clock.fmt(as_of)}）")
    late, missing, lagging = DeductionKind.LATE, DeductionKind.MISSING, DeductionKind.LAGGING
    for one in sorted(ledgers, key=lambda x: -x.net):
        if one.items:
            print(
                f"{one.unit}  {late.label} {one.count(late)} 次  {missing.label} {one.count(missing)} 次  "
                f"{lagging.label} {one.count(lagging)} 项  "
                f"应扣 {one.gross:g}  核减 {one.reduced:g}  实扣 {one.net:g}"
            )
    return 0


def _add_workbench_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bulletin", help="生成某月督查通报（Word）")
    p.add_argument("--period", required=True, help="填报月份 YYYY-MM")
    p.add_argument("--out", required=True, help="输出的 .docx 文件路径")
    p.add_argument("--as-of", help="统计时点 ISO 8601，默认为现在")
    p.add_argument("--issue", action="store_true", help="签发：按本年已签发的期数编号，存档后写出（不加则为送审稿）")
    p.add_argument("--remarks", help="督查室意见：总体评价与工作要求（写在“下步要求”之首）")
    p.add_argument("--praise", help="通报表扬的内容")
    p.add_argument("--criticism", help="通报批评的内容")
    p.set_defaults(func=cmd_bulletin)

    p = sub.add_parser("ledger", help="导出某月全部任务台账（Excel）")
    p.add_argument("--period", required=True, help="填报月份 YYYY-MM")
    p.add_argument("--out", required=True, help="输出的 .xlsx 文件路径")
    p.add_argument("--as-of", help="统计时点 ISO 8601，默认为现在")
    p.set_defaults(func=cmd_ledger)

    p = sub.add_parser("chase", help="催报名单：某月尚未报送的单位及联系人")
    p.add_argument("--period", required=True, help="填报月份 YYYY-MM")
    p.add_argument("--as-of", help="统计时点 ISO 8601，默认为现在")
    p.add_argument("--out", help="另存为 .xlsx 文件")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_chase)

    p = sub.add_parser("deductions", help="某年各单位考核扣分台账")
    p.add_argument("--year", type=int, help="年份，例如 2023；默认为有任务的最近一年")
    p.add_argument("--as-of", help="统计时点 ISO 8601，默认为现在")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="输出 JSON")
    group.add_argument("--out", help="输出的 .xlsx 文件路径")
    p.set_defaults(func=cmd_deductions)


# --- demo data ----------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    ensure_loaded()
    if args.clear:
        submissions, rows = demo.clear_demo()
        print(f"已清除演示数据：报送 {submissions} 份（{rows} 行）；正式数据未改动。")
        return 0
    started = clock.now()
    result = demo.load_demo(progress=lambda code: print(f"  {code} 已载入", flush=True))
    seconds = (clock.now() - started).total_seconds()
    print(
        f"已载入演示数据 {result.periods[0]} 至 {result.periods[-1]}：报送 {result.submissions} 份"
        f"（其中更正版本 {result.versions} 份，迟报 {result.late} 份），漏报 {result.missing} 次；"
        f"用时 {seconds:.0f} 秒。清除：python cli.py demo --clear"
    )
    return 0


def _add_demo_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="载入演示数据（2023-01 至 2023-10 的月报），或用 --clear 清除")
    p.add_argument("--clear", action="store_true", help="只删除演示数据，正式数据不动")
    p.set_defaults(func=cmd_demo)


# --- parser -----------------------------------------------------------------

_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)", r"参数 \1 的值 \2 无效，可选：\3"),
    (r"argument (\S+): invalid int value: (.*)", r"参数 \1 应为整数，收到 \2"),
    (r"argument (\S+): invalid (\w+) value: (.*)", r"参数 \1 的值 \3 无效"),
    (r"argument (\S+): expected one argument", r"参数 \1 后须跟一个值"),
    (r"argument (\S+): not allowed with argument (\S+)", r"参数 \1 不能与 \2 同时使用"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"ambiguous option: (\S+) could match (.*)", r"选项 \1 不明确，可能是 \2"),
]


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors in Chinese; exit 2 as before. Subcommands use it too."""

    def error(self, message: str) -> NoReturn:
        for pattern, chinese in _ARGPARSE_MESSAGES:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, chinese, message)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python cli.py", description="督办：政府工作报告重点任务督查")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("init", help="建库并载入任务清单（可重复运行）")
    p.add_argument("--reset", action="store_true", help="清空数据库后按文件重建")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("tasks", help="列出全部任务；导入任务分解表（tasks import）；空白任务分解表（tasks blank）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--year", type=int, help="年份，默认为有任务的最近一年")
    p.set_defaults(func=cmd_tasks)
    _add_task_commands(p)

    p = sub.add_parser("units", help="列出全部单位、别名与群组")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--year", type=int, help="群组成员的年份，默认为有任务的最近一年")
    p.set_defaults(func=cmd_units)

    p = sub.add_parser("backup", help="在线备份 SQLite 数据库（运行中也可备份）")
    p.add_argument("out", help="备份文件路径（不能已存在）")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="用备份文件恢复数据库（先停止系统）")
    p.add_argument("backup_file", help="由 backup 生成的备份文件")
    p.add_argument("--yes", action="store_true", help="确认覆盖当前数据库")
    p.set_defaults(func=cmd_restore)

    _add_account_commands(sub)
    _add_unit_commands(sub)

    p = sub.add_parser("template", help="生成某单位某月的月报模板")
    p.add_argument("--unit", required=True, help="单位全称或简称")
    p.add_argument("--period", required=True, help="填报月份 YYYY-MM")
    p.add_argument("--out", required=True, help="输出的 .xlsx 文件路径")
    p.add_argument("--prefill", action="store_true", help="带入本单位上月报送的完成状态、进度和各栏文字")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("ingest", help="代单位录入一份月报（公文平台来件）")
    p.add_argument("path", help="月报 .xlsx 文件")
    p.add_argument("--unit", required=True, help="单位全称或简称")
    p.add_argument("--period", help="填报月份 YYYY-MM；给出时须与表中的填报月份一致")
    p.add_argument("--received-at", help="收件时间 ISO 8601，默认为现在")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("status", help="某月各项任务的完成状态（与看板、通报、台账同一口径）")
    p.add_argument("--period", required=True, help="填报月份 YYYY-MM")
    p.add_argument("--as-of", help="统计时点 ISO 8601，默认为现在")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("lateness", help="某月各单位按时、迟报、漏报情况")
    p.add_argument("--period", required=True, help="填报月份 YYYY-MM")
    p.add_argument("--as-of", help="统计时点 ISO 8601，默认为现在")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_lateness)

    p = sub.add_parser("periods", help="列出填报月份及截止时间；开放或关闭某月")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--close", metavar="YYYY-MM", help="关闭该月份（不再接收上传）")
    p.add_argument("--open", metavar="YYYY-MM", help="重新开放该月份")
    p.set_defaults(func=cmd_periods)

    p = sub.add_parser("config", help="查看或修改设置（截止日、节假日顺延等）")
    config = p.add_subparsers(dest="action", required=True, metavar="操作")
    s = config.add_parser("set", help="修改一项设置，例如 config set deadline_day 5")
    s.add_argument("key", choices=list(SPECS), metavar="KEY", help=f"设置项：{'、'.join(SPECS)}")
    s.add_argument("value", help="新值")
    config.add_parser("show", help="列出全部设置的当前值")
    p.set_defaults(func=cmd_config)

    _add_workbench_commands(sub)
    _add_demo_commands(sub)
    for module in COMMAND_MODULES:
        module.register(sub)

    return parser


UNEXPECTED = "程序内部错误"


def _database_problem(exc: SQLAlchemyError) -> str:
    if isinstance(exc, ArgumentError):
        return f"环境变量 DATABASE_URL 不是有效的数据库地址（{exc}）；例如 postgresql+psycopg://user@host:5432/duban"
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return f"无法使用数据库 {_shown_url()}：{detail}；请检查 DATABASE_URL、文件路径和权限"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        clock.check()
    except clock.ClockError as exc:
        return usage(str(exc))
    try:
        return handler(args)
    except UsageProblem as exc:
        return usage(str(exc))
    except (DataError, SeedError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except ArgumentError as exc:
        return usage(_database_problem(exc))
    except SQLAlchemyError as exc:
        print(f"错误：{_database_problem(exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader stopped early (e.g. ``| head``): nothing more to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        name = f"{exc.filename}：" if exc.filename else ""
        print(f"错误：无法读写文件 {name}{os_reason(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # the last resort: a message, never a traceback
        print(
            f"错误：{UNEXPECTED}（{type(exc).__name__}: {exc}），未完成的改动均已撤销；请把本消息告知系统维护人员",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
