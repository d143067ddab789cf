"""任务详情 through AppTest: the office's 确认办结 and 撤销办结 controls, the history, and the plan's
milestones against reported progress (on the hand-worked scenario of tests/status/scenario.py)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import clock
from tests.conftest import figures
from tests.factories import add_plan
from tests.status.scenario import load_scenario

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TASK_DETAIL = "pages/task_detail.py"
NOW = datetime(2023, 4, 20, 9)  # March is judged

CLOSE = "FormSubmitter:close_task-确认办结"
REOPEN = "FormSubmitter:reopen_task-撤销办结"


@pytest.fixture
def open_page(loaded, login_as, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    load_scenario()

    def _open(role: str = "admin", **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        login_as(at, role)
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(TASK_DETAIL)
        at.run()
        assert not at.exception, at.exception
        return at

    return _open


def _history(at: AppTest):
    tables = [t.value for t in at.dataframe if "办结说明" in t.value.columns]
    assert len(tables) == 1
    return tables[0]


def _buttons(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


def test_the_office_closes_a_done_task_and_reopens_it(open_page) -> None:
    at = open_page(task="2", period="2023-03")  # 区财政局 reports 2 已完成 in March
    assert CLOSE in _buttons(at) and REOPEN not in _buttons(at)
    assert any("2023-03 月报所填为“已完成”，督查室可确认办结" in c.value for c in at.caption)
    at.button(key=CLOSE).click().run()
    assert [e.value for e in at.error] == ["请填写办结说明"]
    assert at.date_input(key="close_date").value == date(2023, 3, 31)  # the end of the month reported 已完成
    at.text_area(key="close_note").input("年度目标已完成")
    at.button(key=CLOSE).click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["第 2 项任务已办结，2023-04 起不再报送。"]
    assert any(i.value.startswith("本任务已于 2023-03-31 办结") for i in at.info)
    assert REOPEN in _buttons(at) and CLOSE not in _buttons(at)
    history = _history(at)
    assert list(history["办结说明"]) == ["年度目标已完成"] and list(history["状态"]) == ["有效"]

    april = open_page(task="2", period="2023-04")
    months = april.dataframe[0].value
    assert list(months["完成状态"][2:5]) == ["已完成", "已办结", "已办结"]  # March, April, May

    at.text_input(key="reopen_reason").input("复核发现尚有收尾工作")
    at.button(key=REOPEN).click().run()
    assert [s.value for s in at.success] == ["第 2 项任务已撤销办结，恢复逐月报送。"]
    assert CLOSE in _buttons(at)
    history = _history(at)
    assert list(history["状态"]) == ["已撤销"] and list(history["撤销理由"]) == ["复核发现尚有收尾工作"]


def test_no_controls_for_a_task_not_done_nor_for_a_leader(open_page) -> None:
    at = open_page(task="25", period="2023-03")  # 序时推进
    assert not {CLOSE, REOPEN} & _buttons(at)
    assert any("牵头单位报“已完成”后，督查室可确认办结" in c.value for c in at.caption)
    leader = open_page("leader", task="2", period="2023-03")
    assert not {CLOSE, REOPEN} & _buttons(leader)


def test_the_plan_against_reported_progress(open_page) -> None:
    add_plan("区财政局", {25: [(date(2023, 3, 31), 30.0), (date(2023, 9, 30), 70.0)]})
    add_plan("区财政局", {25: [(date(2023, 3, 31), 40.0), (date(2023, 9, 30), 70.0)]}, version=2, state="submitted")
    at = open_page(task="25", period="2023-03")
    shown = figures(at)
    assert (shown["应达进度（计划）"], shown["红黄绿灯"]) == ("30.0%", "绿灯")  # 40 reported
    assert list(at.dataframe[0].value["完成时限"]) == ["2023-03-31", "2023-09-30"]  # version 1, confirmed
    versions = next(t.value for t in at.dataframe if "本任务的节点变化" in t.value.columns)
    assert list(versions["状态"]) == ["待确认", "已确认"]
    assert versions["本任务的节点变化"][0] == "第 25 项 节点调整：2023-03-31 30% 节点1 → 2023-03-31 40% 节点1"
    traces = {t["name"]: t for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]}
    assert traces["计划节点"]["x"] == ["2023-03", "2023-09"] and traces["计划节点"]["y"] == [30.0, 70.0]
    assert traces["应达进度（计划）"]["y"][:4] == [0.0, 0.0, 30.0, 30.0]
