"""The vocabulary: every status, lateness, unit kind, role and responsibility the office speaks
of, with its Chinese label, its fixed colour and its order. The database's CHECK constraints,
every page, document and command take their words from here; nowhere else spells them.

Each term is a ``str`` whose value is what the database stores, so ``row.status == TaskStatus.DONE``
works on stored text. ``code`` is the stable English name used on the command line and in keys;
``label`` is what people read; members are declared in display order.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import Self


class Term(StrEnum):
    """A word of the vocabulary: stored ``value``, English ``code``, Chinese ``label``, ``color``."""

    code: str
    label: str
    color: str

    def __new__(cls, value: str, code: str, label: str, color: str = "") -> Self:
        term = str.__new__(cls, value)
        term._value_ = value
        term.code = code
        term.label = label
        term.color = color
        return term

    def __str__(self) -> str:
        return self.value

    @classmethod
    def of(cls, text: str) -> Self:
        """The term whose value, code or label is ``text`` (the first in order, if several);
        ValueError otherwise."""
        try:
            term = _names(cls).get(text)
        except TypeError:  # not a string at all
            term = None
        if term is None:
            raise ValueError(f"{text!r} 不是有效的{cls.__doc__ or cls.__name__}")
        return term  # type: ignore[return-value]

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(term.value for term in cls)

    @classmethod
    def labels(cls) -> tuple[str, ...]:
        return tuple(term.label for term in cls)

    @classmethod
    def colors(cls) -> dict[str, str]:
        """label → colour, for charts."""
        return {term.label: term.color for term in cls}

    @property
    def rank(self) -> int:
        """Position in display order."""
        return list(type(self)).index(self)


@functools.cache
def _names(kind: type[Term]) -> dict[str, Term]:
    """Value, code and label → term, for ``Term.of``: read for every row of a dashboard."""
    found: dict[str, Term] = {}
    for term in kind:
        for name in (term.value, term.code, term.label):
            found.setdefault(name, term)
    return found


class TaskStatus(Term):
    """完成状态"""

    DONE = ("已完成", "done", "已完成", "#2E7D32")  # green
    CLOSED = ("已办结", "closed", "已办结", "#00695C")  # teal: the office closed it (办结销号)
    ON_TRACK = ("序时推进", "on_track", "序时推进", "#1565C0")  # blue
    LAGGING = ("滞后", "lagging", "滞后", "#C62828")  # red
    NOT_STARTED = ("未启动", "not_started", "未启动", "#9E9E9E")  # grey
    NOT_REPORTED = ("未报送", "not_reported", "未报送", "#F9A825")  # amber: no report to judge by

    @classmethod
    def reportable(cls) -> tuple[TaskStatus, ...]:
        """What a unit may write in its report (all but 已办结, which the office gives, and 未报送)."""
        return tuple(s for s in cls if s not in (cls.CLOSED, cls.NOT_REPORTED))

    @property
    def finished(self) -> bool:
        """已完成 or 已办结: what the counts of finished tasks and the completion rates count."""
        return self in (TaskStatus.DONE, TaskStatus.CLOSED)

    @property
    def severity(self) -> int:
        """Least advanced first: which of several lead reports speaks for a task."""
        return _SEVERITY.index(self)


_SEVERITY = (TaskStatus.LAGGING, TaskStatus.NOT_STARTED, TaskStatus.ON_TRACK, TaskStatus.DONE)
SEVERITY: tuple[TaskStatus, ...] = _SEVERITY


class Light(Term):
    """红黄绿灯"""

    GREEN = ("green", "green", "绿灯", "#2E7D32")
    YELLOW = ("yellow", "yellow", "黄灯", "#F9A825")
    RED = ("red", "red", "红灯", "#C62828")


class ExpectedSource(Term):
    """进度依据"""

    PLAN = ("plan", "plan", "计划")  # the task's confirmed plan (年度节点计划)
    CALENDAR = ("calendar", "calendar", "按序时")  # no confirmed plan: month M of 12


class Lateness(Term):
    """报送情况"""

    ON_TIME = ("on_time", "on_time", "按时", "#2E7D32")
    LATE = ("late", "late", "迟报", "#F9A825")
    MISSING = ("missing", "missing", "漏报", "#C62828")
    NOT_DUE = ("not_due", "not_due", "未到期", "#B0BEC5")
    EXEMPT = ("exempt", "exempt", "免报", "#7E57C2")


class UnitKind(Term):
    """单位类别"""

    TOWNSHIP = ("乡镇", "township", "乡镇")
    DEPARTMENT = ("部门", "department", "部门")
    ENTERPRISE = ("国企", "enterprise", "国企")
    GROUP = ("群组", "group", "群组")
    OTHER = ("其他", "other", "其他")

    @classmethod
    def reporting(cls) -> tuple[UnitKind, ...]:
        """The kinds a unit that reports can have (a group reports through its members)."""
        return tuple(k for k in cls if k is not cls.GROUP)


class Responsibility(Term):
    """责任类型"""

    LEAD = ("牵头", "lead", "牵头")
    CO = ("配合", "co", "配合")


class LeaderRole(Term):
    """领导职责"""

    LEAD = ("牵头", "lead", "牵头")
    ASSIST = ("协助", "assist", "协助")


LEAD_LEADER_MARK = "▲"


class UserRole(Term):
    """角色"""

    ADMIN = ("admin", "admin", "督查室")
    LEADER = ("leader", "leader", "领导")
    UNIT = ("unit", "unit", "责任单位")
    SYSTEM = ("system", "system", "命令行")  # the command line, run by the office

    @classmethod
    def accounts(cls) -> tuple[UserRole, ...]:
        """Roles an account can have."""
        return (cls.ADMIN, cls.LEADER, cls.UNIT)


class AppealDecision(Term):
    """申诉决定"""

    REDUCE = ("核减", "reduce", "核减")
    UPHOLD = ("维持", "uphold", "维持")


class PlanState(Term):
    """节点计划状态"""

    MISSING = ("missing", "missing", "未报送", "#F9A825")  # amber, as a task's 未报送: one word, one colour
    SUBMITTED = ("submitted", "submitted", "待确认", "#1565C0")  # blue, as 已反馈: with the office to check
    CONFIRMED = ("confirmed", "confirmed", "已确认", "#2E7D32")  # green
    RETURNED = ("returned", "returned", "已退回", "#C62828")  # red

    @classmethod
    def stored(cls) -> tuple[PlanState, ...]:
        """The states a plan version can have in the database (all but 未报送)."""
        return tuple(s for s in cls if s is not cls.MISSING)


class DeductionKind(Term):
    """扣分类型"""

    LATE = ("late", "late", "迟报")
    MISSING = ("missing", "missing", "漏报")
    LAGGING = ("lagging", "lagging", "年末滞后")
    MISREPORTED = ("misreported", "misreported", "报送失实")


class ReviewState(Term):
    """复核状态"""

    PENDING = ("pending", "pending", "待复核", "#F9A825")  # amber, like 未报送: not yet judged
    PASSED = ("passed", "passed", "通过", "#2E7D32")
    RETURNED = ("returned", "returned", "退回", "#EF6C00")
    RETURNED_OVERDUE = ("returned_overdue", "returned_overdue", "退回未改", "#C62828")

    @classmethod
    def decisions(cls) -> tuple[ReviewState, ...]:
        """What a review records (the other two states are derived: no review yet, or time)."""
        return (cls.PASSED, cls.RETURNED)


class InspectionKind(Term):
    """督查类型"""

    REGULAR = ("定期", "regular", "定期")
    IRREGULAR = ("不定期", "irregular", "不定期")
    SPECIAL = ("专项", "special", "专项")
    UNANNOUNCED = ("暗访", "unannounced", "暗访")


class FindingState(Term):
    """整改状态"""

    OPEN = ("open", "open", "待整改", "#C62828")
    REPLIED = ("replied", "replied", "已反馈", "#1565C0")
    CLOSED = ("closed", "closed", "已销号", "#2E7D32")
