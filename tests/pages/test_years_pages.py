"""Two years side by side, page by page: every page where a year matters shows the latest year
(2024) by default, 2023 with ``?year=2023`` or with only ``?period=2023-..``, its month pickers
list only that year's months, its figures are that year's (2024 has one task fewer and no
区税务局), a bad ``?year`` is ignored, and 2023 reads the same after 2024 is imported."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import clock
from db.engine import read_session
from db.queries import resolve_unit
from registry.loader import init_database
from registry.obligations import obligations
from registry.parser import ParsedRegistry
from tests.conftest import DROPPED_UNIT, NEXT_YEAR, figures, next_year_registry
from tests.factories import add_submission

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2024, 7, 1, 9)  # the month being collected: 2024-06
MONTHS = {year: [f"{year}-{m:02d}" for m in range(1, 13)] for year in (2023, NEXT_YEAR)}
LAST_TASK = 125  # the 2023 task that 2024 does not have

Open = Callable[..., AppTest]


def _report_both_years() -> None:
    add_submission("区发改委", "2023-05", datetime(2023, 6, 2, 10), {1: ("滞后", 20.0)})
    add_submission(DROPPED_UNIT, "2023-05", datetime(2023, 6, 9, 10))
    add_submission("区发改委", "2023-12", datetime(2024, 1, 3, 10), {1: ("滞后", 60.0)})  # 2023 as judged now
    add_submission("区发改委", "2024-05", datetime(2024, 6, 3, 10), {1: ("已完成", 100.0)})
    add_submission("岩寺镇", "2024-05", datetime(2024, 6, 20, 10))


@pytest.fixture
def open_page(login_as, monkeypatch: pytest.MonkeyPatch) -> Open:
    monkeypatch.setattr(clock, "now", lambda: NOW)

    def _open(page: str, role: str = "admin", **params: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        login_as(at, role)
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(f"pages/{page}")
        at.run()
        assert not at.exception, at.exception
        return at

    return _open


@pytest.fixture
def both(two_years: str) -> str:
    _report_both_years()
    return two_years


def _options(at: AppTest, key: str) -> list[str]:
    return list(at.selectbox(key=key).options)


def _year_shown(at: AppTest, year: int) -> None:
    """The page shows ``year``: the picker says so, the URL too, and the month picker (if any)
    lists exactly that year's months."""
    assert at.query_params["year"] == str(year)
    assert at.selectbox(key="year").value == year
    assert _options(at, "year") == ["2024年", "2023年"]
    months = [s for s in at.selectbox if s.key == "period"]
    if months:
        assert [option[:7] for option in months[0].options] == MONTHS[year]  # "2023-05（开放）"
        assert at.query_params["period"].startswith(f"{year}-")


def _table(at: AppTest, key: str):  # type: ignore[no-untyped-def]
    tables = [t for t in at.dataframe if t.proto.id.endswith(key)]
    assert len(tables) == 1, [t.proto.id for t in at.dataframe]
    return tables[0].value


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def _obliged(year: int) -> int:
    """How many units have tasks to report on in ``year``."""
    with read_session() as session:
        return len(obligations(session, year))


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# The ways of asking for a year: nothing (the latest), ?year, only ?period, and a bad ?year.
ASKED = [
    pytest.param({}, NEXT_YEAR, id="default"),
    pytest.param({"year": "2023"}, 2023, id="year"),
    pytest.param({"period": "2023-05"}, 2023, id="period-only"),
    pytest.param({"year": "1999"}, NEXT_YEAR, id="unknown-year"),
    pytest.param({"year": "20x3", "period": "2023-05"}, 2023, id="bad-year-then-period"),
    pytest.param({"year": "2024", "period": "2023-05"}, NEXT_YEAR, id="year-wins-over-period"),
]


# --- dashboards ---------------------------------------------------------------

# The month each year's dashboards open on at NOW: the latest whose deadline has passed.
JUDGED = {2023: "2023-12", NEXT_YEAR: "2024-05"}


def _judged_or_asked(params: dict[str, str], year: int) -> str:
    asked = params.get("period", "")
    return asked if asked.startswith(f"{year}-") else JUDGED[year]


@pytest.mark.parametrize(("params", "year"), ASKED)
def test_overview_is_scoped_to_the_year(both, open_page: Open, params: dict[str, str], year: int) -> None:
    at = open_page("overview.py", **params)
    _year_shown(at, year)
    month = _judged_or_asked(params, year)
    assert at.query_params["period"] == month
    metrics = _metrics(at)
    assert metrics["任务总数"] == ("125" if year == 2023 else "124")
    assert metrics["已完成"] == ("0" if year == 2023 else "1")
    links = {link.proto.label: link.proto.query_string for link in at.main.get("page_link")}
    assert links["按分类查看 →"] == f"year={year}&period={month}"


def test_choosing_a_year_shows_its_default_month(both, open_page: Open) -> None:
    at = open_page("overview.py", period="2024-03")
    at.selectbox(key="year").select(2023).run()
    assert not at.exception
    assert at.query_params["year"] == "2023"
    assert at.query_params["period"] == "2023-12"  # 2024-03 is not a month of 2023; December is judged
    assert _options(at, "period") == MONTHS[2023]
    assert _metrics(at)["任务总数"] == "125"


@pytest.mark.parametrize(("params", "year"), ASKED[:4])
def test_by_category_is_scoped_to_the_year(
    both, open_page: Open, registry: ParsedRegistry, params: dict[str, str], year: int
) -> None:
    last = registry.tasks[-1].category
    at = open_page("by_category.py", **params, category=last)
    _year_shown(at, year)
    tasks = _table(at, "by_category_tasks")
    in_2023 = [t.no for t in registry.tasks if t.category == last]
    assert list(tasks["序号"]) == (in_2023 if year == 2023 else in_2023[:-1])


@pytest.mark.parametrize(("params", "year"), ASKED[:4])
def test_by_leader_is_scoped_to_the_year(
    both, open_page: Open, registry: ParsedRegistry, params: dict[str, str], year: int
) -> None:
    leader = registry.tasks[-1].lead_leader
    at = open_page("by_leader.py", **params, leader=leader)
    _year_shown(at, year)
    assert at.selectbox(key="by_leader_leader").value == leader
    leading = list(_table(at, "by_leader_leading")["序号"])
    assert (LAST_TASK in leading) == (year == 2023)
    expected = [t.no for t in registry.tasks if t.lead_leader == leader]
    assert leading == (expected if year == 2023 else expected[:-1])


@pytest.mark.parametrize(("params", "year"), ASKED[:4])
def test_by_unit_is_scoped_to_the_year(both, open_page: Open, params: dict[str, str], year: int) -> None:
    at = open_page("by_unit.py", **params)
    _year_shown(at, year)
    assert (DROPPED_UNIT in _options(at, "by_unit_unit")) == (year == 2023)
    assert at.subheader[0].value == f"{year} 年逐月报送情况"


@pytest.mark.parametrize(("params", "year"), ASKED[:4])
def test_task_detail_is_scoped_to_the_year(both, open_page: Open, params: dict[str, str], year: int) -> None:
    at = open_page("task_detail.py", **params, task=str(LAST_TASK))
    _year_shown(at, year)
    numbers = _options(at, "task_detail_task")
    assert len(numbers) == (125 if year == 2023 else 124)
    # ?task=125 names a 2023 task: 2024 ignores it and shows its first task
    assert at.query_params["task"] == (str(LAST_TASK) if year == 2023 else "1")
    timeline = at.dataframe[0].value
    assert list(timeline["月份"]) == MONTHS[year]


def test_links_from_a_dashboard_keep_the_year(both, open_page: Open) -> None:
    at = open_page("overview.py", year="2023")
    links = {link.proto.label: link.proto.query_string for link in at.main.get("page_link")}
    assert links.pop("到“单位管理”补充群组成员 →") == "year=2023"  # a page without months
    assert all(q.startswith("year=2023&period=2023-12") for q in links.values()), links


def test_a_task_chosen_in_a_table_opens_in_the_same_year(both, open_page: Open) -> None:
    at = open_page("overview.py", year="2023")
    assert _table(at, "overview_behind")["序号"].iloc[0] == 1  # 区发改委 reported task 1 behind in 2023-12
    at.session_state["overview_behind"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert at.header[0].value == "任务详情"
    assert (at.query_params["year"], at.query_params["period"], at.query_params["task"]) == ("2023", "2023-12", "1")
    assert figures(at)["2023-12 完成状态"] == "滞后"  # in 2024-05 it is done


# --- the task list --------------------------------------------------------------


@pytest.mark.parametrize(("params", "year"), ASKED[:4])
def test_task_list_is_scoped_to_the_year(both, open_page: Open, params: dict[str, str], year: int) -> None:
    at = open_page("tasks.py", **params)
    _year_shown(at, year)
    count = 125 if year == 2023 else 124
    assert f"共 {count} 项（{year} 年全部 {count} 项）" in _captions(at)
    assert len(at.dataframe[0].value) == count
    assert (DROPPED_UNIT in _options(at, "url_unit")) == (year == 2023)


# --- the monthly reporting pages --------------------------------------------------


@pytest.mark.parametrize("page", ["template.py", "upload.py"])
@pytest.mark.parametrize(("params", "year"), ASKED[:4])
def test_reporting_pages_are_scoped_to_the_year(
    both, open_page: Open, page: str, params: dict[str, str], year: int
) -> None:
    at = open_page(page, **params)
    _year_shown(at, year)
    # the month being reported now (2024-06); for 2023 its last month, unless the URL named one
    assert at.query_params["period"] == params.get("period", "2024-06" if year == NEXT_YEAR else "2023-12")
    assert (DROPPED_UNIT in _options(at, "acting_unit")) == (year == 2023)


def test_the_template_of_a_unit_gone_in_2024_is_offered_for_2023(two_years, open_page: Open) -> None:
    at = open_page("template.py", year="2023")
    at.selectbox(key="acting_unit").select(DROPPED_UNIT).run()
    assert [b.label for b in at.download_button] == [f"下载 {DROPPED_UNIT} 2023-12 月报模板"]
    links = {link.proto.label: link.proto.query_string for link in at.main.get("page_link")}
    assert links == {"上传 2023-12 月报 →": "year=2023&period=2023-12"}


@pytest.mark.parametrize(("params", "year"), ASKED[:4])
def test_reporting_status_is_scoped_to_the_year(both, open_page: Open, params: dict[str, str], year: int) -> None:
    at = open_page("reporting_status.py", **params)
    _year_shown(at, year)
    period = params.get("period", "2024-06" if year == NEXT_YEAR else "2023-12")
    assert at.query_params["period"] == period
    shown = at.dataframe
    units = next(t.value for t in shown if "单位" in t.value.columns)
    assert (DROPPED_UNIT in set(units["单位"])) == (year == 2023)
    links = {link.proto.label: link.proto.query_string for link in at.main.get("page_link")}
    assert links == {"本月督查通报 →": f"year={year}&period={period}"}


def test_reporting_status_counts_each_years_units(both, open_page: Open) -> None:
    old = open_page("reporting_status.py", period="2023-05")
    new = open_page("reporting_status.py", period="2024-05")

    def expected(at: AppTest) -> int:
        text = _captions(at)
        return int(text.split("应报单位 ")[1].split(" 个")[0])

    assert (expected(old), expected(new)) == (_obliged(2023), _obliged(NEXT_YEAR))
    assert _obliged(2023) > _obliged(NEXT_YEAR)  # 区税务局 reports only in 2023


@pytest.mark.parametrize(("params", "year"), ASKED[:4])
def test_bulletin_is_scoped_to_the_year(both, open_page: Open, params: dict[str, str], year: int) -> None:
    at = open_page("bulletin.py", **params)
    _year_shown(at, year)
    period = params.get("period", "2024-06" if year == NEXT_YEAR else "2023-12")
    assert at.query_params["period"] == period
    month = int(period[5:])
    assert f"**关于{year}年{month}月《政府工作报告》重点任务推进情况的通报**" in [m.value for m in at.markdown]
    links = {link.proto.label: link.proto.query_string for link in at.main.get("page_link")}
    assert links == {"← 本月报送情况": f"year={year}&period={period}"}


def test_bulletin_counts_each_years_units(both, open_page: Open) -> None:
    old = _metrics(open_page("bulletin.py", period="2023-05"))
    new = _metrics(open_page("bulletin.py", period="2024-05"))
    assert (int(old["应报单位"]), int(new["应报单位"])) == (_obliged(2023), _obliged(NEXT_YEAR))
    assert (old["已报送"], new["已报送"]) == ("2", "2")
    assert int(old["未报送"]) + int(old["已完成"]) + int(old["序时推进"]) + int(old["滞后"]) + int(old["未启动"]) == 125
    assert int(new["未报送"]) + int(new["已完成"]) + int(new["序时推进"]) + int(new["滞后"]) + int(new["未启动"]) == 124


# --- the office's yearly pages ----------------------------------------------------


@pytest.mark.parametrize(("params", "year"), ASKED[:4])
def test_deductions_are_scoped_to_the_year(both, open_page: Open, params: dict[str, str], year: int) -> None:
    at = open_page("deductions.py", **params)
    _year_shown(at, year)
    assert f"{year}年各单位扣分" in [s.value for s in at.subheader]
    assert (DROPPED_UNIT in _options(at, "url_unit")) == (year == 2023)


@pytest.mark.parametrize(("params", "year"), ASKED[:4])
def test_report_settings_are_scoped_to_the_year(both, open_page: Open, params: dict[str, str], year: int) -> None:
    at = open_page("report_settings.py", **params)
    _year_shown(at, year)
    assert list(at.dataframe[0].value["月份"]) == MONTHS[year]


@pytest.mark.parametrize(("params", "year"), ASKED[:4])
def test_units_admin_counts_the_years_tasks(
    both, open_page: Open, registry: ParsedRegistry, params: dict[str, str], year: int
) -> None:
    at = open_page("units_admin.py", **params)
    _year_shown(at, year)
    units = next(t for t in at.dataframe if "类别" in t.value.columns)  # not the empty groups
    rows = {row["单位"]: row for row in units.value.to_dict("records")}
    dropped = rows[DROPPED_UNIT]  # the unit carries across years; its tasks do not
    listed = sum(DROPPED_UNIT in t.units for t in registry.tasks)
    assert dropped["牵头"] + dropped["配合"] == (listed if year == 2023 else 0)
    assert f"牵头、配合为 {year} 年的任务数" in _captions(at)


# --- one year only, and the turn of the year -----------------------------------------


@pytest.mark.parametrize(
    "page", ["overview.py", "tasks.py", "template.py", "reporting_status.py", "deductions.py", "units_admin.py"]
)
def test_a_single_year_shows_no_year_picker(loaded, open_page: Open, page: str) -> None:
    at = open_page(page, year="1999")
    assert "year" not in [s.key for s in at.selectbox]
    assert at.query_params["year"] == "2023"


def test_in_january_the_reporting_pages_stay_on_last_year(
    both, open_page: Open, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2024, 1, 5, 9))  # 2023-12 is being collected
    for page in ("template.py", "upload.py", "reporting_status.py", "bulletin.py"):
        at = open_page(page)
        assert (at.query_params["year"], at.query_params["period"]) == ("2023", "2023-12"), page
    at = open_page("overview.py")  # the dashboards show the latest year
    assert at.query_params["year"] == "2024"


# --- 2023 unchanged ------------------------------------------------------------------


def _csv(at: AppTest) -> list[str]:
    return [t.value.to_csv() for t in at.dataframe]  # NaN reads the same as NaN here


def _view_2023(open_page: Open) -> dict[str, object]:
    overview = open_page("overview.py", period="2023-05")
    status = open_page("reporting_status.py", period="2023-05")
    bulletin = open_page("bulletin.py", period="2023-05")
    deductions = open_page("deductions.py", year="2023")
    return {
        "overview": _metrics(overview),
        "overview tables": _csv(overview),
        "status": _csv(status),
        "bulletin": _metrics(bulletin),
        "bulletin tables": _csv(bulletin),
        "deductions": _csv(deductions),
        "tasks": _csv(open_page("tasks.py", year="2023")),
        "by unit": _csv(open_page("by_unit.py", period="2023-05", unit="区发改委")),
        "by category": _csv(open_page("by_category.py", period="2023-05")),
        "task detail": _csv(open_page("task_detail.py", period="2023-05", task="1")),
        "units": _csv(open_page("units_admin.py", year="2023")),
        "settings": _csv(open_page("report_settings.py", year="2023")),
    }


def test_2023_pages_read_the_same_after_2024_is_imported(loaded, open_page: Open, registry: ParsedRegistry) -> None:
    add_submission("区发改委", "2023-05", datetime(2023, 6, 2, 10), {1: ("滞后", 20.0)})
    add_submission(DROPPED_UNIT, "2023-05", datetime(2023, 6, 9, 10))
    before = _view_2023(open_page)

    init_database(registry=next_year_registry(registry))
    add_submission("区发改委", "2024-05", datetime(2024, 6, 3, 10), {1: ("已完成", 100.0)})
    add_submission("岩寺镇", "2024-05", datetime(2024, 6, 20, 10))
    after = _view_2023(open_page)
    for key, value in before.items():
        assert after[key] == value, key


def test_group_members_are_kept_per_year(two_years, open_page: Open) -> None:
    """各地各单位 is listed on nine 2023 tasks, the last among them, so on eight in 2024. Members
    saved while 2023 is shown are 2023's: 2024 keeps its own, and its duties do not change."""

    def duties(unit: str) -> dict[int, int]:
        with read_session() as session:
            unit_id = resolve_unit(session, unit).id  # type: ignore[union-attr]
            return {year: len(obligations(session, year).get(unit_id, [])) for year in (2023, NEXT_YEAR)}

    before = duties("岩寺镇")
    for year, count in ((NEXT_YEAR, 8), (2023, 9)):
        at = open_page("units_admin.py", year=str(year))
        at.selectbox(key="group_pick").select("各地各单位").run()
        captions = [c.value for c in at.caption]
        assert f"成员按年度分别保存：这里改的是 {year} 年的成员，其他年份的成员和报送不受影响。" in captions
        assert f"列为 0 项任务的牵头单位、{count} 项任务的配合单位。" in "".join(captions)
        assert at.multiselect(key="group_members").value == []
        at.multiselect(key="group_members").select("岩寺镇").run()
        assert f"保存后，1 个单位将新增 {count} 项报送任务（岩寺镇 +{count}）。" in [c.value for c in at.caption]
    at.button(key="group_save").click().run()  # while 2023 is shown
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已保存群组“各地各单位”的成员：岩寺镇。1 个单位新增 9 项报送任务。"]
    assert duties("岩寺镇") == {2023: before[2023] + 9, NEXT_YEAR: before[NEXT_YEAR]}

    at = open_page("units_admin.py", year=str(NEXT_YEAR))
    at.selectbox(key="group_pick").select("各地各单位").run()
    assert at.multiselect(key="group_members").value == []  # 2024's members, untouched
