"""Which plan counts and where each unit's plan stands, on hand-made plans over the 2023 seed."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import select

from accounts.access import SYSTEM
from core.vocab import PlanState
from cycle.admin import change_setting
from db.engine import read_session, write_session
from db.models import PlanMilestone, Task, TaskPlan
from db.queries import resolve_unit
from status.plans import Milestone, confirmed_milestones, plan_due, plan_states, planned_task_ids

UNIT = "区交通运输局"  # leads task 78, co-unit of 53, 69 and 75
AT = datetime(2023, 2, 10, 9, 0)


def _ids(unit: str, *nos: int) -> tuple[int, list[int]]:
    with read_session() as session:
        row = resolve_unit(session, unit)
        assert row is not None and row.id is not None
        ids = [session.exec(select(Task.id).where(Task.year == 2023, Task.no == no)).one() for no in nos]
        return row.id, ids


def _plan(unit: str, version: int, state: PlanState, milestones: dict[int, list[tuple[date, float, str]]]) -> None:
    unit_id, _ = _ids(unit)
    with write_session() as session:
        plan = TaskPlan(
            unit_id=unit_id,
            year=2023,
            version=version,
            state=state,
            received_at=AT.replace(day=10 + version),
            submitted_by=unit,
            source="form",
        )
        session.add(plan)
        session.flush()
        assert plan.id is not None
        for no, rows in milestones.items():
            task_id = _ids(unit, no)[1][0]
            for seq, (due, target, text) in enumerate(rows, start=1):
                session.add(PlanMilestone(plan_id=plan.id, task_id=task_id, seq=seq, due=due, target=target, text=text))


FIRST = {78: [(date(2023, 12, 31), 100, "竣工"), (date(2023, 6, 30), 40, "开工"), (date(2023, 6, 30), 50, "主体")]}
SECOND = {78: [(date(2023, 9, 30), 60, "过半"), (date(2023, 12, 31), 100, "完工")]}


def test_no_plan_is_missing_and_gives_no_milestones(loaded: str) -> None:
    unit_id, (task78,) = _ids(UNIT, 78)
    with read_session() as session:
        states = plan_states(session, year=2023)
        assert planned_task_ids(session, unit_id=unit_id, year=2023) == [task78]
        assert confirmed_milestones(session, year=2023) == {}
    assert len(states) == 38  # every unit whose report speaks for a task
    mine = states[unit_id]
    assert (mine.state, mine.version, mine.received_at, mine.confirmed_version) == (PlanState.MISSING, None, None, None)


def test_latest_confirmed_version_counts_until_a_later_one_is_confirmed(loaded: str) -> None:
    unit_id, (task78,) = _ids(UNIT, 78)
    _plan(UNIT, 1, PlanState.CONFIRMED, FIRST)
    with read_session() as session:
        assert confirmed_milestones(session, year=2023) == {
            task78: [
                Milestone(date(2023, 6, 30), 40, "开工", False),
                Milestone(date(2023, 6, 30), 50, "主体", False),
                Milestone(date(2023, 12, 31), 100, "竣工", False),
            ]
        }
    _plan(UNIT, 2, PlanState.SUBMITTED, SECOND)
    with read_session() as session:
        assert [m.text for m in confirmed_milestones(session, year=2023)[task78]] == ["开工", "主体", "竣工"]
        state = plan_states(session, year=2023)[unit_id]
        assert (state.state, state.version, state.confirmed_version) == (PlanState.SUBMITTED, 2, 1)
        assert state.received_at == datetime(2023, 2, 12, 9, 0)
    with write_session() as session:
        plan = session.exec(select(TaskPlan).where(TaskPlan.version == 2)).one()
        plan.state, plan.return_reason = PlanState.RETURNED, "节点太粗"
    with read_session() as session:
        assert [m.text for m in confirmed_milestones(session, year=2023)[task78]] == ["开工", "主体", "竣工"]
        state = plan_states(session, year=2023)[unit_id]
        assert (state.state, state.return_reason, state.confirmed_version) == (PlanState.RETURNED, "节点太粗", 1)
    _plan(UNIT, 3, PlanState.CONFIRMED, SECOND)
    with read_session() as session:
        assert [m.text for m in confirmed_milestones(session, year=2023)[task78]] == ["过半", "完工"]
        assert plan_states(session, year=2023)[unit_id].state is PlanState.CONFIRMED
        assert confirmed_milestones(session, year=2023, task_ids=[task78 + 1]) == {}
        assert list(confirmed_milestones(session, year=2023, task_ids=[task78])) == [task78]
        assert confirmed_milestones(session, year=2024) == {}


def test_milestones_of_a_task_the_unit_does_not_lead_do_not_count(loaded: str) -> None:
    _, (_, task78) = _ids(UNIT, 53, 78)
    _plan(UNIT, 1, PlanState.CONFIRMED, {53: [(date(2023, 12, 31), 100, "配合")], **SECOND})
    with read_session() as session:
        assert list(confirmed_milestones(session, year=2023)) == [task78]


def test_the_deadline_is_the_end_of_the_set_month(loaded: str) -> None:
    with read_session() as session:
        assert (plan_due(session, year=2023), plan_due(session, year=2024)) == (date(2023, 2, 28), date(2024, 2, 29))
    with write_session() as session:
        change_setting(session, key="plan_due_month", value="4", actor=SYSTEM)
    with read_session() as session:
        assert plan_due(session, year=2023) == date(2023, 4, 30)
