"""The audit log (留痕): logins, uploads and every change the office makes, with user and time."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from core import clock
from db.models import AuditLog

ACTION_LABELS = {
    "login": "登录成功",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "password_changed": "修改密码",
    "upload_accepted": "上传月报（通过）",
    "upload_rejected": "上传月报（未通过）",
    "setting_changed": "修改设置",
    "period_changed": "开放/关闭填报月份",
    "exemption_granted": "批准免报",
    "exemption_revoked": "撤销免报",
    "account_changed": "账号变更",
    "unit_changed": "单位/别名/群组变更",
    "registry_imported": "导入任务分解表",
    "deduction_changed": "扣分规则/申诉变更",
    "paper_copy": "登记纸质件",
    "inspection_recorded": "登记督查督导",
    "findings_imported": "导入督查问题清单",
    "finding_replied": "反馈整改情况",
    "finding_closed": "督查问题销号",
    "finding_returned": "退回整改",
    "instruction_recorded": "登记领导批示",
    "instruction_replied": "反馈批示落实情况",
    "instruction_closed": "领导批示办结",
    "notice_issued": "印发督办单",
    "notice_replied": "反馈督办落实情况",
    "notice_closed": "督办单销号",
    "notice_returned": "退回督办单答复",
    "report_reviewed": "复核月报",
    "plan_submitted": "报送节点计划（通过）",
    "plan_rejected": "报送节点计划（未通过）",
    "plan_confirmed": "确认节点计划",
    "plan_returned": "退回节点计划",
    "task_closed": "确认办结",
    "task_reopened": "撤销办结",
    "bulletin_issued": "签发督查通报",
}


_INSERT = insert(AuditLog.__table__)  # type: ignore[attr-defined]


def audit(
    session: Session, username: str, action: str, detail: dict[str, Any] | str = "", *, at: datetime | None = None
) -> None:
    """Record an event in the caller's transaction, so it lands with the change it describes."""
    text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False, default=str)
    # Into the table, not through the ORM: no object to track and flush for a row never read back here.
    session.execute(_INSERT, {"at": at or clock.now(), "username": username, "action": action, "detail": text})


def entries(
    session: Session,
    *,
    username: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
) -> list[AuditLog]:
    query = select(AuditLog)
    if username:
        query = query.where(AuditLog.username == username)
    if action:
        query = query.where(AuditLog.action == action)
    if since:
        query = query.where(AuditLog.at >= since)
    if until:
        query = query.where(AuditLog.at <= until)
    return list(session.exec(query.order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc()).limit(limit)))


def logged_usernames(session: Session) -> list[str]:
    """Everyone who appears in the log, including names tried at a failed sign-in."""
    return list(session.exec(select(AuditLog.username).distinct().order_by(AuditLog.username)))


def detail_text(entry: AuditLog) -> str:
    """The detail as a readable line: a JSON object becomes 「键：值；键：值」."""
    try:
        data = json.loads(entry.detail)
    except ValueError:
        return entry.detail
    if not isinstance(data, dict):
        return entry.detail
    return "；".join(f"{key}：{value}" for key, value in data.items())
