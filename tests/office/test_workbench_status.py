"""报送情况 on the known month: rows, every filter, rates, the grid, the chase list, exemptions
and paper copies."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select

from accounts.access import AccessDenied, Actor
from accounts.audit import entries
from core.period import Month
from cycle.periods import get_period
from db.engine import read_session, write_session
from db.models import Period, Submission
from office.exemptions import ExemptionError, exemptions, grant_exemption, revoke_exemption
from office.paper import PaperCopyError, clear_paper_copy, record_paper_copy
from office.workbench import (
    Filters,
    apply_filters,
    chase_list,
    chase_text,
    current_period,
    lateness_grid,
    rate_summary,
    status_rows,
)
from status.rates import Rate
from tests.office.conftest import AS_OF, EXEMPT, LATE, OBLIGED, ON_TIME, unit_id

OFFICE = Actor("督查室", "admin")
TOWNS = {"岩寺镇", "西溪南镇", "潜口镇", "呈坎镇", "富溪乡", "杨村乡", "洽舍乡"}


def _rows(code: str = "2023-03", as_of: datetime = AS_OF):
    with read_session() as session:
        return status_rows(session, get_period(session, code), as_of)


def _units(filters: Filters, code: str = "2023-03") -> set[str]:
    with read_session() as session:
        return {r.unit for r in apply_filters(session, _rows(code), 2023, filters)}


def test_one_row_per_obliged_unit_with_the_evidence(known) -> None:
    rows = {r.unit: r for r in _rows()}
    assert len(rows) == OBLIGED
    fgw = rows["区发改委"]
    assert (fgw.status, fgw.first_received, fgw.days_late, fgw.versions) == (
        "on_time",
        datetime(2023, 4, 3, 10),
        0,
        2,
    )
    assert fgw.last_uploader == "督查室" and fgw.deduction == 0
    assert fgw.due == datetime(2023, 4, 5, 23, 59, 59, 999999)
    czj = rows["区财政局"]
    assert (czj.label, czj.days_late, czj.paper_received_on, czj.deduction) == ("迟报", 3, date(2023, 4, 12), 0.1)
    assert (rows["区审计局"].label, rows["区审计局"].rejected, rows["区审计局"].deduction) == ("漏报", 1, 0.5)
    assert (rows["区商务局"].label, rows["区商务局"].exemption_reason, rows["区商务局"].deduction) == (
        "免报",
        "机构调整",
        0,
    )
    # Versions received after the moment of judgement do not count yet.
    early = {r.unit: r for r in _rows(as_of=datetime(2023, 4, 4))}
    assert early["区发改委"].versions == 1 and early["区发改委"].last_uploader == "发改委-王五"
    assert early["区审计局"].status == "not_due" and early["区审计局"].rejected == 0


def test_lateness_filters(known) -> None:
    everyone = {r.unit for r in _rows()}
    assert _units(Filters(frozenset({"on_time"}))) == ON_TIME
    assert _units(Filters(frozenset({"late"}))) == LATE
    assert _units(Filters(frozenset({"exempt"}))) == EXEMPT
    assert _units(Filters(frozenset({"missing"}))) == everyone - ON_TIME - LATE - EXEMPT
    assert len(everyone - ON_TIME - LATE - EXEMPT) == 59
    assert _units(Filters(frozenset({"late", "exempt"}))) == LATE | EXEMPT
    assert _units(Filters(frozenset({"not_due"}))) == set()
    assert _units(Filters(frozenset({"not_due"})), "2023-04") == everyone - {"岩寺镇"}
    assert _units(Filters(frozenset({"on_time"})), "2023-04") == {"岩寺镇"}


def test_kind_category_leader_and_search_filters(known) -> None:
    assert _units(Filters(kind="乡镇")) == TOWNS
    assert _units(Filters(kind="国企")) == {"区国投集团", "区开投公司", "区城投公司", "区浪漫红文旅集团"}
    assert _units(Filters(frozenset({"late"}), kind="乡镇")) == {"潜口镇"}
    # Tasks 1–9 (主要预期目标) name these seven units.
    main_targets = {"区人社局", "区农业农村局", "区发改委", "区商务局", "区文旅体局", "区科技经信局", "区财政局"}
    assert _units(Filters(category="主要预期目标")) == main_targets
    assert _units(Filters(frozenset({"late"}), category="主要预期目标")) == {"区财政局"}
    # （九）: 各地各单位 has no members yet, so it obliges nobody.
    nine = {"区司法局", "区审计局", "区政府办", "区数据资源局", "区纪委监委", "区财政局"}
    assert _units(Filters(category="（九）加强政府自身建设")) == nine
    # 王曙辉's nine tasks name these units; 各乡镇 brings in the seven towns.
    wang = {
        "区人武部",
        "区信访局",
        "区公安局",
        "区发改委",
        "区司法局",
        "区城管局",
        "区委政法委",
        "区应急管理局",
        "区房地产事务中心",
        "区政府办",
        "区数据资源局",
        "区退役军人事务局",
        "社区办",
    } | TOWNS
    assert _units(Filters(leader="王曙辉")) == wang
    assert _units(Filters(frozenset({"on_time"}), leader="王曙辉")) == {"区发改委", "岩寺镇"}
    assert _units(Filters(search="市监")) == {"区市场监管局"}  # by its alias 区市监局
    assert _units(Filters(search="镇")) == {"岩寺镇", "西溪南镇", "潜口镇", "呈坎镇"}
    assert _units(Filters(search="财政 局")) == {"区财政局"}
    assert _units(Filters(search="不存在的单位")) == set()


def test_rates_for_the_period_and_year_to_date(known) -> None:
    with read_session() as session:
        summary = rate_summary(session, get_period(session, "2023-03"), AS_OF)
    period = {line.scope: line.rate for line in summary.period}
    # 65 obliged, 1 exempt: 64 expected; 5 received, 3 of them on time.
    assert period == {
        "全部": Rate(64, 5, 3),
        "乡镇": Rate(7, 2, 1),
        "部门": Rate(53, 2, 1),
        "国企": Rate(4, 1, 1),
    }
    assert [line.scope for line in summary.period] == ["全部", "乡镇", "部门", "国企"]
    assert period["全部"].rate == pytest.approx(5 / 64) and period["全部"].on_time_rate == pytest.approx(3 / 64)
    ytd = {line.scope: line.rate for line in summary.year_to_date}
    # January and February: all 65 expected, none received.
    assert ytd["全部"] == Rate(65 * 2 + 64, 5, 3)
    assert ytd["乡镇"] == Rate(21, 2, 1) and ytd["国企"] == Rate(12, 1, 1)


def test_grid_sorted_by_worst_record(known) -> None:
    add_later = datetime(2023, 5, 20)
    with read_session() as session:
        grid = lateness_grid(session, 2023, add_later)
    assert grid.periods == [Month(2023, m).code for m in range(1, 13)]
    rows = {r.unit: r for r in grid.rows}
    assert rows["区财政局"].statuses[:5] == ["missing", "missing", "late", "missing", "not_due"]
    assert rows["区商务局"].statuses[2] == "exempt"
    assert rows["岩寺镇"].statuses[:4] == ["missing", "missing", "on_time", "on_time"]
    worst = grid.worst_first()
    # Four months missing beats three; among three missing, a late report (潜口镇 5 days) ranks
    # before 区财政局 (3 days), before those with no late report.
    assert worst[0].missing == 4 and worst[-1].unit == "岩寺镇"
    three = [r.unit for r in worst if r.missing == 3]
    assert three[:2] == ["潜口镇", "区财政局"]


def test_chase_list_with_contacts_from_the_last_report(known) -> None:
    yansi = unit_id("岩寺镇")
    with write_session() as session:
        april = session.exec(
            select(Submission).join(Period).where(Submission.unit_id == yansi, Period.code == "2023-04")
        ).one()
        april.filler, april.phone = "李雷", "0559-7654321"
    with read_session() as session:
        may = get_period(session, "2023-05")
        rows = chase_list(session, may, datetime(2023, 6, 3))
        assert current_period(session, datetime(2023, 6, 3)).code == "2023-05"
        assert current_period(session, datetime(2023, 1, 20)).code == "2023-01"
        march = chase_list(session, get_period(session, "2023-03"), AS_OF)
    assert {r.unit for r in march} == {r.unit for r in _rows()} - ON_TIME - LATE - EXEMPT
    assert {r.status for r in march} == {"missing"}
    by_unit = {r.unit: r for r in rows}
    assert len(rows) == OBLIGED and {r.status for r in rows} == {"not_due"}
    assert (by_unit["岩寺镇"].filler, by_unit["岩寺镇"].phone) == ("李雷", "0559-7654321")
    assert (by_unit["区发改委"].filler, by_unit["区发改委"].phone) == ("张三", "0559-1234567")
    assert by_unit["区审计局"].contact == "（无报送记录，暂无联系人）"
    text = chase_text(may, rows)
    assert text.startswith("2023年5月月报截止时间为2023年6月5日，以下 65 个单位尚未报送")
    assert "岩寺镇（未到期）　李雷　0559-7654321" in text


def test_exemption_grant_and_revoke(known) -> None:
    audit_id = unit_id("区审计局")
    with write_session() as session:
        granted = grant_exemption(session, OFFICE, audit_id, "2023-03", "  系统故障  ")
    assert (granted.reason, granted.granted_by, granted.active) == ("系统故障", "督查室", True)
    assert {r.unit: r.status for r in _rows()}["区审计局"] == "exempt"
    with pytest.raises(ExemptionError, match="已经免报"), write_session() as session:
        grant_exemption(session, OFFICE, audit_id, "2023-03", "再次")
    with write_session() as session:
        revoked = revoke_exemption(session, OFFICE, granted.id)
    assert revoked.revoked_by == "督查室" and not revoked.active
    assert {r.unit: r.status for r in _rows()}["区审计局"] == "missing"
    with pytest.raises(ExemptionError, match="已于"), write_session() as session:
        revoke_exemption(session, OFFICE, granted.id)
    with read_session() as session:
        listed = exemptions(session, "2023-03")
        actions = [e.action for e in entries(session, username="督查室")]
    assert [(e.unit, e.active) for e in listed] == [("区审计局", False), ("区商务局", True)]
    assert actions.count("exemption_granted") == 1 and actions.count("exemption_revoked") == 1


@pytest.mark.parametrize(
    ("unit", "period", "reason", "error", "message"),
    [
        ("区审计局", "2023-03", "  ", ExemptionError, "请填写免报理由"),
        ("区审计局", "2023-03", "很长" * 101, ExemptionError, "不能超过 200 字"),
        ("各地各单位", "2023-03", "无", ExemptionError, "没有需要报送的任务"),
        ("区审计局", "2023-13", "无", ValueError, "月份格式不正确"),
        ("区审计局", "2024-01", "无", ValueError, "没有 2024-01"),
    ],
)
def test_exemption_refused_with_a_message(known, unit, period, reason, error, message) -> None:
    target = unit_id(unit)
    with pytest.raises(error, match=message), write_session() as session:
        grant_exemption(session, OFFICE, target, period, reason)
    with read_session() as session:
        assert len(exemptions(session)) == 1


def test_only_the_office_changes_exemptions_and_paper_copies(known) -> None:
    unit_actor = Actor("审计局", "unit", unit_id=unit_id("区审计局"))
    with pytest.raises(AccessDenied), write_session() as session:
        grant_exemption(session, unit_actor, unit_actor.unit_id, "2023-03", "自己免报")
    with pytest.raises(AccessDenied), write_session() as session:
        record_paper_copy(session, unit_actor, unit_actor.unit_id, "2023-03", date(2023, 4, 10))


def test_paper_copy_ticked_corrected_and_cleared(known) -> None:
    audit_id = unit_id("区审计局")
    with write_session() as session:
        record_paper_copy(session, OFFICE, audit_id, "2023-03", date(2023, 4, 6))
    with write_session() as session:
        record_paper_copy(session, OFFICE, audit_id, "2023-03", datetime(2023, 4, 7, 15))
    assert {r.unit: r.paper_received_on for r in _rows()}["区审计局"] == date(2023, 4, 7)
    with pytest.raises(PaperCopyError, match="晚于今天"), write_session() as session:
        record_paper_copy(session, OFFICE, audit_id, "2023-03", date(2999, 1, 1))
    with pytest.raises(PaperCopyError, match="早于2023年3月"), write_session() as session:
        record_paper_copy(session, OFFICE, audit_id, "2023-03", date(2023, 2, 28))
    with write_session() as session:
        clear_paper_copy(session, OFFICE, audit_id, "2023-03")
    assert {r.unit: r.paper_received_on for r in _rows()}["区审计局"] is None
    with pytest.raises(PaperCopyError, match="尚未登记"), write_session() as session:
        clear_paper_copy(session, OFFICE, audit_id, "2023-03")
    with read_session() as session:
        assert [e.action for e in entries(session, action="paper_copy")].count("paper_copy") == 4
