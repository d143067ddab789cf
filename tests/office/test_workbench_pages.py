"""报送情况, 考核扣分 and 督查通报 through AppTest, signed in as the office, on the known month."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from core import clock
from db.engine import read_session
from office.deductions import rules
from office.exemptions import exemptions
from tests.conftest import ROOT
from tests.office.conftest import AS_OF, unit_id


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: AS_OF)


def _page(name: str, login_as, role: str = "admin", **params: str | list[str]) -> AppTest:
    """Open ``pages/name`` through app.py (its links need the page list), ``params`` in the URL."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at, role)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{name}")
    return at.run()


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _frame(at: AppTest, *columns: str):
    """The first table with these columns (tables carry no key)."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def _status(at: AppTest):
    return _frame(at, "报送状态")


def _units(at: AppTest) -> list[str]:
    return list(_status(at)["单位"])


def test_status_page_filters_kept_in_the_url(known, login_as) -> None:
    at = _ok(_page("reporting_status.py", login_as, status=["late", "exempt", "<bad>"], kind="乡镇"))
    assert at.selectbox(key="period").value == "2023-03"  # default: the month being collected
    assert at.query_params["period"] == "2023-03"
    assert [(link.proto.label, link.proto.query_string) for link in at.main.get("page_link")] == [
        ("本月督查通报 →", "year=2023&period=2023-03")
    ]
    assert _units(at) == ["潜口镇"]
    rates, ytd = (d.value.set_index("范围") for d in at.dataframe[:2])
    assert list(rates.loc["全部", ["应报", "已报", "按时报"]]) == [64, 5, 3]
    assert rates.loc["全部", "报送率"] == 7.8
    assert list(ytd.loc["全部", ["应报", "已报", "按时报"]]) == [194, 5, 3]

    at.selectbox(key="url_kind").select("全部").run()
    assert sorted(_units(at)) == ["区商务局", "区财政局", "潜口镇"]
    assert at.query_params["status"] == ["late", "exempt"] and "kind" not in at.query_params
    at.text_input(key="url_q").input("财政").run()
    assert _units(at) == ["区财政局"] and at.query_params["q"] == "财政"

    at = _ok(_page("reporting_status.py", login_as, leader="王曙辉", status="on_time"))
    assert sorted(_units(at)) == ["区发改委", "岩寺镇"]
    at = _ok(_page("reporting_status.py", login_as, category="主要预期目标", status="late"))
    assert _units(at) == ["区财政局"]


def test_status_page_chase_list_and_heatmap(known, login_as) -> None:
    at = _ok(_page("reporting_status.py", login_as, sort="按记录从差到好"))
    chase = at.code[0].value
    assert chase.startswith("2023年3月月报截止时间为2023年4月5日，以下 59 个单位尚未报送")
    assert "区审计局（漏报）" in chase and "区财政局" not in chase
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载催报名单（Excel）" in labels
    assert labels.count("下载 Excel") == 4  # the two rate tables, the units' status, the exemptions
    assert at.get("plotly_chart")[0].key == "lateness_heatmap"


def test_status_page_exemption_and_paper_copy(known, login_as) -> None:
    at = _page("reporting_status.py", login_as)
    audit_office = unit_id("区审计局")
    at.selectbox(key="exempt_unit").select(audit_office)
    at.button(key="FormSubmitter:grant_exemption-批准免报").click().run()
    assert [e.value for e in at.error] == ["请填写免报理由，例如“机构调整，本月无工作进展”"]
    assert not at.exception

    at.selectbox(key="exempt_unit").select(audit_office)
    at.text_input(key="exempt_reason").input("系统故障")
    at.button(key="FormSubmitter:grant_exemption-批准免报").click().run()
    _ok(at)
    assert at.success[0].value == "已批准区审计局2023-03免报。"
    table = _status(at).set_index("单位")
    assert table.loc["区审计局", "报送状态"] == "免报" and table.loc["区审计局", "免报理由"] == "系统故障"

    at.selectbox(key="paper_unit").select(audit_office)
    at.date_input(key="paper_date").set_value(date(2023, 4, 10))
    at.button(key="FormSubmitter:paper_copy-登记收到纸质件").click().run()
    _ok(at)
    assert at.success[0].value == "已登记区审计局纸质件（2023-04-10收到）。"
    assert _status(at).set_index("单位").loc["区审计局", "纸质件"] == "2023-04-10"

    at.selectbox(key="revoke_choice").select(next(e.id for e in _exemptions() if e.unit == "区审计局"))
    at.button(key="revoke_submit").click().run()
    _ok(at)
    assert _status(at).set_index("单位").loc["区审计局", "报送状态"] == "漏报"


def _exemptions():
    with read_session() as session:
        return exemptions(session, "2023-03")


def test_deductions_page_rules_ledger_and_appeals(known, login_as) -> None:
    at = _ok(_page("deductions.py", login_as, unit="区财政局"))
    summary = _frame(at, "实扣", "类别").set_index("单位")
    assert summary.loc["区财政局", "实扣"] == pytest.approx(1.1) and summary.loc["区商务局", "实扣"] == 1.0
    assert "区发改委" in summary.index  # January and February missing
    items = _frame(at, "事项", "事由")
    assert list(items["事项"]) == ["漏报", "漏报", "迟报"]

    at.selectbox(key="appeal_item").select("late:2023-03")
    at.text_area(key="appeal_reason").input("网络故障")
    at.button(key="FormSubmitter:file_appeal-登记申诉").click().run()
    _ok(at)
    assert at.success[0].value == "已登记区财政局的申诉，待督查室决定。"
    at.radio(key="decide_decision").set_value("核减")
    at.button(key="FormSubmitter:decide_appeal-确认决定").click().run()
    _ok(at)
    assert at.success[0].value == "已决定：区财政局的申诉核减。"
    summary = _frame(at, "实扣", "类别").set_index("单位")
    assert summary.loc["区财政局", "实扣"] == pytest.approx(1.0) and summary.loc["区财政局", "核减"] == pytest.approx(
        0.1
    )

    at.number_input(key="rule_missing").set_value(1.0)
    at.button(key="FormSubmitter:deduction_rules-保存扣分标准").click().run()
    _ok(at)
    assert _frame(at, "实扣", "类别").set_index("单位").loc["区财政局", "实扣"] == pytest.approx(2.0)
    at.button(key="FormSubmitter:deduction_rules-恢复默认标准").click().run()
    _ok(at)
    with read_session() as session:
        assert rules(session).missing == 0.5
    assert at.get("download_button")[0].proto.label == "导出扣分台账（Excel）"


def test_bulletin_page_numbers_and_downloads(known, login_as) -> None:
    at = _ok(_page("bulletin.py", login_as, period="2023-03"))
    assert "关于2023年3月《政府工作报告》重点任务推进情况的通报" in at.markdown[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["滞后"] == "1" and metrics["未报送"] == "109" and metrics["迟报单位"] == "2"
    assert metrics["漏报单位"] == "59"
    assert list(_frame(at, "序号", "存在问题")["序号"]) == ["1"]  # the preview's table, as on the document
    assert [b.proto.label for b in at.get("download_button")] == [
        "签发并下载（第1期）",
        "下载送审稿（Word）",
        "下载重点任务台账（Excel）",
    ]
    assert [(link.proto.label, link.proto.query_string) for link in at.main.get("page_link")] == [
        ("← 本月报送情况", "year=2023&period=2023-03")
    ]


@pytest.mark.parametrize("page", ["reporting_status.py", "deductions.py", "bulletin.py"])
def test_office_pages_refuse_other_roles(loaded, login_as, page) -> None:
    at = _page(page, login_as, role="unit")
    assert not at.exception
    assert [e.value for e in at.error] == ["无权访问：当前账号不能查看此页面。"]
