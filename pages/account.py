"""修改密码: every signed-in user changes their own password."""

import streamlit as st

from core.vocab import UserRole
from ui.auth import password_form, require

actor = require(*UserRole.accounts())
st.header("修改密码")
password_form(actor)
