"""任务清单 through AppTest: the list and its filters on the real registry."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _run(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _table(at: AppTest):
    assert not at.exception, at.exception
    return at.dataframe[0].value


def test_all_tasks_listed_on_an_empty_database_loaded_at_start() -> None:
    at = _run()
    table = _table(at)
    assert len(table) == 125
    assert list(table["序号"][:3]) == [1, 2, 3]
    assert table.iloc[0]["▲牵头领导"] == "黄劼"


def test_filter_by_category_leader_unit_and_text(loaded) -> None:
    at = _run()
    at.selectbox(key="url_category").select("（九）加强政府自身建设").run()
    assert len(_table(at)) == 9
    assert at.query_params["category"] == "（九）加强政府自身建设"

    at = _run(leader="王曙辉")
    table = _table(at)
    assert len(table) > 0
    assert all("王曙辉" in (row["▲牵头领导"] + row["协助领导"]) for _, row in table.iterrows())

    at = _run(unit="区市场监管局")
    table = _table(at)
    assert 44 in set(table["序号"])
    assert all("区市场监管局" in (row["牵头单位"] + row["配合单位"]) for _, row in table.iterrows())

    at = _run(q="招商")
    table = _table(at)
    assert len(table) > 0
    assert all("招商" in text for text in table["主要任务"])


def test_unknown_filter_value_in_url_is_ignored(loaded) -> None:
    at = _run(category="<script>")
    assert len(_table(at)) == 125
