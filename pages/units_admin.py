"""单位管理: the office sees every unit with its aliases and tasks, fills groups with their member
units, adds and removes aliases, adds units the document did not name and corrects a kind."""

import streamlit as st

from core.vocab import UserRole
from ui import units_admin as screens
from ui.auth import require
from ui.filters import choose_year

actor = require(UserRole.ADMIN)
st.header("单位管理")
st.caption(screens.RENAME_NOTE)
screens.show_flash()
with st.columns([1, 3])[0]:
    year = choose_year("任务年度")
rows = screens.unit_rows(year)
screens.empty_groups_warning(year)
screens.units_table(rows, year)

groups, aliases, add, kind = st.tabs(["群组成员", "别名", "新增单位", "修改类别"])
with groups:
    screens.group_editor(actor, rows, year)
with aliases:
    screens.alias_forms(actor, rows)
with add:
    screens.add_unit_form(actor)
with kind:
    screens.kind_form(actor, rows)
