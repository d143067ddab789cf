"""Plans landing: versions, the same content again, rejected attempts, the page's rows,
confirming and returning, the chase list and what changed between versions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from accounts.access import SYSTEM, AccessDenied, Actor
from core.vocab import PlanState
from db.engine import read_session, write_session
from db.models import AuditLog, PlanMilestone, TaskPlan
from db.queries import resolve_unit
from intake.plans import form_rows, ingest_plan, save_plan_form
from office.plans import PlanDecisionError, confirm_plan, plan_chase, plan_chase_text, return_plan
from status.plans import confirmed_milestones, plan_changes, plan_states, plan_versions, task_plans
from tests.plan_kit import GOOD, PLAN_UNIT, plan_filled

OFFICE = Actor("督查室", "admin")


def _unit_id(name: str = PLAN_UNIT) -> int:
    with read_session() as session:
        row = resolve_unit(session, name)
        assert row is not None and row.id is not None
        return row.id


def _unit_actor(name: str = PLAN_UNIT) -> Actor:
    return Actor(name, "unit", unit_id=_unit_id(name))


def _counts() -> tuple[int, int]:
    with read_session() as session:
        return (
            session.exec(select(func.count()).select_from(TaskPlan)).one(),
            session.exec(select(func.count()).select_from(PlanMilestone)).one(),
        )


def _actions() -> list[str]:
    with read_session() as session:
        return list(
            session.exec(select(AuditLog.action).where(AuditLog.action.startswith("plan_")).order_by(AuditLog.id))
        )  # type: ignore[attr-defined]


def _confirm(name: str = PLAN_UNIT) -> None:
    with write_session() as session:
        confirm_plan(session, unit_id=_unit_id(name), year=2023, actor=OFFICE)


def test_versions_the_same_content_and_rejections(loaded: str) -> None:
    data = plan_filled()
    first = ingest_plan(data, file_name="城管局计划.xlsx", unit=PLAN_UNIT, actor=_unit_actor())
    assert (first.accepted, first.duplicate, first.version, first.rows, first.year) == (True, False, 1, 4, 2023)
    again = ingest_plan(data, file_name="again.xlsx", unit="区城管局", actor=_unit_actor())
    assert (again.accepted, again.duplicate, again.version) == (True, True, 1)
    assert _counts() == (1, 4)
    bad = ingest_plan(plan_filled({84: GOOD[84]}), file_name="bad.xlsx", unit=PLAN_UNIT, actor=_unit_actor())
    assert not bad.accepted and [str(e) for e in bad.errors] == [
        "节点计划!C9: 第 85 项还没有填写节点：每项牵头任务至少填写一个节点（完成时限、节点目标、计划进度）"
    ]
    assert _counts() == (1, 4)  # nothing written but the audit
    changed = {**GOOD, 85: [(date(2023, 9, 30), "初验", 80), (date(2023, 12, 31), "通过验收", 100)]}
    second = ingest_plan(plan_filled(changed), file_name="v2.xlsx", unit=PLAN_UNIT, actor=_unit_actor())
    assert (second.accepted, second.version, second.rows) == (True, 2, 5)
    assert _actions() == ["plan_submitted", "plan_submitted", "plan_rejected", "plan_submitted"]
    with read_session() as session:
        stored = session.exec(select(TaskPlan).where(TaskPlan.version == 2)).one()
        assert (stored.source, stored.state, stored.file_name, stored.on_behalf) == (
            "upload",
            "submitted",
            "v2.xlsx",
            False,
        )
        assert stored.content is not None and len(stored.sha256) == 64
        history = plan_versions(session, unit_id=_unit_id(), year=2023)
        assert [(v.version, v.state, v.milestones) for v in history] == [
            (2, PlanState.SUBMITTED, 5),
            (1, PlanState.SUBMITTED, 4),
        ]
        changes = plan_changes(session, unit_id=_unit_id(), year=2023, version=2)
    assert [c.text for c in changes] == [
        "第 85 项 节点调整：2023-12-31 100% 通过验收 → 2023-09-30 80% 初验",
        "第 85 项 新增节点：2023-12-31 100% 通过验收",
    ]


def test_a_unit_cannot_submit_for_another(loaded: str) -> None:
    with pytest.raises(AccessDenied):
        ingest_plan(plan_filled(), file_name="x.xlsx", unit=PLAN_UNIT, actor=_unit_actor("区交通运输局"))
    assert _counts() == (0, 0)


def test_confirm_return_and_adjust(loaded: str) -> None:
    unit_id = _unit_id()
    with write_session() as session, pytest.raises(PlanDecisionError, match="尚未报送"):
        confirm_plan(session, unit_id=unit_id, year=2023, actor=OFFICE)
    ingest_plan(plan_filled(), file_name="v1.xlsx", unit=PLAN_UNIT, actor=_unit_actor())
    with write_session() as session, pytest.raises(AccessDenied):
        confirm_plan(session, unit_id=unit_id, year=2023, actor=_unit_actor())
    with write_session() as session, pytest.raises(PlanDecisionError, match="请填写退回原因"):
        return_plan(session, unit_id=unit_id, year=2023, reason="  ", actor=OFFICE)
    with write_session() as session:
        return_plan(session, unit_id=unit_id, year=2023, reason="节点过粗，请细化到季度", actor=OFFICE)
    with read_session() as session:
        state = plan_states(session, year=2023)[unit_id]
        assert (state.state, state.return_reason, state.confirmed_version) == (
            PlanState.RETURNED,
            "节点过粗，请细化到季度",
            None,
        )
        assert confirmed_milestones(session, year=2023) == {}
    with write_session() as session, pytest.raises(PlanDecisionError, match="已退回"):
        confirm_plan(session, unit_id=unit_id, year=2023, actor=OFFICE)
    same = ingest_plan(plan_filled(), file_name="v1again.xlsx", unit=PLAN_UNIT, actor=_unit_actor())
    assert not same.accepted and "与已退回的第 1 版完全相同" in same.errors[0].message
    rows = form_rows_for()
    rows[4] |= {"due": date(2023, 6, 30), "text": "完成招标", "target": 60}  # 85: a milestone before the last
    rows[5] |= {"due": date(2023, 12, 31), "text": "通过验收", "target": 100}
    form = save_plan_form(rows, unit=PLAN_UNIT, actor=_unit_actor(), year=2023)
    assert (form.accepted, form.version, form.rows) == (True, 2, 5), form.errors
    _confirm()
    with read_session() as session:
        assert plan_states(session, year=2023)[unit_id].state is PlanState.CONFIRMED
        planned = confirmed_milestones(session, year=2023)
        assert sorted(len(ms) for ms in planned.values()) == [2, 3]
    # 计划调整: a new version waits, the confirmed one still counts until it is confirmed
    rows = form_rows_for()
    rows[0]["target"] = 30
    adjusted = save_plan_form(rows, unit=PLAN_UNIT, actor=OFFICE, year=2023, on_behalf=True)
    assert (adjusted.accepted, adjusted.version) == (True, 3)
    with read_session() as session:
        assert min(m.target for ms in confirmed_milestones(session, year=2023).values() for m in ms) == 20
    _confirm()
    with read_session() as session:
        assert min(m.target for ms in confirmed_milestones(session, year=2023).values() for m in ms) == 30
        stored = session.exec(select(TaskPlan).where(TaskPlan.version == 3)).one()
        assert (stored.source, stored.on_behalf, stored.content, stored.decided_by) == ("form", True, None, "督查室")
        assert [v.state for v in plan_versions(session, unit_id=unit_id, year=2023)] == [
            PlanState.CONFIRMED,
            PlanState.CONFIRMED,
            PlanState.RETURNED,
        ]
    assert _actions()[-3:] == ["plan_confirmed", "plan_submitted", "plan_confirmed"]


def form_rows_for() -> list[dict[str, object]]:
    with read_session() as session:
        return form_rows(session, unit_id=_unit_id(), year=2023)


def test_the_page_rows_are_checked_like_the_workbook(loaded: str) -> None:
    rows = form_rows_for()
    assert [r["no"] for r in rows] == [84] * 4 + [85] * 4
    rows[0] |= {"due": date(2023, 6, 30), "text": "过半", "target": 50}
    rows[1] |= {"due": date(2023, 3, 31), "text": "方案", "target": 100}
    rows.append({"no": 85, "task": None, "due": date(2024, 1, 31), "text": "验收", "target": 100})
    result = save_plan_form(rows, unit=PLAN_UNIT, actor=_unit_actor(), year=2023)
    assert not result.accepted
    assert [str(e) for e in result.errors] == [
        "节点计划!C13: 完成时限 2024-01-31 不在 2023 年内：请填写 2023-01-01 至 2023-12-31 之间的日期"
        "（跨年度任务只填本年度的节点，并在节点目标中注明“跨年度”）",
        "节点计划!C6: 第 84 项此节点的完成时限 2023-03-31 早于上一个节点（C5：2023-06-30）：请按时间先后顺序填写节点",
    ]
    assert _counts() == (0, 0)


def test_chase_list_and_show(loaded: str) -> None:
    ingest_plan(plan_filled(), file_name="v1.xlsx", unit=PLAN_UNIT, actor=_unit_actor())
    ingest_plan(
        plan_filled({78: [(date(2023, 12, 31), "竣工", 100)]}, unit="区交通运输局"),
        file_name="t.xlsx",
        unit="区交通运输局",
        actor=SYSTEM,
        on_behalf=True,
    )
    with write_session() as session:
        return_plan(session, unit_id=_unit_id("区交通运输局"), year=2023, reason="请细化", actor=OFFICE)
    with read_session() as session:
        rows = plan_chase(session, year=2023, today=date(2023, 3, 1))
        views = {v.no: v for v in task_plans(session, year=2023)}
    assert len(rows) == 38
    assert [(r.unit, r.state) for r in rows if r.state is not PlanState.MISSING] == [
        ("区交通运输局", PlanState.RETURNED),
        ("区城管局", PlanState.SUBMITTED),
    ]
    assert all(r.overdue == (r.state is not PlanState.SUBMITTED) for r in rows)
    text = plan_chase_text(2023, date(2023, 2, 28), rows)
    assert text.startswith("2023年度节点计划报送截止时间为2023年2月28日，以下 37 个单位尚未报送或计划被退回")
    assert "区交通运输局（已退回，已逾期）" in text and "区城管局" not in text
    assert views[84].as_json() == {
        "no": 84,
        "lead_unit": "区城管局",
        "state": "submitted",
        "version": 1,
        "milestones": [
            {"due": "2023-03-31", "target": 20, "text": "完成实施方案", "multi_year": False},
            {"due": "2023-06-30", "target": 50, "text": "完成一半点位", "multi_year": False},
            {"due": "2023-12-31", "target": 100, "text": "全部完成", "multi_year": False},
        ],
    }
    assert (views[1].state, views[1].version, views[1].milestones) == (PlanState.MISSING, None, [])
