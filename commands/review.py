"""``review`` (复核 one unit's report for a month: 通过 or 退回) and ``reviews`` (where each
reported unit's current version stands in review), through ``office.review`` and ``status.review``."""

from __future__ import annotations

import argparse

from accounts.access import SYSTEM
from commands.common import known_unit, print_json, usage
from core import clock
from core.period import Month, PeriodError
from core.vocab import ReviewState
from cycle.periods import get_period
from db.engine import read_session, write_session
from office.review import review
from registry.loader import ensure_loaded
from status.review import review_states


def _numbers(text: str | None) -> list[int] | None:
    """``3,7`` (also 、，and spaces) as task numbers; None when malformed."""
    if not text:
        return []
    parts = [p for p in text.replace("、", ",").replace("，", ",").replace(" ", ",").split(",") if p]
    if not parts or not all(p.isdigit() and len(p) <= 6 for p in parts):
        return None
    return [int(p) for p in parts]


def _period(code: str) -> Month | str:
    """The month, or the usage message when it is malformed or not a reporting month."""
    try:
        month = Month.parse(code)
        with read_session() as session:
            get_period(session, month)
    except PeriodError as exc:
        return str(exc)
    return month


def cmd_review(args: argparse.Namespace) -> int:
    if args.pass_ == args.return_:
        return usage("请指定 --pass（通过）或 --return（退回）之一")
    if args.return_ and not (args.reason or "").strip():
        return usage("退回须用 --reason 写明理由，例如 --reason '第3项进展过于笼统，请补充具体数据'")
    if args.pass_ and args.rows:
        return usage("--rows 只用于退回（--return），指明退回的任务序号")
    rows = _numbers(args.rows)
    wrong = _numbers(args.misreported)
    if rows is None or wrong is None:
        return usage("任务序号请写成用逗号分开的数字，例如 --rows 3,7")
    ensure_loaded()
    month = _period(args.period)
    if isinstance(month, str):
        return usage(month)
    with read_session() as session:
        known_unit(session, args.unit)
    decision = ReviewState.PASSED if args.pass_ else ReviewState.RETURNED
    with write_session() as session:
        done = review(
            session,
            actor=SYSTEM,
            unit=args.unit,
            period=month,
            decision=decision,
            reason=args.reason or "",
            rows=rows,
            misreported=wrong,
        )
    print(f"已复核：{done.message}")
    return 0


def cmd_reviews(args: argparse.Namespace) -> int:
    ensure_loaded()
    month = _period(args.period)
    if isinstance(month, str):
        return usage(month)
    with read_session() as session:
        states = list(review_states(session, get_period(session, month)).values())
    if args.json:
        print_json([s.as_json() for s in states])
        return 0
    print(f"{month.code} 复核情况（{len(states)} 份月报）")
    for s in states:
        who = f"  {s.reviewed_by} {clock.fmt(s.reviewed_at)}" if s.reviewed_at else ""
        rows = f"  退回第 {'、'.join(map(str, s.rows))} 项" if s.rows else ""
        print(f"{s.unit}  第 {s.version} 版  {s.state.label}{who}{rows}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("review", help="复核某单位某月的当前版本月报：通过或退回")
    p.add_argument("--unit", required=True, help="单位全称或简称")
    p.add_argument("--period", required=True, help="填报月份 YYYY-MM")
    p.add_argument("--pass", dest="pass_", action="store_true", help="通过")
    p.add_argument("--return", dest="return_", action="store_true", help="退回（须附 --reason）")
    p.add_argument("--reason", help="退回理由（或通过时的说明）")
    p.add_argument("--rows", help="退回的任务序号，用逗号分开，例如 3,7；不给即退回整份月报")
    p.add_argument("--misreported", help="记录为报送内容失实的任务序号（每处按扣分标准扣分），例如 7")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("reviews", help="某月各单位当前版本月报的复核情况")
    p.add_argument("--period", required=True, help="填报月份 YYYY-MM")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_reviews)
