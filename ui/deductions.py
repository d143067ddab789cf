"""Pieces of the 考核扣分 page: the rules, the ledger per unit, appeals, the Excel export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import streamlit as st

from accounts.access import Actor
from core import clock
from core.vocab import AppealDecision
from db.engine import database_url, read_session, write_session
from office import deductions, exports
from office.deductions import DECISIONS, LAGGING, LATE, MISREPORTED, MISSING, AppealView, Rules, UnitLedger, key_text
from ui import data
from ui.report_settings import setting_warnings
from ui.tables import table
from ui.workbench import done

_CONFIG = {name: st.column_config.NumberColumn(format="%.2f") for name in ("应扣", "核减", "实扣", "扣分")}


@dataclass(frozen=True)
class LedgerView:
    year: int
    as_of: datetime
    ledgers: list[UnitLedger]
    rules: Rules
    appeals: list[AppealView]

    def unit(self, unit_id: int) -> UnitLedger | None:
        return next((one for one in self.ledgers if one.unit_id == unit_id), None)


@data.cached(ttl=60, spinner="正在计算扣分…")
def _ledger_view(url: str, revision: int, year: int) -> LedgerView:
    as_of = clock.now()
    with read_session() as session:
        return LedgerView(
            year,
            as_of,
            deductions.ledger(session, year, as_of),
            deductions.rules(session),
            deductions.appeals(session, year),
        )


def ledger_view(year: int) -> LedgerView:
    return _ledger_view(database_url(), data.revision(), year)


@data.cached(ttl=60, spinner="正在计算扣分…")
def _unit_view(url: str, revision: int, year: int, unit_id: int) -> LedgerView:
    as_of = clock.now()
    with read_session() as session:
        return LedgerView(
            year,
            as_of,
            deductions.ledger(session, year, as_of, unit_id),
            deductions.rules(session),
            deductions.appeals(session, year, unit_id),
        )


def unit_view(year: int, unit_id: int) -> LedgerView:
    """One unit's ledger and appeals for the year (its own page), the same as in ``ledger_view``."""
    return _unit_view(database_url(), data.revision(), year, unit_id)


# --- rules ----------------------------------------------------------------------


def rules_form(actor: Actor, current: Rules) -> None:
    setting_warnings()
    default = deductions.default_rules()
    st.caption(
        f"默认标准：迟报每次扣 {default.late:g} 分，漏报每次扣 {default.missing:g} 分，"
        f"年末（全年最后一个月的月报）仍滞后的任务，每项扣牵头单位 {default.lagging:g} 分；"
        f"复核认定报送内容失实的，每处扣 {default.misreported:g} 分。"
    )
    with st.form("deduction_rules"):
        c1, c2, c3, c4 = st.columns(4)
        values = []
        for column, key, label, value, fallback in (
            (c1, "rule_late", "迟报（每次）", current.late, default.late),
            (c2, "rule_missing", "漏报（每次）", current.missing, default.missing),
            (c3, "rule_lagging", "年末仍滞后（每项）", current.lagging, default.lagging),
            (c4, "rule_misreported", "报送失实（每处）", current.misreported, default.misreported),
        ):
            values.append(
                column.number_input(
                    label,
                    min_value=0.0,
                    max_value=100.0,
                    value=float(value),
                    step=0.05,
                    format="%.2f",
                    help=f"默认 {fallback:g} 分",
                    key=key,
                )
            )
        left, right = st.columns(2)
        save = left.form_submit_button("保存扣分标准", type="primary")
        reset = right.form_submit_button("恢复默认标准")
    if not (save or reset):
        return
    chosen = Rules(*values) if save else default
    try:
        with write_session() as session:
            deductions.set_rules(session, actor, chosen.late, chosen.missing, chosen.lagging, chosen.misreported)
    except ValueError as exc:
        st.error(str(exc))
        return
    done(
        f"扣分标准已{'保存' if save else '恢复为默认'}：迟报 {chosen.late:g}、漏报 {chosen.missing:g}、"
        f"年末滞后 {chosen.lagging:g}、报送失实 {chosen.misreported:g} 分。"
    )


# --- the ledger -----------------------------------------------------------------


def summary_frame(ledgers: list[UnitLedger]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "单位": one.unit,
            "类别": one.kind,
            "迟报次数": one.count(LATE),
            "漏报次数": one.count(MISSING),
            "年末滞后任务": one.count(LAGGING),
            "报送失实": one.count(MISREPORTED),
            "应扣": one.gross,
            "核减": one.reduced,
            "实扣": one.net,
        }
        for one in sorted(ledgers, key=lambda x: -x.net)
    )


def summary_table(view: LedgerView, only_deducted: bool) -> None:
    ledgers = [one for one in view.ledgers if one.items or not only_deducted]
    if not ledgers:
        st.info("本年度暂无扣分。")
        return
    table(summary_frame(ledgers), name="扣分汇总", column_config=_CONFIG, key="summary", download=False)  # 导出扣分台账


def items_frame(one: UnitLedger) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "扣分项": item.title,
            "事项": item.label,
            "月份": item.period,
            "事由": item.reason,
            "截止时间": clock.fmt(item.due),
            "报送时间": clock.fmt(item.received),
            "扣分": item.amount,
            "申诉": item.appeal.state if item.appeal else "",
            "决定人": (item.appeal.decided_by or "") if item.appeal else "",
            "决定说明": item.appeal.decision_note if item.appeal else "",
            "实扣": item.net,
        }
        for item in one.items
    )


def unit_ledger(one: UnitLedger) -> None:
    st.markdown(
        f"**{one.unit}**：应扣 {one.gross:g} 分，申诉核减 {one.reduced:g} 分，“推进工作落实”实扣 **{one.net:g}** 分。"
    )
    if one.items:
        table(items_frame(one), name=f"{one.unit}扣分明细", column_config=_CONFIG, key="unit_items", download=False)
    else:
        st.caption("该单位本年度没有扣分。")


def export_button(view: LedgerView) -> None:
    st.download_button(
        "导出扣分台账（Excel）",
        exports.deductions_workbook(view.year, view.ledgers, view.rules, view.as_of),
        file_name=f"考核扣分-{view.year}.xlsx",
        mime=exports.XLSX_MIME,
        on_click="ignore",
        key="deductions_download",
    )


# --- appeals --------------------------------------------------------------------


def appeal_form(actor: Actor, view: LedgerView, one: UnitLedger) -> None:
    open_items = {item.key: item for item in one.items if item.appeal is None}
    if not open_items:
        st.caption("该单位没有可申诉的扣分（每项扣分只能申诉一次）。")
        return
    with st.form("file_appeal", clear_on_submit=True):
        key = st.selectbox(
            "申诉的扣分",
            list(open_items),
            format_func=lambda k: f"{open_items[k].title}：{open_items[k].reason}（扣 {open_items[k].amount:g} 分）",
            key="appeal_item",
        )
        reason = st.text_area(
            "申诉理由", placeholder="例如：系统故障导致无法上传，已于截止前报送纸质件", key="appeal_reason"
        )
        filed = st.form_submit_button("登记申诉", type="primary")
    if not filed:
        return
    try:
        with write_session() as session:
            deductions.file_appeal(session, actor, one.unit_id, view.year, key, reason, clock.now())
    except ValueError as exc:
        st.error(str(exc))
        return
    done(f"已登记{one.unit}的申诉，待督查室决定。")


def appeals_table(view: LedgerView, names: dict[int, str]) -> None:
    if not view.appeals:
        st.caption("本年度暂无申诉。")
        return
    table(
        pd.DataFrame(
            {
                "单位": names.get(a.unit_id, ""),
                "扣分": key_text(a.key),
                "申诉理由": a.reason,
                "登记人": a.filed_by,
                "登记时间": clock.fmt(a.filed_at),
                "决定": a.state,
                "决定人": a.decided_by or "",
                "决定时间": clock.fmt(a.decided_at),
                "说明": a.decision_note,
            }
            for a in view.appeals
        ),
        name="申诉登记",
        download=False,
        key="appeals_table",
    )


def decide_form(actor: Actor, view: LedgerView, names: dict[int, str]) -> None:
    pending = {a.id: a for a in view.appeals if a.decision is None}
    if not pending:
        return
    with st.form("decide_appeal", clear_on_submit=True):
        appeal_id = st.selectbox(
            "待决定的申诉",
            list(pending),
            format_func=lambda i: (
                f"{names.get(pending[i].unit_id, '')}：{key_text(pending[i].key)}（{pending[i].reason[:30]}）"
            ),
            key="decide_choice",
        )
        reduce, uphold = AppealDecision.REDUCE.label, AppealDecision.UPHOLD.label
        decision = st.radio(
            "决定",
            DECISIONS,
            horizontal=True,
            key="decide_decision",
            help=f"{reduce}：取消这项扣分；{uphold}：扣分不变",
        )
        note = st.text_input("说明", key="decide_note")
        decided = st.form_submit_button("确认决定", type="primary")
    if not decided:
        return
    try:
        with write_session() as session:
            result = deductions.decide_appeal(session, actor, appeal_id, decision, note)
    except ValueError as exc:
        st.error(str(exc))
        return
    done(f"已决定：{names.get(result.unit_id, '')}的申诉{result.decision}。")
