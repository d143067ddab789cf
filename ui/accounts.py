"""The office's account screens (账号管理) and the audit log view (审计日志)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from accounts import sessions, users
from accounts.access import Actor
from accounts.audit import ACTION_LABELS, detail_text, entries, logged_usernames
from core import clock
from core.vocab import UnitKind, UserRole
from cycle.settings import get_setting
from db import queries
from db.engine import read_session, write_session
from ui.filters import ALL, url_select
from ui.tables import table

_FLASH_KEY = "accounts_flash"
# Unit accounts are the most made, so they come first.
_ROLE_CHOICES = {role.label: role for role in (UserRole.UNIT, UserRole.LEADER, UserRole.ADMIN)}


def _flash(message: str, password: str | None = None, workbook: bytes | None = None) -> None:
    """Show the outcome after the rerun, so the table above already includes the change."""
    st.session_state[_FLASH_KEY] = (message, password, workbook)
    st.rerun()


def show_flash() -> None:
    flash = st.session_state.pop(_FLASH_KEY, None)
    if flash is None:
        return
    message, password, workbook = flash
    st.success(message)
    if password:
        st.code(password, language=None)
        st.caption("初始密码只显示这一次，请当面或通过内部渠道告知本人；首次登录时须修改。")
    if workbook:
        st.download_button(
            "下载初始密码表（Excel）",
            workbook,
            file_name=f"单位账号初始密码-{clock.now():%Y%m%d%H%M}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            key="bootstrap_download",
        )
        st.caption("密码表只能在此刻下载；离开本页后无法再次获取，只能逐个重置密码。")


def users_table() -> list[users.UserView]:
    with read_session() as session:
        found = users.list_users(session)
    now = clock.now()
    table(
        pd.DataFrame(
            {
                "用户名": u.username,
                "角色": u.role_label,
                "所属单位": u.unit,
                "责任领导": u.leader,
                "状态": u.status(now),
                "最近登录": clock.fmt(u.last_login_at),
                "创建时间": clock.fmt(u.created_at),
            }
            for u in found
        ),
        name="账号列表",
    )
    return found


def _registry_choices() -> tuple[list[str], list[str]]:
    """Units, and the leaders of every year (the latest year's first): accounts carry across
    years."""
    with read_session() as session:
        units = [u.name for u in queries.units(session) if u.kind != UnitKind.GROUP]
        leaders = [
            name for year in reversed(queries.registry_years(session)) for name in queries.leader_names(session, year)
        ]
    return units, list(dict.fromkeys(leaders))


def add_user_form(actor: Actor) -> None:
    units, leaders = _registry_choices()
    role_label = st.radio("角色", list(_ROLE_CHOICES), horizontal=True, key="add_role")
    role = _ROLE_CHOICES[role_label]
    with st.form("add_user", clear_on_submit=True):
        unit = st.selectbox("所属单位", units, key="add_unit") if role == UserRole.UNIT else None
        leader = st.selectbox("责任领导", leaders, key="add_leader") if role == UserRole.LEADER else None
        username = st.text_input("用户名", key="add_username", help="责任单位账号建议直接用单位名称")
        submitted = st.form_submit_button("新建账号（自动生成初始密码）", type="primary", key="add_submit")
    if not submitted:
        return
    password = users.generate_password()
    try:
        with write_session() as session:
            user = users.create_user(
                session, username=username, password=password, role=role, unit=unit, leader=leader, actor=actor
            )
            name = user.username
    except users.AccountError as exc:
        st.error(str(exc))
        return
    _flash(f"已新建账号 {name}（{role_label}）。初始密码：", password)


def reset_password_form(actor: Actor, usernames: list[str]) -> None:
    with st.form("reset_password"):
        username = st.selectbox("账号", usernames, key="reset_username")
        submitted = st.form_submit_button("重置密码（自动生成新密码）", key="reset_submit")
    if not submitted or not username:
        return
    password = users.generate_password()
    try:
        with write_session() as session:
            users.reset_password(session, username=username, new_password=password, actor=actor)
    except users.AccountError as exc:
        st.error(str(exc))
        return
    _flash(f"已重置 {username} 的密码，此前的登录失败次数已清零。新的初始密码：", password)


def activation_form(actor: Actor, usernames: list[str]) -> None:
    with st.form("activation"):
        username = st.selectbox("账号", usernames, key="active_username")
        action = st.radio("操作", ["停用", "启用"], horizontal=True, key="active_action")
        submitted = st.form_submit_button("确定", key="active_submit")
    if not submitted or not username:
        return
    try:
        with write_session() as session:
            users.set_active(session, username=username, active=action == "启用", actor=actor)
    except users.AccountError as exc:
        st.error(str(exc))
        return
    _flash(f"已{action}账号 {username}。")


def sessions_form(actor: Actor, usernames: list[str]) -> None:
    """An account's signed-in browsers, and 退出全部登录 to end them all."""
    username = st.selectbox("账号", usernames, key="sessions_username")
    if not username:
        return
    with read_session() as session:
        idle = timedelta(minutes=get_setting(session, "session_timeout_minutes"))
        found = sessions.active_sessions(session, username=username, idle=idle)
    if found:
        st.caption(f"{username} 当前有 {len(found)} 处登录（超过无操作时限或最长有效时间的不再列出）。")
        table(
            pd.DataFrame(
                {
                    "登录时间": clock.fmt(s.created_at),
                    "最近活动": clock.fmt(s.last_seen_at),
                    "最晚到期": clock.fmt(s.expires_at),
                    "地址": s.client_address,
                    "浏览器": s.user_agent,
                }
                for s in found
            ),
            name="登录会话",
            column_config={"浏览器": st.column_config.TextColumn(width="large")},
            download=False,
        )
    else:
        st.caption(f"{username} 当前没有登录。")
    st.caption("账号被停用、重置密码或本人修改密码时，其登录也会全部退出。")
    if not st.button("退出全部登录", key="sessions_end_all", disabled=not found):
        return
    try:
        with write_session() as session:
            ended = users.sign_out_everywhere(session, username=username, actor=actor)
    except users.AccountError as exc:
        st.error(str(exc))
        return
    _flash(f"已退出 {username} 的全部登录（{ended} 处）。")


def bootstrap_form(actor: Actor) -> None:
    st.caption("为每个还没有账号的责任单位开设一个账号（用户名即单位名称），生成随机初始密码，并提供密码表下载。")
    if not st.button("为尚无账号的单位开设账号", key="bootstrap_submit"):
        return
    with write_session() as session:
        created = users.bootstrap_unit_accounts(session, actor=actor)
    if not created:
        st.info("所有单位都已有账号，无需开设。")
        return
    _flash(f"已为 {len(created)} 个单位开设账号。", workbook=users.credentials_workbook(created))


# --- audit log ---------------------------------------------------------------------


def audit_filters() -> tuple[str | None, str | None, datetime, datetime]:
    with read_session() as session:
        names = logged_usernames(session)
    codes = {label: code for code, label in ACTION_LABELS.items()}
    today = clock.now().date()
    c1, c2, c3 = st.columns([2, 2, 3])
    with c1:
        username = url_select("账号", "user", [ALL, *names])
    with c2:
        action = url_select("操作", "action", [ALL, *codes])
    with c3:
        default = (today - timedelta(days=30), today)
        picked = st.date_input("日期范围", value=default, max_value=today, key="audit_dates")
    start, end = _date_range(picked, today)
    return (
        None if username == ALL else username,
        None if action == ALL else codes[action],
        datetime.combine(start, time.min),
        datetime.combine(end, time.max),
    )


def _date_range(picked: object, today: date) -> tuple[date, date]:
    """A range picker yields one date while the second is being chosen."""
    days = list(picked) if isinstance(picked, tuple | list) else [picked]
    days = [d for d in days if isinstance(d, date)] or [today]
    return min(days), max(days)


def audit_table(username: str | None, action: str | None, since: datetime, until: datetime, limit: int = 1000) -> None:
    with read_session() as session:
        rows = entries(session, username=username, action=action, since=since, until=until, limit=limit)
        frame = pd.DataFrame(
            {
                "时间": r.at.strftime("%Y-%m-%d %H:%M:%S"),
                "账号": r.username,
                "操作": ACTION_LABELS.get(r.action, r.action),
                "详情": detail_text(r),
            }
            for r in rows
        )
    if frame.empty:
        st.info("所选条件下没有记录。")
        return
    note = f"（只显示最近 {limit} 条，请缩小日期范围）" if len(frame) >= limit else ""
    st.caption(f"共 {len(frame)} 条{note}。")
    table(
        frame,
        name="操作日志",
        column_config={"详情": st.column_config.TextColumn(width="large")},
    )
