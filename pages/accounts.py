"""账号管理: the office lists accounts, adds them, resets passwords, disables and enables them,
sees where an account is signed in and signs it out everywhere, and opens accounts for every
unit at once."""

import streamlit as st

from core.vocab import UserRole
from ui import accounts as screens
from ui.auth import require

actor = require(UserRole.ADMIN)
st.header("账号管理")
screens.show_flash()
users = screens.users_table()
usernames = [u.username for u in users]

add, reset, activation, signed_in, bootstrap = st.tabs(
    ["新建账号", "重置密码", "停用/启用", "登录会话", "批量开设单位账号"]
)
with add:
    screens.add_user_form(actor)
with reset:
    screens.reset_password_form(actor, usernames)
with activation:
    screens.activation_form(actor, usernames)
with signed_in:
    screens.sessions_form(actor, usernames)
with bootstrap:
    screens.bootstrap_form(actor)
