"""The 节点计划 screen: a lead unit's plan (download, upload, edit on the page, state, versions),
the plans of the tasks a unit assists, and the office's review (states, chase list, 确认 / 退回)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from accounts.access import Actor
from core import clock
from core.vocab import PlanState
from cycle.admin import change_setting
from cycle.settings import SPECS
from db.engine import database_url, read_session, write_session
from intake.guard import UPLOAD_EXTENSIONS
from intake.limits import MAX_UPLOAD_MB
from intake.plans import (
    PLAN_COLUMNS,
    PlanResult,
    PlanTemplateError,
    build_plan_template,
    form_cell,
    form_rows,
    ingest_plan,
    original_plan_file,
    save_plan_form,
)
from intake.validation import Problem, annotate
from office.plans import PlanChaseRow, confirm_plan, plan_chase, plan_chase_text, return_plan
from status import plans as plan_reads
from ui import charts, data
from ui.cycle import XLSX_MIME
from ui.tables import table
from ui.upload_view import problem_frame

RESULT_KEY = "plan_result"
FLASH_KEY = "plan_flash"
# --- cached reads -----------------------------------------------------------------------


@data.cached()
def _states(url: str, revision: int, year: int) -> dict[int, plan_reads.UnitPlanState]:
    with read_session() as session:
        return plan_reads.plan_states(session, year=year)


def states(year: int) -> dict[int, plan_reads.UnitPlanState]:
    """lead unit id → where its plan for ``year`` stands (``status.plans.plan_states``)."""
    return _states(database_url(), data.revision(), year)


@data.cached()
def _task_plans(url: str, revision: int, year: int, unit_id: int | None) -> list[plan_reads.TaskPlanView]:
    with read_session() as session:
        return plan_reads.task_plans(session, year=year, unit_id=unit_id)


def task_plans(year: int, unit_id: int | None = None) -> list[plan_reads.TaskPlanView]:
    return _task_plans(database_url(), data.revision(), year, unit_id)


@data.cached()
def _versions(url: str, revision: int, unit_id: int, year: int) -> list[plan_reads.PlanVersion]:
    with read_session() as session:
        return plan_reads.plan_versions(session, unit_id=unit_id, year=year)


def versions(unit_id: int, year: int) -> list[plan_reads.PlanVersion]:
    return _versions(database_url(), data.revision(), unit_id, year)


@data.cached()
def _changes(url: str, revision: int, unit_id: int, year: int, version: int) -> list[str]:
    with read_session() as session:
        return [c.text for c in plan_reads.plan_changes(session, unit_id=unit_id, year=year, version=version)]


def changes(unit_id: int, year: int, version: int) -> list[str]:
    return _changes(database_url(), data.revision(), unit_id, year, version)


@data.cached()
def _chase(url: str, revision: int, year: int, today: date) -> tuple[date, list[PlanChaseRow]]:
    with read_session() as session:
        return plan_reads.plan_due(session, year=year), plan_chase(session, year=year, today=today)


def chase(year: int) -> tuple[date, list[PlanChaseRow]]:
    return _chase(database_url(), data.revision(), year, clock.now().date())


@data.cached()
def _template(url: str, revision: int, unit_id: int, year: int) -> bytes:
    with read_session() as session:
        return build_plan_template(session, unit_id=unit_id, year=year)


@data.cached()
def _form_rows(url: str, revision: int, unit_id: int, year: int) -> list[dict[str, object]]:
    with read_session() as session:
        return form_rows(session, unit_id=unit_id, year=year)


# --- shared pieces ----------------------------------------------------------------------


def state_text(state: plan_reads.UnitPlanState) -> str:
    if state.version is None:
        return state.state.label
    return f"第 {state.version} 版 {state.state.label}"


def milestones_text(milestones: Sequence[plan_reads.Milestone]) -> str:
    return "；".join(f"{m.due:%-m月%-d日} {m.target:g}% {m.text}" for m in milestones)


def plans_table(views: Sequence[plan_reads.TaskPlanView], *, name: str, key: str) -> None:
    """Each task's latest plan with its state: read-only."""
    if not views:
        st.caption("没有任务。")
        return
    frame = pd.DataFrame(
        [
            {
                "序号": v.no,
                "主要任务": v.text,
                "牵头单位": v.lead_unit,
                "计划状态": v.state.label,
                "版本": f"第 {v.version} 版" if v.version else "",
                "节点": milestones_text(v.milestones),
            }
            for v in views
        ]
    )
    table(
        frame,
        name=name,
        key=key,
        column_config={"主要任务": st.column_config.TextColumn(width="medium"), "计划状态": charts.plan_state_column()},
    )


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message)


# --- a lead unit's plan -----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """The last submission on this page, kept across reruns."""

    unit_id: int
    year: int
    source: str
    file_name: str
    result: PlanResult
    annotated: bytes | None


def unit_plan(actor: Actor, unit_id: int, unit_name: str, year: int) -> None:
    """A lead unit's own plan: state and return reason, template, upload, page editor, versions."""
    state = states(year).get(unit_id)
    if state is None:
        st.info(f"{unit_name} 在 {year} 年没有牵头的任务，无需报送节点计划。")
        return
    due, _ = chase(year)
    _state_message(state, due)
    show_outcome(unit_id, year)
    upload_tab, edit_tab, history_tab = st.tabs(["下载模板 / 上传", "在页面上填写", "版本记录"])
    with upload_tab:
        try:
            template = _template(database_url(), data.revision(), unit_id, year)
        except PlanTemplateError as exc:
            st.error(str(exc))
        else:
            st.download_button(
                f"下载 {unit_name} {year} 年度节点计划模板",
                template,
                file_name=f"{unit_name}_{year}_节点计划.xlsx",
                mime=XLSX_MIME,
                on_click="ignore",
                key="plan_template",
            )
            st.caption("模板已预填本单位牵头的任务（已报送过的，预填最新版本的节点）。")
        uploaded = st.file_uploader(
            f"选择填好的节点计划（.xlsx，不超过 {MAX_UPLOAD_MB} MB）",
            type=list(UPLOAD_EXTENSIONS),
            key="plan_file",
        )
        if st.button("上传并检查", type="primary", disabled=uploaded is None, key="plan_upload") and uploaded:
            _submit(actor, unit_id, unit_name, year, "upload", uploaded.name, uploaded.getvalue())
    with edit_tab:
        _editor(actor, unit_id, unit_name, year)
    with history_tab:
        version_history(actor, unit_id, year)


def _state_message(state: plan_reads.UnitPlanState, due: date) -> None:
    deadline = f"报送截止：{due:%Y年%-m月%-d日}"
    if plan_reads.plan_overdue(state.state, due=due, today=clock.now().date()):
        deadline += "，已逾期，请尽快报送"
    if state.state is PlanState.MISSING:
        st.warning(f"尚未报送本年度节点计划。{deadline}。")
    elif state.state is PlanState.SUBMITTED:
        st.info(f"第 {state.version} 版已于 {clock.fmt(state.received_at)} 报送，待督查室确认。")
    elif state.state is PlanState.RETURNED:
        st.error(f"第 {state.version} 版已被督查室退回：{state.return_reason}。请修改后重新报送（{deadline}）。")
    else:
        st.success(f"第 {state.version} 版已确认。如需调整计划，修改后重新报送，经督查室再次确认后生效。")
    if state.state is not PlanState.CONFIRMED and state.confirmed_version:
        st.caption(f"在新版本确认之前，仍按已确认的第 {state.confirmed_version} 版判断进度。")


def _editor(actor: Actor, unit_id: int, unit_name: str, year: int) -> None:
    rows = _form_rows(database_url(), data.revision(), unit_id, year)
    if not rows:
        st.caption("没有需要填写的任务。")
        return
    numbers = sorted({int(str(r["no"])) for r in rows})
    st.caption(
        f"每项任务预留 4 行，用不完的留空；需要更多节点时在表格末尾新增一行并选择序号。完成时限填 {year} 年内的日期，"
        "计划进度为累计进度（0–100），最后一个节点为 100；跨年度任务请在节点目标中注明“跨年度”。"
    )
    frame = pd.DataFrame(rows, columns=["no", "task", "due", "text", "target"])
    frame["due"] = pd.to_datetime(frame["due"])
    edited = st.data_editor(
        frame,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"plan_editor_{unit_id}_{year}",
        column_config={
            "no": st.column_config.SelectboxColumn(PLAN_COLUMNS[0], options=numbers, required=True, width="small"),
            "task": st.column_config.TextColumn(PLAN_COLUMNS[1], disabled=True, width="large"),
            "due": st.column_config.DateColumn(
                PLAN_COLUMNS[2], min_value=date(year, 1, 1), max_value=date(year, 12, 31), format="YYYY-MM-DD"
            ),
            "text": st.column_config.TextColumn(PLAN_COLUMNS[3], width="large"),
            "target": st.column_config.NumberColumn(PLAN_COLUMNS[4], min_value=0, max_value=100, step=1),
        },
    )
    if st.button("检查并报送", type="primary", key="plan_form_submit"):
        records = [{str(k): v for k, v in row.items()} for row in edited.to_dict("records")]
        _submit(actor, unit_id, unit_name, year, "form", "", b"", records)


def _submit(
    actor: Actor,
    unit_id: int,
    unit_name: str,
    year: int,
    source: str,
    file_name: str,
    content: bytes,
    records: list[dict[str, object]] | None = None,
) -> None:
    """Store one version (a file or the page's rows), remember the outcome, rerun."""
    try:
        if records is None:
            result = ingest_plan(
                content, file_name=file_name, unit=unit_name, actor=actor, year=year, on_behalf=actor.is_office
            )
        else:
            result = save_plan_form(records, unit=unit_name, actor=actor, year=year, on_behalf=actor.is_office)
    except ValueError as exc:
        st.session_state.pop(RESULT_KEY, None)
        st.error(str(exc))
        return
    annotated = annotate(content, result.errors) if records is None and not result.accepted else None
    st.session_state[RESULT_KEY] = Outcome(unit_id, year, source, file_name, result, annotated)
    st.rerun()


def show_outcome(unit_id: int, year: int) -> None:
    outcome: Outcome | None = st.session_state.get(RESULT_KEY)
    if outcome is None or (outcome.unit_id, outcome.year) != (unit_id, year):
        return
    result = outcome.result
    if not result.accepted:
        st.error(f"未通过校验：共 {len(result.errors)} 处问题，本次报送未保存任何内容。请按下表逐项修改后重新报送。")
        if outcome.source == "form":
            table(_form_problems(result.errors), name="校验问题", download=False, key="plan_problems")
        else:
            table(problem_frame(result.errors), name="校验问题", download=False, key="plan_problems")
        if outcome.annotated:
            st.download_button(
                "下载标注副本（问题单元格已标红并附批注）",
                outcome.annotated,
                file_name=f"标注_{outcome.file_name.rsplit('.', 1)[0]}.xlsx",
                mime=XLSX_MIME,
                on_click="ignore",
                key="plan_annotated",
            )
    elif result.duplicate:
        st.info(f"与第 {result.version} 版内容完全相同，未生成新版本。")
    else:
        st.success(
            f"已报送：{result.unit} {result.year} 年度节点计划第 {result.version} 版，共 {result.rows} 个节点，"
            "待督查室确认。"
        )


def _form_problems(problems: Sequence[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"位置": form_cell(p), "填写内容": p.value, "问题": p.message} for p in problems],
        columns=["位置", "填写内容", "问题"],
    )


def version_history(actor: Actor, unit_id: int, year: int) -> None:
    found = versions(unit_id, year)
    if not found:
        st.caption("尚无报送记录。")
        return
    table(
        pd.DataFrame(
            {
                "版本": f"第 {v.version} 版",
                "状态": v.state.label,
                "报送时间": clock.fmt(v.received_at),
                "报送人": v.submitted_by + ("（代为录入）" if v.on_behalf else ""),
                "方式": "上传文件" if v.source == "upload" else "页面填写",
                "节点数": v.milestones,
                "处理": f"{v.decided_by} {clock.fmt(v.decided_at)}" if v.decided_at else "",
                "退回原因": v.return_reason,
            }
            for v in found
        ),
        name=f"{year}年度节点计划版本",
        key=f"plan_versions_{unit_id}",
        download=False,
        column_config={"状态": charts.plan_state_column("状态")},
    )
    chosen = st.selectbox(
        "查看某一版本与上一版本相比的变化",
        [v.version for v in found],
        format_func=lambda n: f"第 {n} 版",
        key=f"plan_change_version_{unit_id}",
    )
    lines = changes(unit_id, year, chosen)
    st.markdown("\n".join(f"- {line}" for line in lines) if lines else "与上一版本相比没有变化。")
    files = {v.version: v.plan_id for v in found if v.source == "upload"}
    if chosen in files:
        with read_session() as session:
            name, content = original_plan_file(session, plan_id=files[chosen], actor=actor)
        st.download_button(
            f"下载第 {chosen} 版原始文件",
            content,
            file_name=name,
            mime=XLSX_MIME,
            on_click="ignore",
            key="plan_original",
        )


# --- the office -------------------------------------------------------------------------


def _deadline_form(actor: Actor, due: date) -> None:
    """The plan deadline setting (``plan_due_month``): the end of which month of the year."""
    spec = SPECS["plan_due_month"]
    with st.form("plan_due_form", border=False):
        left, right = st.columns([2, 1], vertical_alignment="bottom")
        month = left.number_input(
            spec.label, min_value=int(spec.low or 1), max_value=int(spec.high or 12), value=due.month, step=1
        )
        saved = right.form_submit_button("保存截止月份")
    if saved:
        try:
            with write_session() as session:
                change_setting(session, key="plan_due_month", value=month, actor=actor)
        except ValueError as exc:
            st.error(str(exc))
            return
        st.session_state[FLASH_KEY] = f"节点计划报送截止已改为每年 {month} 月底"
        st.rerun()


def office_overview(actor: Actor, year: int) -> None:
    """Every lead unit's plan state, and the units to chase."""
    found = list(states(year).values())
    counts = {s: sum(1 for one in found if one.state is s) for s in PlanState}
    columns = st.columns(len(PlanState))
    for column, state in zip(columns, PlanState, strict=True):
        column.metric(state.label, f"{counts[state]} 个单位", border=True)
    due, rows = chase(year)
    table(
        pd.DataFrame(
            {
                "牵头单位": s.unit_name,
                "计划状态": s.state.label,
                "最新版本": f"第 {s.version} 版" if s.version else "",
                "报送时间": clock.fmt(s.received_at) if s.received_at else "",
                "已确认版本": f"第 {s.confirmed_version} 版" if s.confirmed_version else "",
                "退回原因": s.return_reason,
            }
            for s in found
        ),
        name=f"{year}年度节点计划报送情况",
        key="plan_states",
        column_config={"计划状态": charts.plan_state_column()},
    )
    st.subheader("待办与催报")
    st.caption(f"报送截止：{due:%Y年%-m月%-d日}。未报送、已退回的单位需要催报；待确认的等督查室处理。")
    _deadline_form(actor, due)
    if not rows:
        st.success("全部牵头单位的计划均已确认。")
        return
    table(
        pd.DataFrame(
            {
                "牵头单位": r.unit,
                "计划状态": r.state.label,
                "逾期": "已逾期" if r.overdue else "",
                "联系人": r.contact,
                "退回原因": r.return_reason,
            }
            for r in rows
        ),
        name=f"{year}年度节点计划待办",
        key="plan_chase",
        column_config={"计划状态": charts.plan_state_column()},
    )
    if any(r.state in plan_reads.CHASED_STATES for r in rows):
        st.code(plan_chase_text(year, due, rows), language=None, wrap_lines=True)


def office_review(actor: Actor, year: int) -> None:
    """Pick a lead unit: its latest version with what changed, 确认 or 退回."""
    found = states(year)
    if not found:
        st.caption("本年度没有牵头单位。")
        return
    waiting = [s for s in found.values() if s.state is PlanState.SUBMITTED]
    ordered = waiting + [s for s in found.values() if s.state is not PlanState.SUBMITTED]
    ids = [s.unit_id for s in ordered]
    unit_id = st.selectbox(
        "牵头单位（待确认的排在前面）",
        ids,
        format_func=lambda i: f"{found[i].unit_name}（{state_text(found[i])}）",
        key="plan_review_unit",
    )
    state = found[unit_id]
    mine = [v for v in task_plans(year) if v.lead_unit_id == unit_id]
    plans_table(mine, name=f"{state.unit_name}{year}年度节点计划", key="plan_review_table")
    if state.version is None:
        st.caption("该单位尚未报送。")
        return
    lines = changes(unit_id, year, state.version)
    with st.expander(f"第 {state.version} 版与上一版本相比的变化（{len(lines)} 处）", expanded=state.version > 1):
        st.markdown("\n".join(f"- {line}" for line in lines) if lines else "没有变化。")
    if state.state is not PlanState.SUBMITTED:
        st.caption(f"最新版本{state.state.label}，没有待确认的版本。")
        return
    left, right = st.columns(2)
    if left.button(f"确认第 {state.version} 版", type="primary", key="plan_confirm"):
        _decide(actor, unit_id, year, None)
    reason = right.text_input("退回原因", key="plan_return_reason", placeholder="例如：节点过粗，请细化到季度")
    if right.button(f"退回第 {state.version} 版", key="plan_return"):
        _decide(actor, unit_id, year, reason)


def _decide(actor: Actor, unit_id: int, year: int, reason: str | None) -> None:
    try:
        with write_session() as session:
            if reason is None:
                plan = confirm_plan(session, unit_id=unit_id, year=year, actor=actor)
                done = "已确认"
            else:
                plan = return_plan(session, unit_id=unit_id, year=year, reason=reason, actor=actor)
                done = "已退回"
            version = plan.version
    except ValueError as exc:
        st.error(str(exc))
        return
    st.session_state[FLASH_KEY] = f"{done}：{states(year)[unit_id].unit_name} 第 {version} 版"
    st.rerun()
