"""任务清单 through AppTest: the list and its filters on the real registry."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _run(login_as, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    login_as(at)
    at.run().switch_page("pages/tasks.py")
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _table(at: AppTest):
    assert not at.exception, at.exception
    return at.dataframe[0].value


def test_all_tasks_listed_on_an_empty_database_loaded_at_start(login_as) -> None:
    at = _run(login_as)
    table = _table(at)
    assert len(table) == 125
    assert list(table["序号"][:3]) == [1, 2, 3]
    assert table.iloc[0]["▲牵头领导"] == "黄劼"


def test_filter_by_category_leader_unit_and_text(loaded, login_as) -> None:
    at = _run(login_as)
    at.selectbox(key="url_category").select("（九）加强政府自身建设").run()
    assert len(_table(at)) == 9
    assert at.query_params["category"] == "（九）加强政府自身建设"

    at = _run(login_as, leader="王曙辉")
    table = _table(at)
    assert len(table) > 0
    assert all("王曙辉" in (row["▲牵头领导"] + row["协助领导"]) for _, row in table.iterrows())

    at = _run(login_as, unit="区市场监管局")
    table = _table(at)
    assert 44 in set(table["序号"])
    assert all("区市场监管局" in (row["牵头单位"] + row["配合单位"]) for _, row in table.iterrows())

    at = _run(login_as, q="招商")
    table = _table(at)
    assert len(table) > 0
    assert all("招商" in text for text in table["主要任务"])


def test_unknown_filter_value_in_url_is_ignored(loaded, login_as) -> None:
    at = _run(login_as, category="<script>")
    assert len(_table(at)) == 125


def test_the_table_is_downloaded_through_the_apps_own_excel_button(login_as) -> None:
    at = _run(login_as, q="招商")
    buttons = [b for b in at.download_button if b.label == "下载 Excel"]
    assert len(buttons) == 1 and len(at.dataframe) == 1
    assert buttons[0].key == "download_2023年任务清单"
