"""Pieces of the upload page: the result of an upload, and the unit's history for a period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import streamlit as st

from accounts.access import Actor
from core import clock
from core.vocab import Lateness, TaskStatus
from db.engine import read_session
from intake.ingest import IngestResult, ingest_form, ingest_upload, original_file
from intake.limits import MAX_HEADER_CHARS, MAX_REMARK_CHARS, MAX_TEXT_CHARS
from intake.template import (
    COLUMNS,
    FILL_KEYS,
    LABEL_FILLER,
    LABEL_HEAD,
    LABEL_PHONE,
    CellValue,
    TemplateError,
    form_file_name,
    place,
)
from intake.validation import Problem, annotate
from office.deductions import Timeliness
from ui import cycle
from ui.tables import table

RESULT_KEY = "upload_result"


@dataclass(frozen=True)
class Outcome:
    """The last upload on this page, kept across reruns (downloads rerun the script)."""

    unit_id: int
    period: str
    file_name: str
    result: IngestResult
    annotated: bytes | None
    timeliness: Timeliness | None = None  # for an accepted upload: the report's lateness right after it
    form_tasks: tuple[int, ...] | None = None  # for the online form: its task numbers, in order


def upload(
    actor: Actor,
    unit_id: int,
    unit_name: str,
    period: str,
    file_name: str,
    content: bytes,
    on_behalf: bool,
    received_at: datetime | None,
) -> None:
    """Ingest one file, remember the outcome for ``show_outcome`` and rerun: the rerun reads at
    the new data revision, so the history below includes this upload."""
    try:
        result = ingest_upload(
            content,
            file_name=file_name,
            unit=unit_name,
            actor=actor,
            period=period,
            on_behalf=on_behalf,
            received_at=received_at,
        )
    except ValueError as exc:
        st.session_state.pop(RESULT_KEY, None)
        st.error(str(exc))
        return
    annotated = None if result.accepted else annotate(content, result.errors)
    timeliness = cycle.timeliness(unit_id, period) if result.accepted else None
    st.session_state[RESULT_KEY] = Outcome(unit_id, period, file_name, result, annotated, timeliness)
    st.rerun()


# --- the online form ------------------------------------------------------------------

SUBMIT_KEY = "form_submit"
DRAFT_KEY = "online_form_draft"
_FIXED = list(COLUMNS[:3])  # 序号, 主要任务, 责任类型: shown, not edited
_FILLED = dict(zip(FILL_KEYS, COLUMNS[3:], strict=True))  # key -> column title
_HEADER_FIELDS = (LABEL_FILLER, LABEL_PHONE, LABEL_HEAD)


@dataclass(frozen=True)
class FormDraft:
    """What the unit submitted and was refused, shown again for correction."""

    unit_id: int
    period: str
    rows: dict[int, dict[str, CellValue]]
    header: dict[str, str]
    serial: int  # a new editor for every refusal, so it shows this draft


def online_form(
    actor: Actor, unit_id: int, unit_name: str, period: str, on_behalf: bool, received_at: datetime | None
) -> None:
    """The same rows as the template, filled in the browser; submitted through the same checks,
    versions and lateness as an uploaded workbook (``intake.ingest.ingest_form``)."""
    draft: FormDraft | None = st.session_state.get(DRAFT_KEY)
    if draft is not None and (draft.unit_id, draft.period) != (unit_id, period):
        draft = None
    try:
        start = cycle.online_form_start(unit_id, period)
        # Not reported this month yet: last month's report may be the starting point.
        if not start.rows and draft is None and prefill_choice("form_prefill"):
            start = cycle.online_form_start(unit_id, period, prefill=True)
    except TemplateError as exc:
        st.error(str(exc))
        return
    rows = draft.rows if draft is not None else start.rows
    header = draft.header if draft is not None else start.header
    if draft is not None:
        st.caption("以下为上次提交未通过的内容，请按问题修改后重新提交。")
    elif start.source:
        st.caption(f"表中已填入{start.source}，请逐项核对修改后提交。")
    frame = pd.DataFrame(
        [
            {
                **dict(zip(_FIXED, task, strict=True)),
                **{_FILLED[key]: rows.get(task[0], {}).get(key) for key in FILL_KEYS},
            }
            for task in start.tasks
        ],
        columns=list(COLUMNS),
    )
    frame[_FILLED["progress"]] = pd.to_numeric(frame[_FILLED["progress"]], errors="coerce")
    version = f"{unit_id}_{period}_{draft.serial if draft else 0}"  # fresh inputs for each start
    # No st.form: each edit reruns the page, so the count below follows what is filled in.
    edited = st.data_editor(
        frame,
        column_config=_form_columns(),
        disabled=_FIXED,
        hide_index=True,
        num_rows="fixed",
        width="stretch",
        key=f"form_rows_{version}",
    )
    filled = {
        int(row[COLUMNS[0]]): {key: _cell(row[_FILLED[key]]) for key in FILL_KEYS} for _, row in edited.iterrows()
    }
    st.caption(_filled_count(filled))
    columns = st.columns(3)
    entered = {
        label: column.text_input(
            label, value=header.get(label, ""), max_chars=MAX_HEADER_CHARS, key=f"form_{label}_{version}"
        )
        for column, label in zip(columns, _HEADER_FIELDS, strict=True)
    }
    if not st.button("提交在线填报", type="primary", key=SUBMIT_KEY):
        return
    try:
        result = ingest_form(
            filled,
            entered,
            unit=unit_name,
            actor=actor,
            period=period,
            on_behalf=on_behalf,
            received_at=received_at,
        )
    except ValueError as exc:
        st.error(str(exc))
        return
    numbers = tuple(task[0] for task in start.tasks)
    if result.accepted:
        st.session_state.pop(DRAFT_KEY, None)
    else:
        serial = (draft.serial if draft else 0) + 1
        st.session_state[DRAFT_KEY] = FormDraft(unit_id, period, filled, entered, serial)
    timeliness = cycle.timeliness(unit_id, period) if result.accepted else None
    name = form_file_name(unit_name, period)
    st.session_state[RESULT_KEY] = Outcome(unit_id, period, name, result, None, timeliness, numbers)
    st.rerun()


def _filled_count(rows: dict[int, dict[str, CellValue]]) -> str:
    total = len(rows)
    counts = [sum(values[key] is not None for values in rows.values()) for key in FILL_KEYS[:3]]
    return "已填写：" + "，".join(
        f"{_FILLED[key]} {n}/{total} 项" for key, n in zip(FILL_KEYS[:3], counts, strict=True)
    )


def prefill_choice(key: str) -> bool:
    """The choice to start from last month's report (the template download and the online form)."""
    return st.checkbox(
        "带入上月填报内容",
        key=key,
        help="用本单位上月报送的完成状态、进度和各栏文字作为起点，逐项修改后再报送。"
        "“本月工作进展”与上月完全相同的，仍会提示督查室作为可能的“无实质内容”复核。",
    )


def _form_columns() -> dict[str, st.column_config.Column]:
    text = {key: MAX_REMARK_CHARS if key == "remarks" else MAX_TEXT_CHARS for key in FILL_KEYS[2:]}
    return {
        COLUMNS[0]: st.column_config.NumberColumn(COLUMNS[0], format="%d", width="small"),
        COLUMNS[1]: st.column_config.TextColumn(COLUMNS[1], width="medium"),
        COLUMNS[2]: st.column_config.TextColumn(COLUMNS[2], width="small"),
        _FILLED["status"]: st.column_config.SelectboxColumn(
            _FILLED["status"], options=list(TaskStatus.reportable()), required=True
        ),
        _FILLED["progress"]: st.column_config.NumberColumn(
            _FILLED["progress"], min_value=0, max_value=100, step=1, format="%g", required=True
        ),
        **{
            _FILLED[key]: st.column_config.TextColumn(
                _FILLED[key], max_chars=limit, width="large" if key == "progress_text" else "medium"
            )
            for key, limit in text.items()
        },
    }


def _cell(value: object) -> CellValue:
    """An edited cell as the template would hold it: blank as None, numbers as numbers, text trimmed."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    return text or None


def problem_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"工作表": p.sheet, "单元格": p.cell, "填写内容": p.value, "问题": p.message} for p in problems],
        columns=["工作表", "单元格", "填写内容", "问题"],
    )


def form_problem_frame(problems: Sequence[Problem], numbers: Sequence[int]) -> pd.DataFrame:
    """Problems of an online form by task and column (not by cell of the workbook behind it)."""
    records = []
    for p in problems:
        where, column = place(p.cell, numbers) if p.sheet != "_meta" else ("", "")
        records.append({"任务": where, "栏目": column, "填写内容": p.value, "问题": p.message})
    return pd.DataFrame(records, columns=["任务", "栏目", "填写内容", "问题"])


def show_outcome(unit_id: int, period: str) -> None:
    outcome: Outcome | None = st.session_state.get(RESULT_KEY)
    if outcome is None or (outcome.unit_id, outcome.period) != (unit_id, period):
        return
    result = outcome.result
    if not result.accepted and outcome.form_tasks is not None:
        st.error(
            f"未通过校验：共 {len(result.errors)} 处问题，本次提交未保存任何内容。请在在线填报表中逐项修改后重新提交。"
        )
        table(form_problem_frame(result.errors, outcome.form_tasks), name="校验问题", download=False)
        return
    if not result.accepted:
        st.error(f"未通过校验：共 {len(result.errors)} 处问题，本次上传未保存任何内容。请按下表逐项修改后重新上传。")
        table(problem_frame(result.errors), name="校验问题", download=False)  # the annotated copy is its download
        if outcome.annotated:
            st.download_button(
                "下载标注副本（问题单元格已标红并附批注）",
                outcome.annotated,
                file_name=f"标注_{outcome.file_name.rsplit('.', 1)[0]}.xlsx",
                mime=cycle.XLSX_MIME,
                on_click="ignore",
                key="download_annotated",
            )
        return
    if result.duplicate:
        st.info(f"与当前版本（第 {result.version} 版）内容完全相同，未生成新版本。")
    else:
        st.success(f"已接收：{result.unit} {result.period} 第 {result.version} 版，共 {result.rows} 项任务。")
        if outcome.timeliness is not None:
            _after_upload(outcome.timeliness, result.submission_id)
    if result.warnings:
        st.warning(f"以下 {len(result.warnings)} 处请核对（不影响接收，督查室会复核）：")
        table(problem_frame(result.warnings), name="请核对的内容", download=False)


def _time(moment: datetime | None) -> str:
    return clock.fmt(moment) if moment else ""


def _after_upload(t: Timeliness, submission_id: int | None) -> None:
    """Whether the version just accepted made the report late: lateness is judged by the first
    accepted version, so a correction never is, and an on-time first version never is."""
    first = t.first_id == submission_id
    if t.status == Lateness.LATE and first:
        st.warning(
            f"本次为迟报：报送截止时间为 {clock.fmt(t.due)}，迟 {t.days_late} 天，按规定扣 {t.amount:g} 分。"
            "如有正当理由，可向督查室申诉。"
        )
    elif t.status == Lateness.LATE:
        st.info(
            f"本月月报首次于 {_time(t.first_at)} 报送，已计迟报 {t.days_late} 天（扣 {t.amount:g} 分）；"
            "本次为更正，不另计迟报。"
        )
    elif t.status == Lateness.ON_TIME:
        st.caption("按时报送。" if first else f"本次为更正；本月首次报送（{_time(t.first_at)}）按时，仍计为按时。")


def show_timeliness(unit_id: int, period: str, received_at: datetime | None = None) -> None:
    """Before an upload: what it will count as. A warning when the deadline has passed and the
    unit has not reported yet (the upload will count as 迟报); otherwise how the month stands.
    Nothing while the page shows an upload just accepted for this unit and month (it says so)."""
    outcome: Outcome | None = st.session_state.get(RESULT_KEY)
    if outcome is not None and (outcome.unit_id, outcome.period) == (unit_id, period) and outcome.result.accepted:
        return
    t = cycle.timeliness(unit_id, period, received_at)
    if t is None:
        st.info(f"本单位的任务均已办结，{period} 不需要报送月报。")
    elif t.status == Lateness.EXEMPT:
        st.info(f"{period} 已批准免报。")
    elif not t.reported and t.if_now == Lateness.LATE:
        when = "按所填收件时间" if received_at is not None else "现在上传"
        st.warning(
            f"报送截止时间（{clock.fmt(t.due)}）已过，本单位尚未报送 {period} 月报：{when}将计为迟报"
            f"（迟 {t.if_now_days} 天），按规定扣 {t.if_now_amount:g} 分。"
        )
    elif t.status == Lateness.LATE:
        st.info(
            f"本月月报已于 {_time(t.first_at)} 首次报送，计为迟报（迟 {t.days_late} 天，扣 {t.amount:g} 分）；"
            "再次上传为更正，不另计迟报。"
        )
    elif t.status == Lateness.ON_TIME:
        st.caption(f"本月月报已于 {_time(t.first_at)} 按时报送；再次上传为更正，仍计为按时。")


def show_history(actor: Actor, unit_id: int, period: str) -> None:
    entries = cycle.history(unit_id, period)
    if not entries:
        st.caption("本月尚无上传记录。")
        return
    table(
        pd.DataFrame(
            {
                "时间": clock.fmt(e.at),
                "结果": e.result,
                "版本": f"第 {e.version} 版" if e.version else "",
                "上传人": e.uploaded_by + ("（代为录入）" if e.on_behalf else ""),
                "文件": e.file_name,
                "任务数/问题数": f"{e.rows} 项任务" if e.accepted else f"{e.error_count} 处问题",
            }
            for e in entries
        ),
        name=f"{period}上传记录",
        download=False,
    )
    versions = {f"第 {e.version} 版（{clock.fmt(e.at)}）": e.submission_id for e in entries if e.accepted}
    if not versions:
        return
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    chosen = left.selectbox("下载已接收版本的原始文件", list(versions), key="history_version")
    with read_session() as session:
        name, content = original_file(session, versions[chosen], actor)  # type: ignore[arg-type]
    right.download_button(
        "下载原始文件", content, file_name=name, mime=cycle.XLSX_MIME, on_click="ignore", key="download_original"
    )
