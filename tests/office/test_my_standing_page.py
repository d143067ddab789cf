"""本单位情况 through AppTest, signed in as 区财政局 on the known month (see conftest): its record,
its deductions with each item in words, an appeal it files itself and the office decides."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from accounts.access import SYSTEM
from core import clock
from db.engine import write_session
from office.deductions import key_text
from registry.units_admin import add_unit
from tests.conftest import ROOT
from tests.office.conftest import AS_OF

UNIT = "区财政局"


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: AS_OF)


def _page(name: str, login_as, role: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at, role, unit=UNIT)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{name}")
    return _ok(at.run())


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _frame(at: AppTest, *columns: str):
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("missing:2023-09", "2023年9月 漏报"),
        ("late:2023-03", "2023年3月 迟报"),
        ("lagging:2023-12:17", "2023年12月 第17项 年末滞后"),
        ("missing:2023-13", "missing:2023-13"),
        ("other:2023-03", "other:2023-03"),
        ("lagging:2023-12:x", "lagging:2023-12:x"),
    ],
)
def test_a_deduction_key_in_words(key: str, words: str) -> None:
    assert key_text(key) == words


def test_my_standing_shows_the_record_and_deductions_and_takes_an_appeal(known, login_as) -> None:
    at = _page("my_standing.py", login_as, "unit")
    assert at.header[0].value == "本单位情况"
    record = _frame(at, "月份", "报送情况", "报送次数").set_index("月份")
    assert record.loc["2023-01", "报送情况"] == "漏报" and record.loc["2023-03", "报送情况"] == "迟报"
    assert record.loc["2023-03", "迟报天数"] == "3 天" and record.loc["2023-03", "报送次数"] == 1
    assert record.loc["2023-05", "报送情况"] == "未到期"
    assert "按时 0 个月，迟报 1 个月，漏报 2 个月，免报 0 个月" in at.caption[0].value
    items = _frame(at, "扣分项", "事由")
    assert list(items["扣分项"]) == ["2023年1月 漏报", "2023年2月 漏报", "2023年3月 迟报"]
    assert not any("missing:" in str(value) for value in items.to_numpy().ravel())
    assert "“推进工作落实”实扣 **1.1** 分" in next(m.value for m in at.markdown if "实扣" in m.value)

    at.selectbox(key="appeal_item").select("late:2023-03")
    at.text_area(key="appeal_reason").input("网络故障，已于截止前报送纸质件")
    at.button(key="FormSubmitter:file_appeal-登记申诉").click().run()
    _ok(at)
    assert at.success[0].value == f"已登记{UNIT}的申诉，待督查室决定。"
    mine = _frame(at, "扣分项", "申诉理由")
    assert mine.iloc[0].to_dict() | {"提出时间": ""} == {
        "扣分项": "2023年3月 迟报",
        "申诉理由": "网络故障，已于截止前报送纸质件",
        "提出人": UNIT,
        "提出时间": "",
        "决定": "申诉中",
        "决定时间": "",
        "说明": "",
    }
    assert at.selectbox(key="appeal_item").options == [
        "2023年1月 漏报：2023年1月月报截止时未报送（扣 0.5 分）",
        "2023年2月 漏报：2023年2月月报截止时未报送（扣 0.5 分）",
    ]
    assert not any("2023年3月 迟报" in o for o in at.selectbox(key="appeal_item").options)

    office = _page("deductions.py", login_as, "admin", unit=UNIT)
    appeals = _frame(office, "申诉理由", "决定")
    assert list(appeals["扣分"]) == ["2023年3月 迟报"]
    assert office.selectbox(key="decide_choice").options == [
        f"{UNIT}：2023年3月 迟报（网络故障，已于截止前报送纸质件）"
    ]
    office.radio(key="decide_decision").set_value("核减")
    office.text_input(key="decide_note").input("情况属实")
    office.button(key="FormSubmitter:decide_appeal-确认决定").click().run()
    _ok(office)

    at.run()
    _ok(at)
    decided = _frame(at, "扣分项", "申诉理由").iloc[0]
    assert (decided["决定"], decided["说明"]) == ("核减", "情况属实")
    items = _frame(at, "扣分项", "事由").set_index("扣分项")
    assert items.loc["2023年3月 迟报", "实扣"] == 0 and items.loc["2023年3月 迟报", "决定说明"] == "情况属实"
    assert "“推进工作落实”实扣 **1** 分" in next(m.value for m in at.markdown if "实扣" in m.value)


def test_a_unit_without_tasks_is_told_so(loaded, login_as) -> None:
    with write_session() as session:
        add_unit(session, actor=SYSTEM, name="区新设中心", kind="部门")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at, "unit", unit="区新设中心")
    at.switch_page("pages/my_standing.py")
    _ok(at.run())
    assert [i.value for i in at.info] == ["区新设中心在 2023 年没有需要报送的任务，也没有扣分。"]
    assert not at.dataframe


def test_my_standing_gathers_returns_plan_and_inspection_items(known, login_as) -> None:
    from core.vocab import ReviewState
    from office.review import review

    with write_session() as session:
        review(session, actor=SYSTEM, unit=UNIT, period="2023-03", decision=ReviewState.RETURNED, reason="请补充数据")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    login_as(at, "unit", unit=UNIT)
    at.switch_page("pages/my_standing.py")
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error if "被督查室退回" in e.value and "请补充数据" in e.value]
    assert any(m.value.startswith("**2023 年节点计划**") and "未报送" in m.value for m in at.markdown)
    assert [s.value for s in at.subheader][-1] == "督查督导与领导批示"
    assert any("督查发现问题（0 个，逾期 0 个）" in m.value for m in at.markdown)
