"""The dashboard figures on the real registry against numbers worked out by hand (see scenario)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from accounts.access import Actor
from cycle.periods import get_period
from cycle.settings import put_setting
from db.engine import read_session, write_session
from db.models import Exemption, GroupMember, Task, TaskUnit, Unit
from db.queries import resolve_unit
from registry.obligations import derive, obligations, obliged_units, stored
from registry.obligations import stored as obligation_entries
from registry.units_admin import set_group_members
from status import by_unit, dashboards, task_detail
from status.engine import task_states
from status.rates import period_rate
from tests.factories import add_submission
from tests.status.scenario import BUSINESS, CATEGORY_FIVE, FINANCE, load_scenario

AS_OF = datetime(2023, 5, 10)
OFFICE = Actor("督查室", "admin")


@pytest.fixture
def scenario(loaded) -> None:
    load_scenario()


@pytest.mark.parametrize(
    ("status", "progress", "month", "behind"),
    [
        ("序时推进", 14.9, 3, True),  # 序时进度 25, less the margin of 10: 15
        ("序时推进", 15.0, 3, False),
        ("滞后", 0.0, 3, True),
        ("未启动", 0.0, 3, True),
        ("未启动", 0.0, 1, False),  # 8.3 - 10 < 0
        ("已完成", 0.0, 12, False),
    ],
)
def test_behind_schedule_rule(loaded, status, progress, month, behind) -> None:
    code = f"2023-{month:02d}"
    add_submission("区发改委", code, datetime(2023, month, 28), {1: (status, progress)})
    with read_session() as session:
        period = get_period(session, code)
        state = task_states(session, period, as_of=None)[_task_id(session, 1)]
        table = dashboards.task_table(session, code).set_index("序号").loc[1]
    assert (state.status, state.progress, state.behind) == (status, progress, behind)
    assert state.expected == pytest.approx(month / 12 * 100)
    assert (table["完成状态"], table["欠进度"], table["应达进度"]) == (status, behind, pytest.approx(month / 12 * 100))


def test_an_unreported_task_is_never_behind_schedule(loaded) -> None:
    with read_session() as session:
        state = task_states(session, get_period(session, "2023-12"), as_of=None)[_task_id(session, 1)]
    assert (state.status, state.progress, state.behind, state.source) == ("未报送", None, False, None)
    assert state.expected == 100


def _task_id(session, no: int) -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(Task.id).where(Task.no == no, Task.year == 2023)).one()


def test_only_task_67_has_a_group_as_lead_and_its_first_listed_unit_speaks_for_it(loaded) -> None:
    with read_session() as session:
        rows = session.exec(
            select(Task.no, Unit.id)
            .join(TaskUnit, TaskUnit.task_id == Task.id)
            .join(Unit, Unit.id == TaskUnit.unit_id)
            .where(TaskUnit.role == "牵头", Unit.kind == "群组")
        ).all()
        assert [no for no, _ in rows] == [67]
        assert session.exec(select(GroupMember).where(GroupMember.group_id == rows[0][1])).first() is None
        assert _speakers(session, 67) == [resolve_unit(session, BUSINESS).id]


def _speakers(session, no: int) -> list[int]:  # type: ignore[no-untyped-def]
    task_id = _task_id(session, no)
    return [e.unit_id for e in obligation_entries(session, 2023) if e.task_id == task_id and e.speaks]


def test_who_reports_agrees_with_the_obligations_rule(loaded) -> None:
    with write_session() as session:
        set_group_members(session, actor=OFFICE, group="各地各单位", members=["区财政局", "区政府办", "潜口镇"])
    with read_session() as session:
        expected = obligations(session, 2023)
        assert set(session.exec(obliged_units(2023))) == set(expected)
        assert stored(session, 2023) == derive(session, 2023)


def test_a_group_lead_with_members_shows_its_least_advanced_member(loaded) -> None:
    with write_session() as session:
        set_group_members(session, actor=OFFICE, group="区“四送一服”领导小组成员单位", members=[BUSINESS, FINANCE])
    add_submission(BUSINESS, "2023-03", datetime(2023, 4, 3), {67: ("已完成", 100.0)})
    add_submission(FINANCE, "2023-03", datetime(2023, 4, 3), {67: ("序时推进", 40.0)}, text="财政")
    with read_session() as session:
        assert sorted(_speakers(session, 67)) == sorted(resolve_unit(session, u).id for u in (BUSINESS, FINANCE))
        row = dashboards.task_table(session, "2023-03", category=CATEGORY_FIVE).set_index("序号").loc[67]
    assert (row["完成状态"], row["进度"]) == ("序时推进", 40)


def test_reporting_rate_agrees_with_rates_module(scenario) -> None:
    with write_session() as session:
        period = get_period(session, "2023-03")
        town = resolve_unit(session, "潜口镇")
        session.add(
            Exemption(unit_id=town.id, period_id=period.id, reason="测试", granted_by="督查室", granted_at=AS_OF)
        )
    with read_session() as session:
        for code in ("2023-02", "2023-03", "2023-04"):
            period = get_period(session, code)
            for moment in (datetime(2023, 4, 4), AS_OF):
                assert dashboards.reporting_rate(session, period, moment) == period_rate(session, period, moment)


def test_overview_counts_rates_and_behind(scenario) -> None:
    with read_session() as session:
        march = dashboards.overview(session, "2023-03", AS_OF)
    assert march.counts == {"已完成": 2, "已办结": 0, "序时推进": 7, "滞后": 1, "未启动": 1, "未报送": 114}
    assert march.total == 125
    assert march.share("未报送") == pytest.approx(114 / 125)
    assert march.behind_schedule == 3  # 35 (10), 51 (0), 56 (5) are below 15
    assert march.expected == 25
    assert march.submissions == 4
    assert (march.rate.expected, march.rate.received, march.rate.on_time) == (65, 3, 2)
    assert march.previous_rate is not None and march.previous_rate.on_time == 1
    assert march.on_time_change == pytest.approx(100 / 65)
    assert not march.demo


def test_status_mix_by_category_and_lead_leader(scenario) -> None:
    with read_session() as session:
        march = dashboards.overview(session, "2023-03", AS_OF)
    by_category, by_leader = march.by_category, march.by_leader
    categories = {(g, s): n for g, s, n in by_category.itertuples(index=False)}
    assert categories == {
        ("主要预期目标", "已完成"): 1,
        ("主要预期目标", "未报送"): 8,
        ("（一）抓转型、促升级", "序时推进"): 1,
        ("（一）抓转型、促升级", "未报送"): 16,
        ("（二）抓三农、促振兴", "序时推进"): 1,
        ("（二）抓三农、促振兴", "未报送"): 9,
        ("（三）抓文旅、促融合", "未报送"): 10,
        ("（四）抓项目、促投资", "序时推进"): 1,
        ("（四）抓项目、促投资", "未启动"): 1,
        ("（四）抓项目、促投资", "未报送"): 7,
        ("（五）抓创新、促改革", "已完成"): 1,
        ("（五）抓创新、促改革", "序时推进"): 3,
        ("（五）抓创新、促改革", "滞后"): 1,
        ("（五）抓创新、促改革", "未报送"): 8,
        ("（六）抓统筹、促扩能", "未报送"): 18,
        ("（七）抓转化、促提升", "未报送"): 10,
        ("（八）抓民生、促和谐", "未报送"): 20,
        ("（九）加强政府自身建设", "序时推进"): 1,
        ("（九）加强政府自身建设", "未报送"): 8,
    }
    assert list(dict.fromkeys(by_category["分组"]))[:2] == ["主要预期目标", "（一）抓转型、促升级"]
    leaders = {(g, s): n for g, s, n in by_leader.itertuples(index=False)}
    assert {k: v for k, v in leaders.items() if k[1] != "未报送"} == {
        ("黄劼", "已完成"): 2,
        ("黄劼", "序时推进"): 6,
        ("黄劼", "滞后"): 1,
        ("何建中", "序时推进"): 1,
        ("程丽群", "未启动"): 1,
    }
    assert leaders[("黄劼", "未报送")] == 41 - 9
    assert leaders[("方红雨", "未报送")] == 19
    assert sum(by_leader["任务数"]) == 125
    assert by_leader["分组"].iloc[0] == "黄劼"


def test_behind_list_uses_the_current_version(scenario) -> None:
    with read_session() as session:
        behind = dashboards.overview(session, "2023-03", AS_OF).behind
    assert list(behind["序号"]) == [35, 51, 56]  # 25 said 滞后 only in the superseded version
    assert list(behind["完成状态"]) == ["序时推进", "未启动", "滞后"]
    assert list(behind["进度"]) == [10, 0, 5]
    assert list(behind["欠进度"]) == [True, True, True]
    assert list(behind["牵头领导"]) == ["何建中", "程丽群", "黄劼"]
    assert list(behind["牵头单位"]) == [FINANCE, FINANCE, BUSINESS]


def test_lag_margin_setting_moves_the_line(scenario) -> None:
    with write_session() as session:
        put_setting(session, "lag_margin", "20")  # 欠进度 below 5 %
    with read_session() as session:
        assert dashboards.overview(session, "2023-03", AS_OF).behind_schedule == 1  # only 51 (0)
        behind = dashboards.overview(session, "2023-03", AS_OF).behind
    assert list(behind["序号"]) == [51, 56]  # 56 is 滞后 whatever its progress


def test_category_table_trend_and_co_reports(scenario) -> None:
    with read_session() as session:
        table = dashboards.task_table(session, "2023-03", category=CATEGORY_FIVE, co_units=True)
        trend = dashboards.status_trend(session, "2023-03", category=CATEGORY_FIVE)
    assert list(table["序号"]) == list(range(56, 69))
    rows = table.set_index("序号")
    assert rows.loc[56, "完成状态"] == "滞后" and rows.loc[56, "欠进度"]
    assert rows.loc[65, "完成状态"] == "序时推进" and rows.loc[65, "进度"] == 60
    assert rows.loc[66, "完成状态"] == "序时推进" and rows.loc[66, "本月工作进展"] == "更正后（任务66）"
    assert rows.loc[67, "完成状态"] == "已完成"  # 区营商环境办 speaks for the empty group
    assert rows.loc[67, "本月工作进展"] == "营商环境（任务67）"
    assert rows.loc[67, "配合单位报送"] == "已完成1"
    assert rows.loc[57, "完成状态"] == "未报送" and rows.loc[57, "配合单位报送"] == ""
    assert {(m, s): n for m, s, n in trend.itertuples(index=False)} == {
        ("2023-01", "未报送"): 13,
        ("2023-02", "序时推进"): 2,  # 66 and 68, led by 区财政局
        ("2023-02", "未报送"): 11,
        ("2023-03", "已完成"): 1,
        ("2023-03", "序时推进"): 3,
        ("2023-03", "滞后"): 1,
        ("2023-03", "未报送"): 8,
    }


def test_leader_tasks_split_lead_and_assisting(scenario) -> None:
    with read_session() as session:
        tasks = dashboards.leader_tasks(session, "2023-03", "何建中")
    assert len(tasks.leading) == 24 and len(tasks.assisting) == 18
    assert set(tasks.leading["领导职责"]) == {"牵头"} and set(tasks.assisting["领导职责"]) == {"协助"}
    assert tasks.leading.set_index("序号").loc[35, "完成状态"] == "序时推进"
    assert tasks.assisting.set_index("序号").loc[2, "完成状态"] == "已完成"
    assert {(g, s): n for g, s, n in tasks.mix.itertuples(index=False)} == {
        ("▲ 牵头", "序时推进"): 1,
        ("▲ 牵头", "未报送"): 23,
        ("协助", "已完成"): 1,
        ("协助", "未报送"): 17,
    }
    assert list(tasks.behind["序号"]) == [35]


def test_unit_tasks_and_record(scenario) -> None:
    with read_session() as session:
        unit_id = resolve_unit(session, BUSINESS).id
        tasks = by_unit.unit_tasks(session, unit_id, "2023-03")
        record = by_unit.unit_record(session, unit_id, 2023, AS_OF)
        town = by_unit.unit_tasks(session, resolve_unit(session, "岩寺镇").id, "2023-03")
    assert list(tasks["序号"]) == [56, 65, 67]
    assert list(tasks["责任类型"]) == ["牵头", "牵头", "配合"]
    assert list(tasks["本单位报送状态"]) == ["滞后", "序时推进", "已完成"]
    assert list(tasks["任务完成状态"]) == ["滞后", "序时推进", "已完成"]
    assert tasks["存在问题"].iloc[0] == "人手不足"
    assert list(record["报送情况"][:5]) == ["漏报", "漏报", "迟报", "漏报", "未到期"]
    assert record["迟报天数"].iloc[2] == "5 天" and record["迟报天数"].iloc[0] == ""
    assert (record["截止时间"].iloc[2], record["首次报送"].iloc[2]) == ("2023-04-05 23:59", "2023-04-10 11:00")
    assert record["首次报送"].iloc[0] == ""
    assert record["报送次数"].iloc[2] == 1
    assert town.set_index("序号").loc[27, "本单位报送状态"] == "滞后"
    assert town.set_index("序号").loc[27, "任务完成状态"] == "未报送"  # 区农业农村局 leads 27


def test_task_timeline_and_reports(scenario) -> None:
    with read_session() as session:
        detail = task_detail.task_detail(session, 25, 2023)
        assert detail is not None
        timeline = task_detail.task_timeline(session, detail.id, 2023)
        reports = task_detail.task_reports(session, detail.id, 2023)
        assert task_detail.task_detail(session, 999, 2023) is None
    assert (detail.lead_leader, detail.lead_units) == ("黄劼", [FINANCE])
    assert list(timeline["完成状态"][:4]) == ["未报送", "序时推进", "序时推进", "未报送"]
    assert list(timeline["进度"][1:3]) == [50, 40]
    assert len(timeline) == 12
    assert list(reports["月份"]) == ["2023-03", "2023-02"]
    assert list(reports["本月工作进展"]) == ["更正后（任务25）", "按计划推进（任务25）"]


def test_a_period_without_reports_is_all_not_reported(scenario) -> None:
    with read_session() as session:
        may = dashboards.overview(session, "2023-05", AS_OF)
        january = dashboards.overview(session, "2023-01", AS_OF)
        assert dashboards.periods_with_data(session) == ["2023-02", "2023-03"]
    assert may.submissions == 0
    assert may.counts["未报送"] == 125 and may.behind_schedule == 0
    assert january.previous_rate is None and january.on_time_change is None
