"""The vocabulary: every term's stored value, code, label, colour and order; the database's
CHECK constraints list exactly its values; and no other source spells a status or lateness."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint
from sqlmodel import SQLModel

from core.vocab import (
    LEAD_LEADER_MARK,
    SEVERITY,
    AppealDecision,
    DeductionKind,
    ExpectedSource,
    FindingState,
    InspectionKind,
    Lateness,
    LeaderRole,
    Light,
    PlanState,
    Responsibility,
    ReviewState,
    TaskStatus,
    Term,
    UnitKind,
    UserRole,
)

ROOT = Path(__file__).resolve().parents[2]

TERMS: tuple[type[Term], ...] = (
    TaskStatus,
    Lateness,
    UnitKind,
    Responsibility,
    LeaderRole,
    UserRole,
    AppealDecision,
    DeductionKind,
    ReviewState,
    PlanState,
    Light,
    ExpectedSource,
    InspectionKind,
    FindingState,
)

# term, stored value, code, label, colour, position in display order
CASES = [
    (TaskStatus.DONE, "已完成", "done", "已完成", "#2E7D32", 0),
    (TaskStatus.CLOSED, "已办结", "closed", "已办结", "#00695C", 1),
    (TaskStatus.ON_TRACK, "序时推进", "on_track", "序时推进", "#1565C0", 2),
    (TaskStatus.LAGGING, "滞后", "lagging", "滞后", "#C62828", 3),
    (TaskStatus.NOT_STARTED, "未启动", "not_started", "未启动", "#9E9E9E", 4),
    (TaskStatus.NOT_REPORTED, "未报送", "not_reported", "未报送", "#F9A825", 5),
    (Lateness.ON_TIME, "on_time", "on_time", "按时", "#2E7D32", 0),
    (Lateness.LATE, "late", "late", "迟报", "#F9A825", 1),
    (Lateness.MISSING, "missing", "missing", "漏报", "#C62828", 2),
    (Lateness.NOT_DUE, "not_due", "not_due", "未到期", "#B0BEC5", 3),
    (Lateness.EXEMPT, "exempt", "exempt", "免报", "#7E57C2", 4),
    (UnitKind.TOWNSHIP, "乡镇", "township", "乡镇", "", 0),
    (UnitKind.DEPARTMENT, "部门", "department", "部门", "", 1),
    (UnitKind.ENTERPRISE, "国企", "enterprise", "国企", "", 2),
    (UnitKind.GROUP, "群组", "group", "群组", "", 3),
    (UnitKind.OTHER, "其他", "other", "其他", "", 4),
    (Responsibility.LEAD, "牵头", "lead", "牵头", "", 0),
    (Responsibility.CO, "配合", "co", "配合", "", 1),
    (LeaderRole.LEAD, "牵头", "lead", "牵头", "", 0),
    (LeaderRole.ASSIST, "协助", "assist", "协助", "", 1),
    (UserRole.ADMIN, "admin", "admin", "督查室", "", 0),
    (UserRole.LEADER, "leader", "leader", "领导", "", 1),
    (UserRole.UNIT, "unit", "unit", "责任单位", "", 2),
    (UserRole.SYSTEM, "system", "system", "命令行", "", 3),
    (AppealDecision.REDUCE, "核减", "reduce", "核减", "", 0),
    (AppealDecision.UPHOLD, "维持", "uphold", "维持", "", 1),
    (DeductionKind.LATE, "late", "late", "迟报", "", 0),
    (DeductionKind.MISSING, "missing", "missing", "漏报", "", 1),
    (DeductionKind.LAGGING, "lagging", "lagging", "年末滞后", "", 2),
    (DeductionKind.MISREPORTED, "misreported", "misreported", "报送失实", "", 3),
    (ReviewState.PENDING, "pending", "pending", "待复核", "#F9A825", 0),
    (ReviewState.PASSED, "passed", "passed", "通过", "#2E7D32", 1),
    (ReviewState.RETURNED, "returned", "returned", "退回", "#EF6C00", 2),
    (ReviewState.RETURNED_OVERDUE, "returned_overdue", "returned_overdue", "退回未改", "#C62828", 3),
    (PlanState.MISSING, "missing", "missing", "未报送", "#F9A825", 0),
    (PlanState.SUBMITTED, "submitted", "submitted", "待确认", "#1565C0", 1),
    (PlanState.CONFIRMED, "confirmed", "confirmed", "已确认", "#2E7D32", 2),
    (PlanState.RETURNED, "returned", "returned", "已退回", "#C62828", 3),
    (Light.GREEN, "green", "green", "绿灯", "#2E7D32", 0),
    (Light.YELLOW, "yellow", "yellow", "黄灯", "#F9A825", 1),
    (Light.RED, "red", "red", "红灯", "#C62828", 2),
    (ExpectedSource.PLAN, "plan", "plan", "计划", "", 0),
    (ExpectedSource.CALENDAR, "calendar", "calendar", "按序时", "", 1),
    (InspectionKind.REGULAR, "定期", "regular", "定期", "", 0),
    (InspectionKind.IRREGULAR, "不定期", "irregular", "不定期", "", 1),
    (InspectionKind.SPECIAL, "专项", "special", "专项", "", 2),
    (InspectionKind.UNANNOUNCED, "暗访", "unannounced", "暗访", "", 3),
    (FindingState.OPEN, "open", "open", "待整改", "#C62828", 0),
    (FindingState.REPLIED, "replied", "replied", "已反馈", "#1565C0", 1),
    (FindingState.CLOSED, "closed", "closed", "已销号", "#2E7D32", 2),
]


@pytest.mark.parametrize(
    ("term", "value", "code", "label", "color", "rank"),
    CASES,
    ids=[f"{type(c[0]).__name__}.{c[0].name}" for c in CASES],
)
def test_each_term_has_its_value_code_label_colour_and_place(
    term: Term, value: str, code: str, label: str, color: str, rank: int
) -> None:
    assert (term.value, term.code, term.label, term.color, term.rank) == (value, code, label, color, rank)
    assert term == value and str(term) == value and f"{term}" == value
    kind = type(term)
    assert kind(value) is term
    assert kind.of(value) is term and kind.of(code) is term and kind.of(label) is term


def test_one_word_has_one_colour_across_the_vocabulary() -> None:
    """未报送 is amber for a task and for a plan alike: a reader learns a colour once."""
    colours: dict[str, set[str]] = {}
    for kind in TERMS:
        for term in kind:
            if term.color:
                colours.setdefault(term.label, set()).add(term.color)
    assert {label: c for label, c in colours.items() if len(c) > 1} == {}


def test_the_case_table_covers_every_term() -> None:
    assert [case[0] for case in CASES] == [term for kind in TERMS for term in kind]


@pytest.mark.parametrize("kind", TERMS, ids=lambda k: k.__name__)
def test_values_labels_and_colours_follow_the_display_order(kind: type[Term]) -> None:
    rows = [case for case in CASES if type(case[0]) is kind]
    assert kind.values() == tuple(case[1] for case in rows)
    assert kind.labels() == tuple(case[3] for case in rows)
    assert kind.colors() == {case[3]: case[4] for case in rows}
    assert all(type(v) is str for v in kind.values())


@pytest.mark.parametrize(("kind", "text"), [(TaskStatus, "完成"), (Lateness, "迟"), (UnitKind, ""), (UserRole, "督查")])
def test_of_refuses_what_is_not_a_term(kind: type[Term], text: str) -> None:
    with pytest.raises(ValueError, match=f"不是有效的{kind.__doc__}"):
        kind.of(text)


def test_the_subsets_and_the_severity_order() -> None:
    assert TaskStatus.reportable() == (
        TaskStatus.DONE,
        TaskStatus.ON_TRACK,
        TaskStatus.LAGGING,
        TaskStatus.NOT_STARTED,
    )
    assert UnitKind.reporting() == (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT, UnitKind.ENTERPRISE, UnitKind.OTHER)
    assert UserRole.accounts() == (UserRole.ADMIN, UserRole.LEADER, UserRole.UNIT)
    assert SEVERITY == (TaskStatus.LAGGING, TaskStatus.NOT_STARTED, TaskStatus.ON_TRACK, TaskStatus.DONE)
    assert [s.severity for s in SEVERITY] == [0, 1, 2, 3]
    assert LEAD_LEADER_MARK == "▲"
    assert ReviewState.decisions() == (ReviewState.PASSED, ReviewState.RETURNED)


# --- the database's CHECK constraints --------------------------------------------------

CHECKED = {
    "unit_kind": ("kind", UnitKind.values()),
    "task_leader_role": ("role", LeaderRole.values()),
    "task_unit_role": ("role", Responsibility.values()),
    "row_status": ("status", tuple(s.value for s in TaskStatus.reportable())),
    "unit_obligation_role": ("role", Responsibility.values()),
    "user_role": ("role", tuple(r.value for r in UserRole.accounts())),
    "review_decision": ("decision", tuple(d.value for d in ReviewState.decisions())),
    "task_plan_state": ("state", tuple(s.value for s in PlanState.stored())),
    "inspection_kind": ("kind", InspectionKind.values()),
    "finding_state": ("state", FindingState.values()),
    "instruction_state": ("state", FindingState.values()),
    "notice_state": ("state", FindingState.values()),
}
_IN = re.compile(r"^(\w+) IN \((.*)\)$")


def _in_list(sql: str) -> tuple[str, tuple[str, ...]]:
    match = _IN.match(sql)
    assert match, sql
    items = tuple(item.strip() for item in match.group(2).split(","))
    assert all(item.startswith("'") and item.endswith("'") for item in items), sql
    return match.group(1), tuple(item[1:-1] for item in items)


def _model_checks() -> dict[str, str]:
    return {
        str(c.name): str(c.sqltext)
        for table in SQLModel.metadata.tables.values()
        for c in table.constraints
        if isinstance(c, CheckConstraint) and " IN (" in str(c.sqltext)
    }


def _migration_checks() -> dict[str, str]:
    """Each named CHECK constraint as the latest migration that spells it writes it."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "db" / "migrations" / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "CheckConstraint":
                names = [k.value for k in node.keywords if k.arg == "name"]
                if node.args and isinstance(node.args[0], ast.Constant) and names:
                    found[ast.literal_eval(names[0])] = node.args[0].value
    return found


def test_check_constraints_list_exactly_the_vocabulary() -> None:
    checks = _model_checks()
    assert set(checks) == set(CHECKED)
    for name, (column, values) in CHECKED.items():
        assert _in_list(checks[name]) == (column, values), name


def test_the_migrations_spell_the_same_constraints_as_the_models() -> None:
    migrated = _migration_checks()
    for name, sql in _model_checks().items():
        assert migrated.get(name) == sql, f"{name}: the models say {sql!r}; a migration is needed"


# --- no other source spells a status or a lateness --------------------------------------

WORDS = frozenset(TaskStatus.values()) | frozenset(Lateness.values())
SOURCES = ("accounts", "core", "cycle", "db", "intake", "office", "pages", "registry", "status", "ui")
EXEMPT = ("core/vocab.py",)


def _sources() -> list[str]:
    files = [p for d in SOURCES for p in (ROOT / d).rglob("*.py")] + [ROOT / "cli.py", ROOT / "app.py"]
    return sorted(p.relative_to(ROOT).as_posix() for p in files)


def _bare_words(path: str) -> list[str]:
    """Each string literal that is exactly a status or lateness word, as ``line: word``. Prose
    (a message or docstring that mentions the word, the text around an f-string's fields) is
    never exactly the word, so it passes."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), path)
    in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    return [
        f"{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in WORDS and id(node) not in in_fstrings
    ]


def test_the_scan_sees_the_sources_and_finds_bare_words() -> None:
    sources = _sources()
    assert {"cli.py", "app.py", "db/models.py", "ui/charts.py", "pages/overview.py"} <= set(sources)
    assert _bare_words("core/vocab.py")  # the one place that spells them


@pytest.mark.parametrize("path", [p for p in _sources() if p not in EXEMPT])
def test_no_source_spells_a_status_or_lateness(path: str) -> None:
    found = _bare_words(path)
    assert not found, f"{path} spells vocabulary words; use the terms of core.vocab: {found}"
