"""督查督导: the office records inspections and their findings (or imports a findings list),
verifies and closes (销号) what the units report, records 领导批示 and issues 督办单; a unit sees
and answers its own items; a leader reads everything and records their own instructions."""

import streamlit as st

from core.vocab import UserRole
from ui import inspections as ins
from ui.auth import own_leader_name, require
from ui.filters import choose_year
from ui.workbench import show_flash

actor = require(*UserRole.accounts())
st.header("督查督导")
show_flash()
with st.columns([1, 3])[0]:
    year = choose_year()
if year is None:
    st.info("任务清单为空。请运行 python cli.py init 载入任务。")
    st.stop()

if actor.role == UserRole.UNIT:
    st.caption("本单位的督查发现问题、领导批示和督办单。请逐项反馈整改、落实情况，督查室核实后销号。")
    ins.unit_items(actor, year)
    st.stop()

if actor.role == UserRole.LEADER:
    findings, given, notices = st.tabs(["督查问题", "领导批示", "督办单"])
    with findings:
        ins.findings_overview(actor, year)
        ins.inspections_list(year)
    with given:
        own = own_leader_name(actor)
        if own:
            ins.instruction_form(actor, year, leader=own)
        ins.instructions_office(actor, year)
    with notices:
        ins.notices_office(actor, year)
    st.stop()

record, found, imported, given, notices = st.tabs(["登记督查", "督查问题", "导入问题清单", "领导批示", "督办单"])
with record:
    ins.record_form(actor, year)
    st.markdown("##### 为已登记的督查添加问题")
    ins.finding_form(actor, year)
    st.markdown("##### 督查记录")
    ins.inspections_list(year)
with found:
    ins.findings_overview(actor, year)
    st.markdown("##### 核实销号")
    ins.verify_form(actor, ins.findings(actor, year))
with imported:
    ins.import_form(actor)
with given:
    ins.instruction_form(actor, year)
    ins.instructions_office(actor, year)
with notices:
    ins.notices_office(actor, year)
