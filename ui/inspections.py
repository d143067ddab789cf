"""The pieces of 督查督导: cached reads of inspections, findings, 领导批示 and 督办单 (every read
goes through the services, which decide what an account may see), the office's forms, a unit's
own items with their reply forms (``unit_items``), and the sections 任务详情 and 按领导 include."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

import pandas as pd
import streamlit as st

from accounts.access import Actor
from core import clock
from core.vocab import FindingState, InspectionKind, TaskStatus
from db.engine import database_url, read_session, write_session
from intake.attachments import EXTENSIONS
from intake.findings_sheet import FindingsRefused
from intake.findings_sheet import blank_workbook as blank_findings
from intake.guard import UPLOAD_EXTENSIONS
from intake.limits import MAX_ATTACHMENT_MB, MAX_UPLOAD_MB
from office import inspections, instructions, notices
from office.bulletin import DOCX_MIME
from office.exports import XLSX_MIME
from office.inspections import FindingView, InspectionView
from office.instructions import InstructionView
from office.notices import NoticeView
from ui import data
from ui.tables import table
from ui.workbench import done


class _Answered(Protocol):
    @property
    def reply(self) -> str: ...


Item = TypeVar("Item")
Answered = TypeVar("Answered", bound=_Answered)

# --- cached reads -------------------------------------------------------------------------


@data.cached(ttl=300)
def _findings(url: str, revision: int, actor: Actor, year: int) -> list[FindingView]:
    with read_session() as session:
        return inspections.findings(session, actor, year=year)


def findings(actor: Actor, year: int) -> list[FindingView]:
    return _findings(database_url(), data.revision(), actor, year)


@data.cached()
def _inspections(url: str, revision: int, year: int) -> list[InspectionView]:
    with read_session() as session:
        return inspections.inspections(session, year=year)


@data.cached()
def _instructions(url: str, revision: int, actor: Actor, year: int) -> list[InstructionView]:
    with read_session() as session:
        return instructions.instructions(session, actor, year=year)


def instruction_list(actor: Actor, year: int) -> list[InstructionView]:
    return _instructions(database_url(), data.revision(), actor, year)


@data.cached(ttl=300)
def _notices(url: str, revision: int, actor: Actor, year: int) -> list[NoticeView]:
    with read_session() as session:
        return notices.notices(session, actor, year=year)


def notice_list(actor: Actor, year: int) -> list[NoticeView]:
    return _notices(database_url(), data.revision(), actor, year)


@data.cached(ttl=300)
def _eligible(url: str, revision: int, year: int) -> list[tuple[int, str]]:
    with read_session() as session:
        states = notices.eligible_tasks(session, year=year, as_of=clock.now())
    return [(s.no, f"{s.status.label}{'、欠进度' if s.behind else ''}") for s in states]


# --- frames -------------------------------------------------------------------------------


def _state(state: FindingState, overdue: bool) -> str:
    return state.label + ("（逾期）" if overdue else "")


def findings_frame(views: Sequence[FindingView]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "编号": v.id,
                "检查日期": v.inspection_date,
                "序号": v.task_no,
                "责任单位": v.unit,
                "发现问题": v.text,
                "整改要求": v.requirement,
                "整改时限": v.due,
                "状态": _state(v.state, v.overdue),
                "整改情况": v.reply,
                "退回理由": v.returned_reason,
            }
            for v in views
        ],
        columns=[
            "编号",
            "检查日期",
            "序号",
            "责任单位",
            "发现问题",
            "整改要求",
            "整改时限",
            "状态",
            "整改情况",
            "退回理由",
        ],
    )


def counts_frame(views: Sequence[FindingView], key: str, label: str) -> pd.DataFrame:
    rows = [
        {label: name, "问题数": c.total, "待整改": c.open, "逾期": c.overdue, "已反馈": c.replied, "已销号": c.closed}
        for name, c in inspections.counts_by(views, key).items()
    ]
    return pd.DataFrame(rows, columns=[label, "问题数", "待整改", "逾期", "已反馈", "已销号"])


def instructions_frame(views: Sequence[InstructionView]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "编号": v.id,
                "批示日期": v.given_on,
                "序号": v.task_no,
                "领导": v.leader,
                "批示内容": v.text,
                "状态": {FindingState.CLOSED: TaskStatus.CLOSED.label}.get(v.state, v.state.label),
                "落实情况": "；".join(f"{r.unit}：{r.text}" for r in v.replies),
            }
            for v in views
        ],
        columns=["编号", "批示日期", "序号", "领导", "批示内容", "状态", "落实情况"],
    )


def notices_frame(views: Sequence[NoticeView]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "文号": v.number,
                "印发时间": clock.fmt(v.issued_at),
                "序号": v.task_no,
                "单位": v.unit,
                "存在问题": v.problem,
                "回复时限": v.due,
                "状态": _state(v.state, v.overdue),
                "落实情况": v.reply,
                "退回理由": v.returned_reason,
            }
            for v in views
        ],
        columns=["文号", "印发时间", "序号", "单位", "存在问题", "回复时限", "状态", "落实情况", "退回理由"],
    )


_TEXT = {name: st.column_config.TextColumn(width="large") for name in ("发现问题", "整改要求", "整改情况", "批示内容")}


def _table(frame: pd.DataFrame, name: str, key: str, empty: str) -> None:
    if frame.empty:
        st.caption(empty)
    else:
        table(frame, name=name, key=key, column_config=_TEXT)


# --- writes -------------------------------------------------------------------------------


def _write(action: Callable[..., object], message: str, **kwargs: object) -> None:
    """Run one service call in a transaction; its Chinese refusal shown, or ``message`` after a rerun."""
    try:
        with write_session() as session:
            action(session, **kwargs)
    except ValueError as exc:
        st.error(str(exc))
        return
    done(message)


def _files(uploaded: object) -> list[tuple[str, bytes]]:
    return [(f.name, f.getvalue()) for f in (uploaded or [])]  # type: ignore[attr-defined]


def _attachment_download(actor: Actor, files: list[tuple[int, str]], key: str) -> None:
    if not files:
        return
    chosen = st.selectbox("附件", files, format_func=lambda f: f[1], key=f"{key}_pick")

    def content() -> bytes:
        with read_session() as session:
            return inspections.attachment(session, actor, chosen[0])[2]

    st.download_button("下载附件", content, file_name=chosen[1], on_click="ignore", key=f"{key}_get")


# --- the office -----------------------------------------------------------------------------


def _reply(
    key: str,
    items: Sequence[Item],
    *,
    pick: str,
    describe: Callable[[Item], str],
    answer: str,
    button: str,
    attachments: bool = False,
) -> tuple[Item, str, list[tuple[str, bytes]]] | None:
    """A unit's answer to one of its open ``items`` (a finding, an instruction, a 督办单): pick
    it, write what was done, attach files if asked; what was submitted, or None."""
    if not items:
        return None
    with st.form(key, clear_on_submit=True):
        chosen = st.selectbox(pick, items, format_func=describe, key=f"{key}_pick")
        text = st.text_area(answer, key=f"{key}_text")
        uploaded = None
        if attachments:
            uploaded = st.file_uploader(
                f"附件（照片、PDF，每个不超过 {MAX_ATTACHMENT_MB} MB）",
                type=list(EXTENSIONS),
                accept_multiple_files=True,
                key=f"{key}_files",
            )
        submitted = st.form_submit_button(button, type="primary")
    if not submitted or chosen is None:
        return None
    return chosen, text, _files(uploaded) if uploaded else []


def _verify(
    key: str,
    items: Sequence[Answered],
    *,
    pick: str,
    describe: Callable[[Answered], str],
    answer: str,
    files: Callable[[Answered], None] | None = None,
    back: str = "退回",
) -> tuple[Answered, str | None] | None:
    """The office's check of a unit's answer: pick one of ``items``, read the answer (and its
    files), then 核实销号 (reason None) or send it back with the reason; None until a button."""
    chosen = st.selectbox(pick, items, format_func=describe, key=f"{key}_pick")
    st.markdown(f"**{answer}**：{chosen.reply}")
    if files is not None:
        files(chosen)
    reason = st.text_input("退回理由（退回时填写）", key=f"{key}_reason")
    left, right = st.columns(2)
    if left.button("核实销号", type="primary", key=f"{key}_close"):
        return chosen, None
    if right.button(back, key=f"{key}_return"):
        return chosen, reason
    return None


def record_form(actor: Actor, year: int) -> None:
    numbers = data.task_numbers(year)
    units = data.reporting_units(year)
    with st.form("inspection_record", clear_on_submit=True):
        c1, c2, c3 = st.columns(3)
        day = c1.date_input("检查日期", value=clock.now().date(), key="insp_date")
        kind = c2.selectbox("督查类型", InspectionKind.labels(), key="insp_kind")
        inspectors = c3.text_input("督查人员", key="insp_people")
        tasks = st.multiselect(
            "涉及任务",
            list(numbers),
            format_func=lambda no: f"{no}. {numbers[no][:30]}",
            key="insp_tasks",
            placeholder="选择任务",
        )
        covered = st.multiselect("涉及单位", [name for _, name in units], key="insp_units", placeholder="选择单位")
        summary = st.text_area("督查情况", key="insp_summary")
        uploaded = st.file_uploader(
            f"附件（照片、PDF，每个不超过 {MAX_ATTACHMENT_MB} MB）",
            type=list(EXTENSIONS),
            accept_multiple_files=True,
            key="insp_files",
        )
        submitted = st.form_submit_button("登记督查", type="primary")
    if submitted:
        _write(
            inspections.record_inspection,
            f"已登记 {day} 的{kind}督查。",
            actor=actor,
            inspected_on=day,
            kind=kind,
            year=year,
            inspectors=inspectors,
            summary=summary,
            task_nos=tasks,
            units=covered,
            attachments=_files(uploaded),
        )


def finding_form(actor: Actor, year: int) -> None:
    listed = _inspections(database_url(), data.revision(), year)
    if not listed:
        st.caption("请先登记一次督查，再为它添加发现的问题。")
        return
    numbers = data.task_numbers(year)
    units = data.reporting_units(year)
    with st.form("finding_add", clear_on_submit=True):
        inspection = st.selectbox(
            "督查", listed, format_func=lambda i: f"{i.inspected_on} {i.kind} {i.inspectors}", key="finding_insp"
        )
        c1, c2, c3 = st.columns(3)
        no = c1.selectbox("任务", list(numbers), format_func=lambda n: f"{n}. {numbers[n][:20]}", key="finding_task")
        unit = c2.selectbox("责任单位", [name for _, name in units], key="finding_unit")
        due = c3.date_input("整改时限", value=clock.now().date(), key="finding_due")
        text = st.text_area("发现问题", key="finding_text")
        requirement = st.text_area("整改要求", key="finding_requirement")
        submitted = st.form_submit_button("添加问题", type="primary")
    if submitted and inspection is not None:
        _write(
            inspections.add_finding,
            f"已添加第 {no} 项任务的督查问题（{unit}）。",
            actor=actor,
            inspection_id=inspection.id,
            task_no=no,
            unit=unit,
            text=text,
            requirement=requirement,
            due_on=due,
        )


def import_form(actor: Actor) -> None:
    st.download_button(
        "下载空白督查问题清单（Excel）",
        blank_findings(),
        file_name="督查问题清单.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        key="findings_blank",
    )
    uploaded = st.file_uploader(
        f"上传填好的督查问题清单（.xlsx，不超过 {MAX_UPLOAD_MB} MB）", type=list(UPLOAD_EXTENSIONS), key="findings_file"
    )
    if uploaded is None or not st.button("导入", type="primary", key="findings_import"):
        return
    try:
        with write_session() as session:
            result = inspections.import_findings(session, actor, data=uploaded.getvalue(), file_name=uploaded.name)
    except FindingsRefused as exc:
        st.error(f"{exc}，请修改后重新上传：")
        problems = pd.DataFrame(
            [
                {"位置": f"{p.sheet}!{p.cell}" if p.cell else p.sheet, "内容": p.value, "问题": p.message}
                for p in exc.problems
            ]
        )
        table(problems, name="督查问题清单的问题", key="findings_problems", download=False)
        return
    except ValueError as exc:
        st.error(str(exc))
        return
    done(result.message())


def verify_form(actor: Actor, views: Sequence[FindingView]) -> None:
    """销号 or 退回 a finding the unit has answered."""
    replied = [v for v in views if v.state == FindingState.REPLIED]
    if not replied:
        st.caption("没有待核实（已反馈）的问题。")
        return
    decided = _verify(
        "finding_verify",
        replied,
        pick="待核实的问题",
        describe=lambda v: f"#{v.id} 第{v.task_no}项 {v.unit}：{v.text[:30]}",
        answer="整改情况",
        files=lambda v: _attachment_download(actor, v.attachments, key=f"verify_files_{v.id}"),
        back="退回整改",
    )
    if decided is None:
        return
    chosen, reason = decided
    if reason is None:
        _write(inspections.close_finding, f"问题 #{chosen.id} 已销号。", actor=actor, finding_id=chosen.id)
    else:
        _write(
            inspections.return_finding,
            f"问题 #{chosen.id} 已退回整改。",
            actor=actor,
            finding_id=chosen.id,
            reason=reason,
        )


def findings_overview(actor: Actor, year: int) -> None:
    views = findings(actor, year)
    c = inspections.count(views)
    cells = st.columns(5)
    for cell, (label, value) in zip(
        cells,
        (("问题总数", c.total), ("待整改", c.open), ("逾期", c.overdue), ("已反馈", c.replied), ("已销号", c.closed)),
        strict=True,
    ):
        cell.metric(label, value)
    overdue = [v for v in views if v.overdue]
    st.markdown(f"##### 逾期未整改（{len(overdue)} 个）")
    _table(findings_frame(overdue), f"{year}年逾期未整改问题", "findings_overdue", "没有逾期未整改的问题。")
    st.markdown("##### 全部问题")
    _table(findings_frame(views), f"{year}年督查发现问题", "findings_all", "还没有督查发现的问题。")
    if views:
        left, right = st.columns(2)
        with left:
            st.markdown("##### 按单位")
            table(counts_frame(views, "unit", "单位"), name=f"{year}年督查问题按单位", key="findings_by_unit")
        with right:
            st.markdown("##### 按任务")
            table(counts_frame(views, "task_no", "序号"), name=f"{year}年督查问题按任务", key="findings_by_task")


def inspections_list(year: int) -> None:
    listed = _inspections(database_url(), data.revision(), year)
    frame = pd.DataFrame(
        [
            {
                "检查日期": i.inspected_on,
                "类型": i.kind,
                "督查人员": i.inspectors,
                "涉及任务": "、".join(str(no) for no in i.task_nos),
                "涉及单位": "、".join(i.units),
                "督查情况": i.summary,
                "问题数": i.findings,
                "附件": "、".join(name for _, name in i.attachments),
            }
            for i in listed
        ]
    )
    _table(frame, f"{year}年督查督导记录", "inspections_all", "还没有督查记录。")


def instruction_form(actor: Actor, year: int, *, leader: str | None = None) -> None:
    """Record a 领导批示: a leader for themself (``leader``), the office for any leader."""
    numbers = data.task_numbers(year)
    leaders = [leader] if leader else data.leader_names(year)
    with st.form("instruction_record", clear_on_submit=True):
        c1, c2, c3 = st.columns(3)
        who = c1.selectbox("领导", leaders, key="instr_leader")
        no = c2.selectbox("任务", list(numbers), format_func=lambda n: f"{n}. {numbers[n][:20]}", key="instr_task")
        day = c3.date_input("批示日期", value=clock.now().date(), key="instr_date")
        text = st.text_area("批示内容", key="instr_text")
        submitted = st.form_submit_button("登记批示", type="primary")
    if submitted:
        _write(
            instructions.record_instruction,
            f"已登记{who}对第 {no} 项任务的批示。",
            actor=actor,
            year=year,
            task_no=no,
            leader=who,
            text=text,
            given_on=day,
        )


def instructions_office(actor: Actor, year: int) -> None:
    """Every instruction; the office closes those answered (a leader reads them)."""
    views = instruction_list(actor, year)
    _table(instructions_frame(views), f"{year}年领导批示", "instructions_all", "还没有领导批示。")
    replied = [v for v in views if v.state == FindingState.REPLIED]
    if replied and actor.is_office:
        chosen = st.selectbox(
            "已反馈的批示",
            replied,
            format_func=lambda v: f"#{v.id} 第{v.task_no}项 {v.leader}：{v.text[:30]}",
            key="instr_pick",
        )
        if st.button("办结", type="primary", key="instr_close"):
            _write(instructions.close_instruction, f"批示 #{chosen.id} 已办结。", actor=actor, instruction_id=chosen.id)


def _notice_download(actor: Actor, views: Sequence[NoticeView], key: str) -> None:
    if not views:
        return
    chosen = st.selectbox(
        "督办单", views, format_func=lambda v: f"{v.number} 第{v.task_no}项 {v.unit}", key=f"{key}_pick"
    )

    def content() -> bytes:
        with read_session() as session:
            return notices.notice_document(session, actor, notice_id=chosen.id)[1]

    st.download_button(
        "下载督办单（Word）", content, file_name=chosen.file_name, mime=DOCX_MIME, on_click="ignore", key=f"{key}_get"
    )


def notices_office(actor: Actor, year: int) -> None:
    """督办单: the office issues, verifies and closes them; a leader reads them."""
    eligible = _eligible(database_url(), data.revision(), year)
    numbers = data.task_numbers(year)
    st.markdown(f"##### 可印发督办单的任务（滞后、红灯或欠进度，{len(eligible)} 项）")
    if eligible and actor.is_office:
        labels = dict(eligible)
        with st.form("notice_issue"):
            no = st.selectbox(
                "任务", list(labels), format_func=lambda n: f"{n}. {numbers[n][:30]}（{labels[n]}）", key="notice_task"
            )
            problem = st.text_area("存在问题（不填则按本月完成状态和牵头单位所报问题生成）", key="notice_problem")
            requirement = st.text_area("督办要求（不填则用通用要求）", key="notice_requirement")
            due = st.date_input("回复时限（不填则按报送设置中的天数）", value=None, key="notice_due")
            submitted = st.form_submit_button("印发督办单", type="primary")
        if submitted:
            _write(
                notices.issue_notice,
                f"已为第 {no} 项任务印发督办单，可在下方下载。",
                actor=actor,
                year=year,
                task_no=no,
                problem=problem or None,
                requirement=requirement or None,
                due_on=due,
            )
    elif eligible:
        st.caption("第 " + "、".join(str(no) for no, _ in eligible) + " 项任务滞后、红灯或欠进度。")
    else:
        st.caption("本月没有滞后、红灯或欠进度的任务。")
    views = notice_list(actor, year)
    overdue = [v for v in views if v.overdue]
    st.markdown(f"##### 逾期未回复的督办单（{len(overdue)} 份）")
    _table(notices_frame(overdue), f"{year}年逾期督办单", "notices_overdue", "没有逾期未回复的督办单。")
    st.markdown("##### 全部督办单")
    _table(notices_frame(views), f"{year}年督办单", "notices_all", "还没有印发督办单。")
    _notice_download(actor, views, "notice_doc")
    replied = [v for v in views if v.state == FindingState.REPLIED]
    if replied and actor.is_office:
        decided = _verify(
            "notice_verify",
            replied,
            pick="已回复的督办单",
            describe=lambda v: f"{v.number} {v.unit}",
            answer="落实情况",
        )
        if decided is None:
            return
        chosen, reason = decided
        if reason is None:
            _write(notices.close_notice, f"{chosen.number} 已销号。", actor=actor, notice_id=chosen.id)
        else:
            _write(notices.return_notice, f"{chosen.number} 已退回。", actor=actor, notice_id=chosen.id, reason=reason)


# --- a unit's own items ------------------------------------------------------------------------


def unit_items(actor: Actor, year: int) -> None:
    """The unit's own findings, instructions and 督办单, each open one with its reply form."""
    own = findings(actor, year)
    st.markdown(f"##### 督查发现问题（{len(own)} 个，逾期 {sum(v.overdue for v in own)} 个）")
    _table(findings_frame(own), f"{year}年本单位督查问题", "unit_findings", "本单位没有督查发现的问题。")
    open_ones = [v for v in own if v.state != FindingState.CLOSED]
    finding = _reply(
        "finding_reply",
        open_ones,
        pick="反馈整改情况的问题",
        describe=lambda v: f"#{v.id} 第{v.task_no}项：{v.text[:30]}",
        answer="整改情况",
        button="提交整改情况",
        attachments=True,
    )
    if finding is not None:
        chosen, text, attached = finding
        _write(
            inspections.reply_finding,
            f"问题 #{chosen.id} 的整改情况已提交，待督查室核实。",
            actor=actor,
            finding_id=chosen.id,
            text=text,
            attachments=attached,
        )

    given = instruction_list(actor, year)
    st.markdown(f"##### 领导批示（{len(given)} 条）")
    _table(instructions_frame(given), f"{year}年本单位领导批示", "unit_instructions", "本单位的任务没有领导批示。")
    pending = [v for v in given if v.state != FindingState.CLOSED]
    instruction = _reply(
        "instruction_reply",
        pending if actor.unit_id is not None else [],
        pick="反馈落实情况的批示",
        describe=lambda v: f"#{v.id} 第{v.task_no}项 {v.leader}",
        answer="落实情况",
        button="提交落实情况",
    )
    if instruction is not None:
        chosen_i, text, _ = instruction
        _write(
            instructions.reply_instruction,
            f"批示 #{chosen_i.id} 的落实情况已提交。",
            actor=actor,
            instruction_id=chosen_i.id,
            unit_id=actor.unit_id,
            text=text,
        )

    sent = notice_list(actor, year)
    st.markdown(f"##### 督办单（{len(sent)} 份）")
    _table(notices_frame(sent), f"{year}年本单位督办单", "unit_notices", "本单位没有督办单。")
    _notice_download(actor, sent, "unit_notice_doc")
    waiting = [v for v in sent if v.state != FindingState.CLOSED]
    notice = _reply(
        "notice_reply", waiting, pick="回复的督办单", describe=lambda v: v.number, answer="落实情况", button="提交回复"
    )
    if notice is not None:
        chosen_n, text, _ = notice
        _write(notices.reply_notice, f"{chosen_n.number} 的回复已提交。", actor=actor, notice_id=chosen_n.id, text=text)


# --- sections other pages include ------------------------------------------------------------


def task_section(actor: Actor, task_no: int, year: int) -> None:
    """任务详情: the task's findings, instructions and 督办单 (a unit sees its own findings and 督办单)."""
    found = [v for v in findings(actor, year) if v.task_no == task_no]
    given = [v for v in instruction_list(actor, year) if v.task_no == task_no]
    sent = [v for v in notice_list(actor, year) if v.task_no == task_no]
    st.markdown("#### 督查督导与领导批示")
    if not (found or given or sent):
        st.caption("这项任务没有督查发现的问题、领导批示或督办单。")
        return
    if found:
        c = inspections.count(found)
        st.markdown(
            f"督查发现问题 {c.total} 个：待整改 {c.open}（逾期 {c.overdue}），已反馈 {c.replied}，已销号 {c.closed}。"
        )
        table(findings_frame(found), name=f"第{task_no}项任务督查问题", key="task_findings", column_config=_TEXT)
    if given:
        table(
            instructions_frame(given), name=f"第{task_no}项任务领导批示", key="task_instructions", column_config=_TEXT
        )
    if sent:
        table(notices_frame(sent), name=f"第{task_no}项任务督办单", key="task_notices", column_config=_TEXT)


def leader_section(actor: Actor, leader: str, year: int) -> None:
    """按领导: the leader's instructions and how the units answered them."""
    given = [v for v in instruction_list(actor, year) if v.leader == leader]
    st.subheader(f"领导批示（{len(given)} 条）")
    _table(
        instructions_frame(given),
        f"{leader}{year}年批示",
        "leader_instructions",
        f"{leader}在 {year} 年没有登记的批示。",
    )
