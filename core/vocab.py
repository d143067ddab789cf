"""Chinese terms and the fixed status colours, used the same way on every screen and export."""

from __future__ import annotations

TASK_STATUSES = ("已完成", "序时推进", "滞后", "未启动")
NOT_REPORTED = "未报送"

# One colour per status across the whole app.
STATUS_COLORS = {
    "已完成": "#2E7D32",  # green
    "序时推进": "#1565C0",  # blue
    "滞后": "#C62828",  # red
    "未启动": "#9E9E9E",  # grey
    NOT_REPORTED: "#F9A825",  # amber
}
STATUS_ORDER = (*TASK_STATUSES, NOT_REPORTED)

LATENESS_LABELS = {
    "on_time": "按时",
    "late": "迟报",
    "missing": "漏报",
    "not_due": "未到期",
    "exempt": "免报",
}
LATENESS_COLORS = {
    "on_time": "#2E7D32",
    "late": "#F9A825",
    "missing": "#C62828",
    "not_due": "#B0BEC5",
    "exempt": "#7E57C2",
}
LATENESS_CODES = {label: code for code, label in LATENESS_LABELS.items()}

ROLE_LEAD_UNIT = "牵头"
ROLE_CO_UNIT = "配合"
