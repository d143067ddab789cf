"""审计日志: sign-ins, uploads and the office's changes, filtered by account, action and date."""

import streamlit as st

from core.vocab import UserRole
from ui import accounts as screens
from ui.auth import require

require(UserRole.ADMIN)
st.header("审计日志")
username, action, since, until = screens.audit_filters()
screens.audit_table(username, action, since, until)
