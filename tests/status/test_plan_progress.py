"""Progress against the plan: expected progress by steps at each milestone, 欠进度 and the light
(status/expected.py, status/lights.py), worked out by hand for one task month by month."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

import cli
from core.vocab import ExpectedSource, Light, TaskStatus
from cycle.periods import get_period
from db.engine import read_session
from status.engine import TaskState, task_states
from tests.factories import add_plan, add_submission

UNIT = "区交通运输局"  # leads task 78 only
OTHER = "区地方金融监管局"  # leads task 95, no plan: judged by the calendar
PLAN_78 = [(date(2023, 3, 31), 20.0), (date(2023, 6, 30), 50.0), (date(2023, 9, 30), 80.0), (date(2023, 12, 31), 100.0)]
G, Y, R = Light.GREEN, Light.YELLOW, Light.RED

# month: (reported status and progress, or None for 未报送; expected; 欠进度; light)
YEAR_OF_78: dict[int, tuple[tuple[str, float] | None, float, bool, Light]] = {
    1: (("未启动", 0), 0, False, G),  # before the first milestone: nothing expected yet
    2: (("序时推进", 0), 0, False, G),  # March's 20 is 20 away: not more than two margins
    3: (("序时推进", 5), 20, True, Y),  # on the milestone's month, 15 behind (> 10)
    4: (("序时推进", 15), 20, False, R),  # March's milestone past due and not reached
    5: (("序时推进", 20), 20, False, Y),  # on plan, but June's 50 is 30 away: 预警
    6: (("序时推进", 45), 50, False, G),  # the milestone's month, within the margin
    7: (("序时推进", 45), 50, False, R),  # June's milestone now past due, not reached
    8: (("滞后", 60), 50, False, R),  # ahead of the plan, but the unit reports 滞后
    9: (("序时推进", 80), 80, False, G),
    10: (None, 80, False, Y),  # 未报送
    11: (("已完成", 100), 80, False, G),
    12: (("已完成", 100), 100, False, G),
}


def _state(no: int, month: int) -> TaskState:
    with read_session() as session:
        states = task_states(session, get_period(session, f"2023-{month:02d}"), as_of=None)
    return next(s for s in states.values() if s.no == no)


@pytest.fixture
def year_of_78(loaded) -> None:
    add_plan(UNIT, {78: PLAN_78})
    for month, (reported, *_) in YEAR_OF_78.items():
        if reported is not None:
            received = datetime(2023 + month // 12, month % 12 + 1, 2, 9)
            add_submission(UNIT, f"2023-{month:02d}", received, {78: reported})


def test_expected_progress_and_lights_month_by_month(year_of_78) -> None:
    for month, (reported, expected, behind, light) in YEAR_OF_78.items():
        state = _state(78, month)
        found = (state.expected, state.expected_source, state.behind, state.light)
        assert found == (pytest.approx(expected), ExpectedSource.PLAN, behind, light), month
        assert state.status == (TaskStatus.NOT_REPORTED if reported is None else TaskStatus.of(reported[0]))


def test_without_a_confirmed_plan_the_calendar_counts(loaded) -> None:
    add_plan(OTHER, {95: [(date(2023, 9, 30), 100.0)]}, state="submitted")  # waiting: does not count
    add_submission(OTHER, "2023-03", datetime(2023, 4, 3), {95: ("序时推进", 10.0)})
    add_submission(OTHER, "2023-04", datetime(2023, 5, 3), {95: ("序时推进", 30.0)})
    march, april = _state(95, 3), _state(95, 4)
    assert (march.expected, march.expected_source, march.behind, march.light) == (
        pytest.approx(25.0),
        ExpectedSource.CALENDAR,
        True,
        Y,
    )
    assert (april.expected, april.behind, april.light) == (pytest.approx(100 / 3), False, G)


def test_a_task_planned_for_autumn_is_not_behind_in_spring(loaded) -> None:
    add_plan(UNIT, {78: [(date(2023, 9, 30), 40.0), (date(2023, 12, 31), 100.0)]})
    add_submission(UNIT, "2023-04", datetime(2023, 5, 3), {78: ("未启动", 0.0)})
    add_submission(OTHER, "2023-04", datetime(2023, 5, 3), {95: ("未启动", 0.0)})
    spring = _state(78, 4)
    assert (spring.expected, spring.behind, spring.light) == (0.0, False, G)
    assert _state(95, 4).behind  # the same report without a plan is behind the calendar


def test_a_later_plan_version_counts_once_confirmed(loaded) -> None:
    add_plan(UNIT, {78: [(date(2023, 3, 31), 40.0)]})
    add_plan(UNIT, {78: [(date(2023, 3, 31), 10.0)]}, version=2, state="submitted")
    add_submission(UNIT, "2023-03", datetime(2023, 4, 3), {78: ("序时推进", 20.0)})
    assert (_state(78, 3).expected, _state(78, 3).behind) == (40.0, True)
    add_plan(UNIT, {78: [(date(2023, 3, 31), 10.0)]}, version=3)
    assert (_state(78, 3).expected, _state(78, 3).behind) == (10.0, False)


def test_status_command_gives_the_source_and_the_light(year_of_78, capsys) -> None:
    assert cli.main(["status", "--period", "2023-04", "--json"]) == 0
    rows = {row["no"]: row for row in json.loads(capsys.readouterr().out)}
    assert {k: rows[78][k] for k in ("status", "expected", "expected_source", "behind", "light")} == {
        "status": "on_track",
        "expected": 20.0,
        "expected_source": "plan",
        "behind": False,
        "light": "red",
    }
    assert (rows[95]["expected_source"], rows[95]["light"]) == ("calendar", "yellow")  # 未报送
