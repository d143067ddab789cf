"""Pieces of the 单位管理 page; every change goes through ``registry.units_admin``."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlmodel import Session

from accounts.access import Actor
from core.vocab import UnitKind
from db.engine import read_session, write_session
from registry import units_admin
from registry.units_admin import UnitRow
from ui import data
from ui.tables import table

RENAME_NOTE = "单位名称不能修改：历史月报、扣分和审计日志都按名称记载。同一单位的其他写法（简称、旧称）请添加为别名。"
_FLASH_KEY = "units_admin_flash"
_MEMBERS_KEY = "group_members"
_MEMBERS_FOR_KEY = "group_members_for"  # (year, group) the picker holds members of
_ALL = "全部"


def _save(action: Callable[[Session], str]) -> None:
    """Run one write; on success show its message after a rerun, which reads at the new data
    revision, so the table shows the change."""
    try:
        with write_session() as session:
            message = action(session)
    except ValueError as exc:
        st.error(str(exc))
        return
    st.session_state[_FLASH_KEY] = message
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop(_FLASH_KEY, None)
    if message:
        st.success(message)


def unit_rows(year: int | None) -> list[UnitRow]:
    """Every unit with its task counts in ``year`` (None: no year has tasks yet)."""
    with read_session() as session:
        return units_admin.unit_rows(session, year)


def units_table(rows: list[UnitRow], year: int | None) -> None:
    kind = st.segmented_control("类别", [_ALL, *units_admin.ALL_KINDS], default=_ALL, key="units_kind")
    shown = [r for r in rows if kind in (None, _ALL) or r.kind == kind]
    table(
        pd.DataFrame(
            {
                "单位": r.name,
                "类别": r.kind,
                "别名": "、".join(r.aliases),
                "牵头": r.lead,
                "配合": r.co,
                "所属群组": "、".join(r.groups),
                "成员": "、".join(r.members) if r.is_group else "",
                "确定成员的依据": r.reason,
            }
            for r in shown
        ),
        name="单位名录",
        column_config={
            "牵头": st.column_config.NumberColumn(
                help="作为牵头单位报送的任务数（含经群组承担的）；群组为列为牵头单位的任务数"
            ),
            "配合": st.column_config.NumberColumn(
                help="作为配合单位报送的任务数（含经群组承担的）；群组为列为配合单位的任务数"
            ),
        },
    )
    st.caption(
        f"共 {len(shown)} 个。"
        + (f"牵头、配合为 {year} 年的任务数，群组成员为 {year} 年的成员；单位、别名和群组各年通用。" if year else "")
    )


def _members_shown_for(year: int | None, group: str) -> None:
    """The member picker starts from the members of the group and year shown: a choice left
    from another group or year is dropped."""
    if st.session_state.get(_MEMBERS_FOR_KEY) != (year, group):
        st.session_state.pop(_MEMBERS_KEY, None)
        st.session_state[_MEMBERS_FOR_KEY] = (year, group)


def group_editor(actor: Actor, rows: list[UnitRow], year: int | None) -> None:
    groups = {r.name: r for r in rows if r.is_group}
    choices = [r.name for r in rows if not r.is_group]
    name = st.selectbox(
        "群组",
        list(groups),
        format_func=lambda n: f"{n}（{len(groups[n].members)} 个成员）" if groups[n].members else f"{n}（待指定成员）",
        key="group_pick",
    )
    if name is None:
        return
    _members_shown_for(year, name)
    group = groups[name]
    st.caption(
        f"列为 {group.lead} 项任务的牵头单位、{group.co} 项任务的配合单位。确定成员的依据：{group.reason or '—'}"
    )
    picked = st.multiselect(
        "成员单位", choices, default=list(group.members), key=_MEMBERS_KEY, placeholder="选择成员单位"
    )
    with read_session() as session:
        impact = units_admin.membership_impact(session, group=name, members=picked, year=year)
    details = impact.details()
    if set(picked) == set(group.members):
        st.caption("成员未改动。")
    else:
        st.caption(f"保存后，{impact.summary()}{f'（{details}）' if details else ''}。")
    if impact.warning():
        st.warning(impact.warning())
    st.caption(f"成员按年度分别保存：这里改的是 {year} 年的成员，其他年份的成员和报送不受影响。")
    if st.button("保存成员", type="primary", key="group_save"):
        _save(lambda s: units_admin.set_group_members(s, actor=actor, group=name, members=picked, year=year).message())


def alias_forms(actor: Actor, rows: list[UnitRow]) -> None:
    left, right = st.columns(2)
    with left, st.form("alias_add", clear_on_submit=True):
        st.markdown("**添加别名**")
        unit = st.selectbox("单位", [r.name for r in rows], key="alias_unit")
        alias = st.text_input("别名", key="alias_text", help="例如简称或旧称；月报的“填报单位”和命令行中都可使用")
        added = st.form_submit_button("添加", type="primary", key="alias_add_submit")
    if added:

        def add(session: Session) -> str:
            name, label = units_admin.add_alias(session, actor=actor, unit=unit, alias=alias)
            return f"已将“{label}”添加为{name}的别名。"

        _save(add)
    with read_session() as session:
        removable = units_admin.removable_aliases(session)
    with right:
        st.markdown("**删除别名**")
        if not removable:
            st.caption("还没有在本系统中添加的别名。任务分解表原文中的写法不能删除。")
            return
        chosen = st.selectbox(
            "别名", list(removable), format_func=lambda a: f"{a} → {removable[a]}", key="alias_remove_pick"
        )
        st.caption("只列出在本系统中添加的别名；任务分解表原文中的写法不能删除。")
        if st.button("删除", key="alias_remove_submit"):

            def remove(session: Session) -> str:
                name, label = units_admin.remove_alias(session, actor=actor, alias=chosen)
                return f"已删除{name}的别名“{label}”。"

            _save(remove)


def add_unit_form(actor: Actor) -> None:
    st.caption(
        "用于任务分解表没有列出、但需要加入某个群组的单位（例如领导小组的成员单位）。新单位在加入群组后才有报送任务。"
    )
    with st.form("unit_add", clear_on_submit=True):
        name = st.text_input("单位名称", key="unit_name", help="使用规范全称，例如“区档案馆”")
        kind = st.selectbox("类别", UnitKind.reporting(), key="unit_kind")
        submitted = st.form_submit_button("新增单位", type="primary", key="unit_add_submit")
    if submitted:
        _save(lambda s: f"已新增单位“{units_admin.add_unit(s, actor=actor, name=name, kind=kind)}”（{kind}）。")


def kind_form(actor: Actor, rows: list[UnitRow]) -> None:
    st.caption(
        "群组与单位一般不能互相转换：有成员或列在任务中的群组不能改为单位；已是群组成员、已开设账号或已有月报的单位不能改为群组。"
    )
    with st.form("unit_kind_change"):
        kinds = {r.name: r.kind for r in rows}
        unit = st.selectbox("单位", list(kinds), format_func=lambda n: f"{n}（{kinds[n]}）", key="kind_unit")
        kind = st.selectbox("新类别", units_admin.ALL_KINDS, key="kind_new")
        submitted = st.form_submit_button("修改类别", key="kind_submit")
    if submitted:
        _save(lambda s: f"已将{unit}的类别由{units_admin.set_kind(s, actor=actor, unit=unit, kind=kind)}改为{kind}。")


def _tasks(numbers: tuple[int, ...]) -> str:
    return "、".join(f"第 {n} 项" for n in numbers)


def empty_groups_warning(year: int | None, *, brief: bool = False) -> None:
    """Warn about the groups on ``year``'s tasks that have no members yet: they oblige nobody,
    and a task they lead is reported on by the unit listed after them. ``brief`` for 总览."""
    empty = data.groups_without_members(year) if year else []
    if not empty:
        return
    leading = [g for g in empty if g.led]
    lead_note = ""
    if leading:
        listed = "、".join(f"{g.name}（{_tasks(g.led)}）" for g in leading)
        lead_note = f"其中 {len(leading)} 个是牵头单位：{listed}，这些任务暂由其后列出的第一个单位代表。"
    if brief:
        st.warning(f"{year} 年有 {len(empty)} 个群组尚未指定成员，不产生报送义务。{lead_note}")
        st.page_link("pages/units_admin.py", label="到“单位管理”补充群组成员 →", query_params={"year": str(year)})
        return
    st.warning(f"{year} 年有 {len(empty)} 个群组尚未指定成员，不产生报送义务。{lead_note}请在下方“群组成员”中补充。")
    with st.expander(f"查看这 {len(empty)} 个群组及其任务"):
        table(
            pd.DataFrame(
                {"群组": g.name, "牵头的任务": _tasks(g.led), "配合的任务": _tasks(g.assisted)} for g in empty
            ),
            name=f"{year}年尚未指定成员的群组",
            key="empty_groups",
        )
