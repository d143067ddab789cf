"""Pieces of 复核: the office's queue for a month (``office.review``) and the block of returns a
unit sees on its pages (``show_returns``). Reads are cached by data revision (``ui.data``); the
states move with the clock (退回未改), so they also expire after a few minutes."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from accounts.access import Actor
from core import clock
from core.vocab import ReviewState
from db.engine import database_url, read_session, write_session
from office.review import QueueEntry, pass_without_warnings, returns_for, review, review_queue
from status.review import ReviewStatus
from ui import charts, data
from ui.tables import table
from ui.upload_view import problem_frame
from ui.workbench import done


@data.cached(ttl=300, spinner="正在读取本月月报…")
def _queue(url: str, revision: int, code: str) -> list[QueueEntry]:
    with read_session() as session:
        return review_queue(session, period=code)


def queue(code: str) -> list[QueueEntry]:
    """The month's review queue (every reported unit's current version, its warnings and changes)."""
    return _queue(database_url(), data.revision(), code)


@data.cached(ttl=300)
def _returns(url: str, revision: int, actor: Actor, unit_id: int, year: int) -> list[tuple[str, ReviewStatus]]:
    with read_session() as session:
        return returns_for(session, actor=actor, unit_id=unit_id, year=year)


def _rows_text(numbers: Sequence[int]) -> str:
    return "、".join(f"第 {no} 项" for no in numbers)


def show_returns(actor: Actor, unit_id: int, year: int, *, period: str | None = None) -> None:
    """The unit's reports of ``year`` the office has returned and that no newer version has
    answered yet: month, reason, rows, the date to correct by (only ``period`` if given). Any
    unit page shows the same block; the answer is a new version on 上传月报."""
    for code, status in _returns(database_url(), data.revision(), actor, unit_id, year):
        if period is not None and code != period:
            continue
        rows = f"退回任务：{_rows_text(status.rows)}。" if status.rows else "退回整份月报。"
        wrong = f"其中{_rows_text(status.misreported)}认定为报送内容失实。" if status.misreported else ""
        due = clock.fmt(status.correct_by) if status.correct_by else ""
        late = "已超过更正期限，列为“退回未改”。" if status.state == ReviewState.RETURNED_OVERDUE else ""
        st.error(
            f"**{code} 月报（第 {status.version} 版）被督查室退回**（{clock.fmt(status.reviewed_at)}，"
            f"{status.reviewed_by}）：{status.reason}\n\n{rows}{wrong}"
            f"请在 {due} 前修改后重新上传（上传新版本即为答复）。"
            f"{late}{status.correct_note}"
        )


# --- the office's queue -------------------------------------------------------------


def counts_line(entries: Sequence[QueueEntry]) -> None:
    cells = st.columns(len(ReviewState))
    for cell, state in zip(cells, ReviewState, strict=True):
        cell.metric(state.label, sum(e.status.state == state for e in entries), border=True)


QUEUE_COLUMNS = ["单位", "版本", "收到时间", "复核状态", "提醒", "较上月有变化的任务", "复核人", "复核时间", "退回理由"]


def queue_frame(entries: Sequence[QueueEntry]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "单位": e.status.unit,
                "版本": f"第 {e.status.version} 版",
                "收到时间": clock.fmt(e.status.received_at),
                "复核状态": e.status.state.label,
                "提醒": len(e.warnings),
                "较上月有变化的任务": f"{e.changed_rows} / {len(e.changes)}",
                "复核人": e.status.reviewed_by or "",
                "复核时间": clock.fmt(e.status.reviewed_at) if e.status.reviewed_at else "",
                "退回理由": e.status.reason if e.status.returned else "",
            }
            for e in entries
        ],
        columns=QUEUE_COLUMNS,
    )


def changes_frame(entry: QueueEntry) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"序号": c.no, "完成状态": c.status, "进度": c.progress, "较上月": c.summary, "有变化": c.text_changed}
            for c in entry.changes
        ],
        columns=["序号", "完成状态", "进度", "较上月", "有变化"],
    )


def bulk_pass(actor: Actor, code: str, entries: Sequence[QueueEntry]) -> None:
    clean = [e for e in entries if e.status.state == ReviewState.PENDING and not e.warnings]
    label = f"一键通过没有提醒的 {len(clean)} 份"
    if not st.button(label, disabled=not clean, key="review_bulk", help="只通过待复核且没有任何提醒的月报"):
        return
    try:
        with write_session() as session:
            passed = pass_without_warnings(session, actor=actor, period=code)
    except ValueError as exc:
        st.error(str(exc))
        return
    done(f"已通过 {len(passed)} 份月报：{'、'.join(p.unit for p in passed)}。")


def _act(actor: Actor, unit: str, code: str, decision: ReviewState, **kwargs: object) -> None:
    try:
        with write_session() as session:
            result = review(session, actor=actor, unit=unit, period=code, decision=decision, **kwargs)  # type: ignore[arg-type]
    except ValueError as exc:
        st.error(str(exc))
        return
    done(f"已复核：{result.message}。")


def one_report(actor: Actor, code: str, entry: QueueEntry) -> None:
    """One unit's current version: its warnings and changes, 通过 in one click, or 退回."""
    status = entry.status
    st.markdown(
        f"**{status.unit}** 第 {status.version} 版（{clock.fmt(status.received_at)} 收到）　"
        f"复核状态：**{status.state.label}**"
    )
    if status.returned:
        rows = f"（{_rows_text(status.rows)}）" if status.rows else ""
        st.caption(f"退回理由{rows}：{status.reason}；更正期限 {clock.fmt(status.correct_by)}")
    if entry.warnings:
        st.warning(f"上传时的提醒 {len(entry.warnings)} 处（含“无实质内容”等）：")
        table(problem_frame(entry.warnings), name=f"{status.unit}{code}提醒", download=False, key="review_warnings")
    table(
        changes_frame(entry),
        name=f"{status.unit}{code}较上月变化",
        download=False,
        key="review_changes",
        column_config={"完成状态": charts.status_column(), "进度": charts.progress_column()},
    )
    if st.button(
        "通过",
        type="primary",
        key="review_pass",
        disabled=status.state == ReviewState.PASSED,
    ):
        _act(actor, status.unit, code, ReviewState.PASSED)
    numbers = [c.no for c in entry.changes]
    with st.form("review_return_form"):
        reason = st.text_area("退回理由（必填）", key="review_reason", max_chars=500)
        rows = st.multiselect(
            "退回的任务（不选即退回整份月报）", numbers, key="review_rows", placeholder="选择任务序号"
        )
        wrong = st.multiselect(
            "认定为报送内容失实的任务（每处按扣分标准扣分，可申诉）",
            numbers,
            key="review_misreported",
            placeholder="选择任务序号",
        )
        if st.form_submit_button("退回"):
            _act(actor, status.unit, code, ReviewState.RETURNED, reason=reason, rows=rows, misreported=wrong)
