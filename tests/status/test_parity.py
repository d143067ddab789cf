"""One month, four readings: the status command, the 总览 figures and task tables, the bulletin
and the ledger agree task by task, in every scenario that once made them disagree."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

import cli
from accounts.access import SYSTEM
from core import clock
from cycle.periods import get_period
from db.engine import read_session, write_session
from db.models import Exemption
from db.queries import resolve_unit
from intake.ingest import ingest_upload
from office.bulletin import bulletin_data
from office.closing import close_task
from office.exports import task_ledger
from registry.units_admin import set_group_members
from status import dashboards
from tests.factories import add_plan, add_submission
from tests.monthly_kit import SMALL_UNIT, filled

PERIOD = "2023-03"  # due 2023-04-05 23:59:59
BEFORE_DEADLINE = datetime(2023, 4, 4, 12, 0)
AFTER_DEADLINE = datetime(2023, 4, 20, 9, 0)
BUSINESS, FINANCE = "区营商环境办", "区财政局"
GROUP_67 = "区“四送一服”领导小组成员单位"


def _upload(unit: str, received: datetime, rows: dict[int, dict[str, object]], *, on_behalf: bool = False) -> int:
    result = ingest_upload(
        filled(unit, PERIOD, rows),
        file_name=f"{unit}.xlsx",
        unit=unit,
        actor=SYSTEM,
        received_at=received,
        on_behalf=on_behalf,
    )
    assert result.accepted, result.errors
    assert result.version is not None
    return result.version


def _status(text: str, progress: float, problems: str = "") -> dict[str, object]:
    row: dict[str, object] = {"status": text, "progress": progress}
    if problems:
        row["problems"] = problems
        row["next_steps"] = "加快推进"
    return row


LAGGING_78 = {78: _status("滞后", 20, "资金未到位")}
ON_TRACK_78 = {78: _status("序时推进", 30)}


def back_dated_office_entry() -> None:
    """The unit uploads on 4-03; the office later enters the file the platform got on 4-01."""
    _upload(SMALL_UNIT, datetime(2023, 4, 3, 10, 0), LAGGING_78)
    _upload(SMALL_UNIT, datetime(2023, 4, 1, 9, 0), ON_TRACK_78, on_behalf=True)


def correction_after_the_deadline() -> None:
    _upload(SMALL_UNIT, datetime(2023, 4, 3, 10, 0), LAGGING_78)
    _upload(SMALL_UNIT, datetime(2023, 4, 10, 16, 0), ON_TRACK_78)


def group_led_task() -> None:
    with write_session() as session:
        set_group_members(session, actor=SYSTEM, group=GROUP_67, members=[BUSINESS, FINANCE])
    _upload(BUSINESS, datetime(2023, 4, 2, 9, 0), {67: _status("已完成", 100)})
    _upload(FINANCE, datetime(2023, 4, 3, 9, 0), {67: _status("序时推进", 40)})


def empty_group_fallback() -> None:
    """Task 67 is led by a group still without members: 区营商环境办, listed next, speaks for it."""
    _upload(BUSINESS, datetime(2023, 4, 2, 9, 0), {67: _status("未启动", 0)})


def exemption() -> None:
    _upload(SMALL_UNIT, datetime(2023, 4, 3, 10, 0), LAGGING_78)
    with write_session() as session:
        period = get_period(session, PERIOD)
        unit = resolve_unit(session, BUSINESS)
        assert unit is not None
        session.add(
            Exemption(
                unit_id=unit.id, period_id=period.id, reason="机构调整", granted_by="督查室", granted_at=AFTER_DEADLINE
            )
        )


def plan_and_closure() -> None:
    """Task 78 judged against its plan (50 due in March, reported 30: behind, yellow); task 65,
    reported 已完成 for February and closed on 2023-02-28, is 已办结 in March."""
    add_plan(SMALL_UNIT, {78: [(date(2023, 3, 31), 50.0), (date(2023, 4, 30), 60.0)]})
    _upload(SMALL_UNIT, datetime(2023, 4, 3, 10, 0), ON_TRACK_78)
    add_submission(BUSINESS, "2023-02", datetime(2023, 3, 3, 9, 0), {65: ("已完成", 100.0)})
    with write_session() as session:
        close_task(session, year=2023, no=65, on=date(2023, 2, 28), note="已完成", actor=SYSTEM)


SCENARIOS: dict[str, Callable[[], None]] = {
    "back_dated": back_dated_office_entry,
    "corrected_late": correction_after_the_deadline,
    "group_lead": group_led_task,
    "empty_group": empty_group_fallback,
    "exemption": exemption,
    "plan_and_closure": plan_and_closure,
}

# What the status command must say of the tasks each scenario is about, at both moments.
EXPECTED = {
    ("back_dated", BEFORE_DEADLINE): {78: ("lagging", 20.0, SMALL_UNIT, 1)},
    ("back_dated", AFTER_DEADLINE): {78: ("lagging", 20.0, SMALL_UNIT, 1)},
    ("corrected_late", BEFORE_DEADLINE): {78: ("lagging", 20.0, SMALL_UNIT, 1)},
    ("corrected_late", AFTER_DEADLINE): {78: ("on_track", 30.0, SMALL_UNIT, 2)},
    ("group_lead", BEFORE_DEADLINE): {67: ("on_track", 40.0, FINANCE, 1)},
    ("group_lead", AFTER_DEADLINE): {67: ("on_track", 40.0, FINANCE, 1)},
    ("empty_group", BEFORE_DEADLINE): {67: ("not_started", 0.0, BUSINESS, 1)},
    ("empty_group", AFTER_DEADLINE): {67: ("not_started", 0.0, BUSINESS, 1)},
    ("exemption", BEFORE_DEADLINE): {78: ("lagging", 20.0, SMALL_UNIT, 1), 67: ("not_reported", None, None, None)},
    ("exemption", AFTER_DEADLINE): {78: ("lagging", 20.0, SMALL_UNIT, 1), 67: ("not_reported", None, None, None)},
    ("plan_and_closure", BEFORE_DEADLINE): {78: ("on_track", 30.0, SMALL_UNIT, 1), 65: ("closed", 100.0, None, None)},
    ("plan_and_closure", AFTER_DEADLINE): {78: ("on_track", 30.0, SMALL_UNIT, 1), 65: ("closed", 100.0, None, None)},
}

LABELS = {
    "done": "已完成",
    "closed": "已办结",
    "on_track": "序时推进",
    "lagging": "滞后",
    "not_started": "未启动",
    "not_reported": "未报送",
}


def _cli_status(capsys: pytest.CaptureFixture[str], as_of: datetime | None) -> list[dict]:
    argv = ["status", "--period", PERIOD, "--json"]
    if as_of is not None:
        argv += ["--as-of", as_of.isoformat()]
    capsys.readouterr()
    assert cli.main(argv) == 0
    return json.loads(capsys.readouterr().out)


LIGHTS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}


def _ledger(as_of: datetime) -> dict[int, tuple[str, float | None, str, str]]:
    with read_session() as session:
        data = task_ledger(session, get_period(session, PERIOD), as_of)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    header = [c.value for c in ws[2]]
    at = {name: header.index(name) for name in ("序号", "完成状态", "完成进度(%)", "报送单位", "红黄绿灯")}
    return {
        row[at["序号"]]: (row[at["完成状态"]], row[at["完成进度(%)"]], row[at["报送单位"]] or "", row[at["红黄绿灯"]])
        for row in ws.iter_rows(min_row=3, values_only=True)
        if row[at["序号"]] is not None
    }


@pytest.mark.parametrize("as_of", [BEFORE_DEADLINE, AFTER_DEADLINE], ids=["before_deadline", "after_deadline"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_reading_of_a_month_agrees(loaded, capsys, scenario: str, as_of: datetime) -> None:
    SCENARIOS[scenario]()
    states = _cli_status(capsys, as_of)
    assert len(states) == 125
    by_no = {s["no"]: s for s in states}
    for no, (status, progress, unit, version) in EXPECTED[scenario, as_of].items():
        source = by_no[no]["source"]
        assert (by_no[no]["status"], by_no[no]["progress"]) == (status, progress)
        assert (source and source["unit"], source and source["version"]) == (unit, version)

    counts = Counter(LABELS[s["status"]] for s in states)
    with read_session() as session:
        overview = dashboards.overview(session, PERIOD, as_of)
        bulletin = bulletin_data(session, PERIOD, as_of)
    assert {k: v for k, v in overview.counts.items() if v} == dict(counts)
    assert overview.behind_schedule == sum(s["behind"] for s in states)
    assert {k: v for k, v in overview.lights.items() if v} == dict(Counter(s["light"] for s in states))
    assert overview.planned == sum(s["expected_source"] == "plan" for s in states)
    assert list(overview.behind["序号"]) == [s["no"] for s in states if s["behind"] or s["status"] == "lagging"]
    assert {k: v for k, v in bulletin.counts.items() if v} == dict(counts)
    assert [t.no for t in bulletin.lagging] == [s["no"] for s in states if s["status"] == "lagging"]

    ledger = _ledger(as_of)
    for s in states:
        unit = s["source"]["unit"] if s["source"] else ""
        assert ledger[s["no"]] == (LABELS[s["status"]], s["progress"], unit, LIGHTS[s["light"]]), s["no"]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_task_tables_agree_with_the_status_command_now(loaded, capsys, scenario: str) -> None:
    SCENARIOS[scenario]()
    states = _cli_status(capsys, None)
    with read_session() as session:
        table = dashboards.task_table(session, PERIOD).set_index("序号")
        behind = set(dashboards.overview(session, PERIOD, clock.now()).behind["序号"])
    for s in states:
        row = table.loc[s["no"]]
        assert row["完成状态"] == LABELS[s["status"]]
        assert row["欠进度"] == s["behind"]
        assert (row["红黄绿灯"], row["应达进度"]) == (LIGHTS[s["light"]], pytest.approx(s["expected"], abs=0.01))
        progress = None if row["进度"] != row["进度"] else row["进度"]  # NaN when not reported
        assert progress == s["progress"]
    assert behind == {s["no"] for s in states if s["behind"] or s["status"] == "lagging"}
