"""Office-tunable settings, stored in the ``setting`` table, with their defaults in one place."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from db.models import Setting


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    kind: type
    default: Any
    low: float | None = None
    high: float | None = None


SPECS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("deadline_day", "每月报送截止日（次月几日）", int, 5, 1, 28),
        SettingSpec("roll_to_workday", "截止日遇节假日顺延至下一个工作日", bool, False),
        SettingSpec("lag_margin", "欠进度判定容差（百分点）", float, 10.0, 0, 100),
        SettingSpec("deduct_late", "迟报扣分（每次）", float, 0.1, 0, 100),
        SettingSpec("deduct_missing", "漏报扣分（每次）", float, 0.5, 0, 100),
        SettingSpec("deduct_lagging", "年末仍滞后任务扣分（每项）", float, 0.2, 0, 100),
        SettingSpec("plan_due_month", "年度节点计划报送截止（当年几月底）", int, 2, 1, 12),
        SettingSpec("session_timeout_minutes", "无操作自动退出（分钟）", int, 30, 1, 24 * 60),
        SettingSpec("session_lifetime_hours", "登录最长有效（小时）", int, 12, 1, 24 * 30),
    )
}

_TRUE = {"true", "1", "yes", "y", "on", "是"}
_FALSE = {"false", "0", "no", "n", "off", "否"}


def parse_value(key: str, raw: str) -> Any:
    """Turn the text form of a setting into its value, or raise ValueError in Chinese."""
    spec = SPECS.get(key)
    if spec is None:
        raise ValueError(f"没有名为 {key} 的设置项；可用的有：{'、'.join(SPECS)}")
    text = str(raw).strip()
    if spec.kind is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(f"{spec.label} 只能是 true 或 false，收到 {raw!r}")
    kind = "整数" if spec.kind is int else "数字"
    try:
        value = spec.kind(text)
    except (ValueError, OverflowError):
        raise ValueError(f"{spec.label} 应为{kind}，收到 {raw!r}") from None
    if isinstance(value, float) and not math.isfinite(value):
        # float() takes nan and inf, and nan passes every range check: refused by name.
        raise ValueError(f"{spec.label} 应为普通的{kind}（不能是 nan、inf 这类特殊值），收到 {raw!r}")
    if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        raise ValueError(f"{spec.label} 应在 {spec.low:g} 到 {spec.high:g} 之间，收到 {raw!r}")
    return value


def _stored(key: str, text: str) -> Any:
    """A stored value, or the default when what is stored is not a valid value (any more)."""
    try:
        return parse_value(key, text)
    except ValueError:
        return SPECS[key].default


def get_setting(session: Session, key: str) -> Any:
    """The setting's value. A stored value that fails today's checks (written before they
    existed, or by hand) counts as the default, so one bad row cannot break every page and
    export; ``setting_problems`` names such rows."""
    row = session.get(Setting, key)
    return SPECS[key].default if row is None else _stored(key, row.value)


def setting_problems(session: Session) -> list[str]:
    """One line for each stored setting that is not valid and is read as its default."""
    problems = []
    for row in session.exec(select(Setting).order_by(col(Setting.key))):
        spec = SPECS.get(row.key)
        if spec is None:
            continue
        try:
            parse_value(row.key, row.value)
        except ValueError:
            problems.append(
                f"设置项 {row.key}（{spec.label}）存储的值 {row.value!r} 无效，按默认值 {_shown(spec.default)} 计；"
                f"请重新设置（python cli.py config set {row.key} 值）"
            )
    return problems


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def put_setting(session: Session, key: str, raw: Any) -> Any:
    """Validate and store a setting in the caller's transaction; returns the parsed value."""
    value = parse_value(key, str(raw).lower() if isinstance(raw, bool) else str(raw))
    text = str(value).lower() if isinstance(value, bool) else str(value)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=text))
    else:
        row.value = text
    return value
