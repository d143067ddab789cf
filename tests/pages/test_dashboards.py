"""The dashboard pages through AppTest, on the hand-worked scenario (tests/dashboard/scenario.py)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from core import clock
from db import queries
from db.engine import read_session
from tests.conftest import figures
from tests.factories import add_submission
from tests.status.scenario import BUSINESS, CATEGORY_FIVE, TOWN, load_scenario
from ui import dashboard as dashboard_ui
from ui.charts import OWN_TASK_BACKGROUND
from ui.dashboard import OWN_TASKS_NOTE

APP = str(Path(__file__).resolve().parents[2] / "app.py")
OVERVIEW = "pages/overview.py"
BY_CATEGORY = "pages/by_category.py"
BY_LEADER = "pages/by_leader.py"
BY_UNIT = "pages/by_unit.py"
TASK_DETAIL = "pages/task_detail.py"


# After the March deadline: the dashboards open on March, the month being judged.
NOW = datetime(2023, 4, 20, 9)


@pytest.fixture
def open_page(loaded, login_as, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)

    def _open(page: str | None, role: str = "admin", *, account: str = "", **params: str):
        """Open ``page`` (None: the home page) signed in as ``role``; ``account`` names the unit
        or leader of a unit or leader account; ``params`` go into the URL."""
        at = AppTest.from_file(APP, default_timeout=60)
        login_as(at, role, **({role: account} if account else {}))
        for key, value in params.items():
            at.query_params[key] = value
        if page:
            at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
        return at

    return _open


@pytest.fixture
def scenario(loaded) -> None:
    load_scenario()


def _metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def _chart(at: AppTest, index: int) -> dict[str, dict]:
    spec = json.loads(at.get("plotly_chart")[index].proto.spec)
    return {trace["name"]: trace for trace in spec["data"]}


def _table(at: AppTest, key: str | int):
    """A table by the key of a task table (rows open the task) or by position."""
    if isinstance(key, int):
        return at.dataframe[key].value
    tables = [t for t in at.dataframe if t.proto.id.endswith(key)]
    assert len(tables) == 1, [t.proto.id for t in at.dataframe]
    return tables[0].value


def test_overview_is_the_home_page_and_opens_on_the_month_being_judged(scenario, open_page) -> None:
    at = open_page(None)
    assert at.header[0].value == "总览"
    assert at.query_params["period"] == "2023-03"
    metrics = _metrics(at)
    assert metrics["任务总数"][0] == "125"
    assert metrics["已完成"] == ("2", "占 1.6%")
    assert metrics["序时推进"] == ("7", "占 5.6%")
    assert metrics["滞后"] == ("1", "占 0.8%")
    assert metrics["未启动"] == ("1", "占 0.8%")
    assert metrics["未报送"] == ("114", "占 91.2%")
    assert metrics["已办结"] == ("0", "占 0.0%")
    assert metrics["按时报送率"] == ("3.1%", "+1.5 个百分点（较上月）")  # 2/65 against 1/65
    # Lights: green the 2 done and the 6 序时推进 within the margin of 序时进度 (25, 55, 65, 66, 68,
    # 124); yellow 35 (10) and 51 (未启动 0), behind by more than 10 points, and the 114 未报送;
    # red 56, reported 滞后. No task has a plan: every page says 按序时.
    assert (metrics["绿灯"], metrics["黄灯"], metrics["红灯"]) == (
        ("8", "占 6.4%"),
        ("116", "占 92.8%"),
        ("1", "占 0.8%"),
    )
    assert any("尚无任务有确认的节点计划" in c.value for c in at.caption)

    by_category = _chart(at, 0)
    assert list(by_category) == ["已完成", "已办结", "序时推进", "滞后", "未启动", "未报送"]
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert layout["yaxis"]["automargin"] is True  # long category names are never cut
    assert by_category["已完成"]["marker"]["color"] == "#2E7D32"
    assert by_category["未报送"]["marker"]["color"] == "#F9A825"
    assert by_category["序时推进"]["y"][:6] == [
        "主要预期目标",
        "（一）抓转型、促升级",
        "（二）抓三农、促振兴",
        "（三）抓文旅、促融合",
        "（四）抓项目、促投资",
        "（五）抓创新、促改革",
    ]
    assert by_category["序时推进"]["x"] == [0, 1, 1, 0, 1, 3, 0, 0, 0, 1]
    assert by_category["未报送"]["x"] == [8, 16, 9, 10, 7, 8, 18, 10, 20, 8]
    by_leader = _chart(at, 1)
    assert by_leader["序时推进"]["y"][0] == "黄劼"
    assert by_leader["序时推进"]["x"][0] == 6
    assert by_leader["已完成"]["x"][0] == 2

    behind = _table(at, "overview_behind")
    assert list(behind["序号"]) == [35, 51, 56]
    assert list(behind["牵头单位"]) == ["区财政局", "区财政局", BUSINESS]
    assert at.subheader[0].value == "滞后与欠进度任务（3 项）"
    links = {link.proto.label: link.proto.query_string for link in at.main.get("page_link")}
    assert links["按分类查看 →"] == "year=2023&period=2023-03"


def test_a_leader_gets_a_link_to_their_own_tasks(scenario, open_page) -> None:
    at = open_page(None, role="leader", account="何建中")
    links = {link.proto.label: link.proto.query_string for link in at.main.get("page_link")}
    assert links["我负责的任务（何建中）→"] == "year=2023&period=2023-03&leader=%E4%BD%95%E5%BB%BA%E4%B8%AD"
    assert not any("我负责" in label for label in {link.proto.label for link in open_page(None).main.get("page_link")})


def test_period_in_the_url_selects_the_month(scenario, open_page) -> None:
    at = open_page(OVERVIEW, period="2023-02")
    metrics = _metrics(at)
    assert metrics["序时推进"][0] == "8"
    assert metrics["未报送"][0] == "117"
    assert metrics["按时报送率"] == ("1.5%", "+1.5 个百分点（较上月）")  # 1/65 against 0/65 in January
    assert not at.success  # 117 tasks without a report: nothing to celebrate
    assert "已报送的任务中没有滞后或欠进度的；另有 117 项任务的牵头单位未报送。" in [i.value for i in at.info]

    at = open_page(OVERVIEW, period="2099-01")
    assert at.query_params["period"] == "2023-03"
    assert _metrics(at)["已完成"][0] == "2"


@pytest.mark.parametrize("page", [OVERVIEW, BY_CATEGORY, BY_LEADER, BY_UNIT])
def test_a_month_without_reports_says_so(scenario, open_page, page) -> None:
    at = open_page(page, period="2023-05")
    assert any("2023-05 还没有任何单位报送" in info.value for info in at.info)
    assert not at.metric
    assert not at.get("plotly_chart")


def test_no_reports_at_all(open_page) -> None:
    at = open_page(OVERVIEW)
    assert at.query_params["period"] == "2023-03"  # judged, though nobody reported
    assert "还没有任何单位报送" in at.info[0].value


def test_choosing_a_behind_task_opens_its_detail_with_the_period(scenario, open_page) -> None:
    at = open_page(OVERVIEW)
    at.session_state["overview_behind"] = {"selection": {"rows": [2], "columns": []}}
    at.run()
    assert at.header[0].value == "任务详情"
    assert at.query_params["task"] == "56" and at.query_params["period"] == "2023-03"
    assert at.subheader[0].value.startswith("第 56 项")


def test_by_category(scenario, open_page) -> None:
    at = open_page(BY_CATEGORY, category=CATEGORY_FIVE)
    assert at.selectbox(key="by_category_category").value == CATEGORY_FIVE
    table = _table(at, "by_category_tasks").set_index("序号")
    assert list(table.index) == list(range(56, 69))
    assert table.loc[56, "完成状态"] == "滞后" and table.loc[56, "欠进度"]
    assert table.loc[65, "进度"] == 60
    assert table.loc[67, "完成状态"] == "已完成" and table.loc[67, "配合单位报送"] == "已完成1"
    assert (table["完成状态"] == "未报送").sum() == 8
    assert "共 13 项：已完成 1 项，序时推进 3 项，滞后 1 项，未报送 8 项" in at.caption[0].value
    trend = _chart(at, 0)
    assert trend["未报送"]["x"] == ["2023-01", "2023-02", "2023-03"]
    assert trend["未报送"]["y"] == [13, 11, 8]
    assert trend["序时推进"]["y"] == [0, 2, 3]

    at.selectbox(key="by_category_category").select("主要预期目标").run()
    assert at.query_params["category"] == "主要预期目标"
    assert list(_table(at, "by_category_tasks")["序号"]) == list(range(1, 10))


def test_by_leader(scenario, open_page) -> None:
    at = open_page(BY_LEADER, leader="何建中")
    leading = _table(at, "by_leader_leading")
    assisting = _table(at, "by_leader_assisting")
    assert len(leading) == 24 and len(assisting) == 18
    assert list(_table(at, "by_leader_behind")["序号"]) == [35]
    mix = _chart(at, 0)
    assert mix["序时推进"]["y"] == ["▲ 牵头", "协助"]
    assert mix["序时推进"]["x"] == [1, 0]
    assert mix["已完成"]["x"] == [0, 1]
    assert mix["未报送"]["x"] == [23, 17]

    own = open_page(BY_LEADER, role="leader", account="程丽群")
    assert own.query_params["leader"] == "程丽群"
    assert list(_table(own, "by_leader_behind")["序号"]) == [51]


def test_by_unit(scenario, open_page) -> None:
    at = open_page(BY_UNIT, unit=BUSINESS)
    record = _table(at, 0)
    assert list(record["报送情况"][:3]) == ["漏报", "漏报", "迟报"]
    assert record["迟报天数"].iloc[2] == "5 天"
    tasks = _table(at, "by_unit_tasks")
    assert list(tasks["序号"]) == [56, 65, 67]
    assert list(tasks["本单位报送状态"]) == ["滞后", "序时推进", "已完成"]


def test_a_unit_account_sees_only_its_own_unit(scenario, open_page) -> None:
    at = open_page(BY_UNIT, role="unit", account="岩寺镇", unit=BUSINESS)
    assert at.selectbox(key="by_unit_unit").options == ["岩寺镇"]
    assert at.query_params["unit"] == "岩寺镇"
    assert 27 in set(_table(at, "by_unit_tasks")["序号"])


def test_a_long_registry_chooses_the_task_by_number(scenario, open_page, monkeypatch) -> None:
    monkeypatch.setattr(dashboard_ui, "MAX_LISTED_TASKS", 100)
    at = open_page(TASK_DETAIL, task="56", period="2023-03")
    assert [box.key for box in at.selectbox] == ["period"]
    assert at.number_input(key="task_detail_task").value == 56
    at.number_input(key="task_detail_task").set_value(65).run()
    assert at.query_params["task"] == "65"
    assert at.subheader[0].value.startswith("第 65 项")


def test_task_detail(scenario, open_page) -> None:
    at = open_page(TASK_DETAIL, task="25", period="2023-03")
    assert at.subheader[0].value == "第 25 项 · （一）抓转型、促升级，让工业脊梁更加挺拔"
    shown = figures(at)
    assert shown["2023-03 完成状态"] == "序时推进"
    assert shown["报送进度"] == "40%"
    assert shown["应达进度（按序时）"] == "25.0%"
    assert shown["红黄绿灯"] == "绿灯"
    months = _table(at, 0)
    assert list(months["完成状态"][:4]) == ["未报送", "序时推进", "序时推进", "未报送"]
    reports = _table(at, 1)
    assert list(reports["月份"]) == ["2023-03", "2023-02"]
    assert list(reports["单位"]) == ["区财政局", "区财政局"]
    line = _chart(at, 0)
    assert line["报送进度"]["x"] == ["2023-02", "2023-03"]
    assert line["报送进度"]["y"] == [50, 40]
    links = {link.proto.label: link.proto.query_string for link in at.main.get("page_link")}
    assert links["黄劼 负责的任务 →"] == "year=2023&period=2023-03&leader=%E9%BB%84%E5%8A%BC"
    assert links["区财政局 的报送 →"].startswith("year=2023&period=2023-03&unit=")
    group_led = open_page(TASK_DETAIL, task="67", period="2023-03")
    assert not any(link.proto.label.endswith("的报送 →") for link in group_led.main.get("page_link"))
    assert figures(group_led)["2023-03 完成状态"] == "已完成"


def test_an_early_upload_for_next_month_does_not_move_the_leaders_view(scenario, open_page) -> None:
    """One unit already reports April on 20 April: the dashboards stay on March, being judged,
    and April, when chosen, says it is still being reported rather than celebrating."""
    add_submission(TOWN, "2023-04", datetime(2023, 4, 19, 9))
    at = open_page(OVERVIEW)
    assert at.query_params["period"] == "2023-03"
    assert not any("报送进行中" in i.value for i in at.info)

    at = open_page(OVERVIEW, period="2023-04")
    assert at.info[0].value.startswith("2023-04 报送进行中（截止 2023-05-05 23:59）：已报 1 / 应报 65 家。")
    assert not at.success
    for page in (BY_CATEGORY, BY_LEADER, BY_UNIT, TASK_DETAIL):
        assert any(i.value.startswith("2023-04 报送进行中") for i in open_page(page, period="2023-04").info), page


def test_a_fall_in_the_on_time_rate_is_a_red_arrow_down(scenario, open_page, monkeypatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2023, 5, 20, 9))  # April judged
    add_submission(TOWN, "2023-04", datetime(2023, 5, 10, 9))  # the only April report, late
    at = open_page(OVERVIEW)
    assert at.query_params["period"] == "2023-04"
    rate = next(m for m in at.metric if m.label == "按时报送率")
    assert (rate.value, rate.delta) == ("0.0%", "-3.1 个百分点（较上月）")
    assert (rate.proto.direction, rate.proto.color) == (Metric.MetricDirection.DOWN, Metric.MetricColor.RED)

    at = open_page(OVERVIEW, period="2023-03")
    rate = next(m for m in at.metric if m.label == "按时报送率")
    assert (rate.proto.direction, rate.proto.color) == (Metric.MetricDirection.UP, Metric.MetricColor.GREEN)


def _highlighted_rows(at: AppTest, key: str) -> list[int]:
    """The 序号 of the rows a task table shows on the own-task colour (from its style sheet)."""
    table = next(t for t in at.dataframe if t.proto.id.endswith(key))
    styles = table.proto.arrow_data.styler.styles
    frame = table.value
    return [int(no) for i, no in enumerate(frame["序号"]) if OWN_TASK_BACKGROUND.lower() in _row_css(styles, i)]


def _row_css(styles: str, row: int) -> str:
    return " ".join(part for part in styles.lower().split("}") if f"_row{row}_" in part)


def test_a_leaders_own_tasks_are_highlighted_in_every_task_table(scenario, open_page) -> None:
    """何建中 leads or assists task 56 of the overview's behind list; the office sees no highlight,
    nor does a leader on their own 按领导 page, where every task is theirs."""
    at = open_page(OVERVIEW, role="leader", account="何建中")
    assert OWN_TASKS_NOTE in [c.value for c in at.caption]
    with read_session() as session:
        his = {t.no for t in queries.tasks(session, 2023) if "何建中" in t.leaders}
    own = sorted(set(_table(at, "overview_behind")["序号"]) & his)
    assert own and _highlighted_rows(at, "overview_behind") == own

    office = open_page(OVERVIEW)
    assert OWN_TASKS_NOTE not in [c.value for c in office.caption]
    assert _highlighted_rows(office, "overview_behind") == []

    mine = open_page(BY_LEADER, role="leader", account="何建中")
    assert OWN_TASKS_NOTE not in [c.value for c in mine.caption]

    listed = open_page("pages/tasks.py", role="leader", account="何建中")
    assert OWN_TASKS_NOTE in [c.value for c in listed.caption]
