"""单位管理 through AppTest, as the office works with it; other roles cannot open it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from accounts.audit import entries
from db.engine import read_session
from db.queries import resolve_unit, units
from registry.obligations import obligations

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "units_admin.py")
Login = Callable[..., object]


def _page(login_as: Login, role: str = "admin") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    login_as(at, role)
    at.run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest) -> dict[str, dict]:
    units = next(t for t in at.dataframe if "类别" in t.value.columns)  # not the empty groups
    return {row["单位"]: row for row in units.value.to_dict("records")}


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_office_fills_a_group_and_sees_what_it_changes(loaded: str, login_as: Login) -> None:
    at = _page(login_as)
    assert [h.value for h in at.header] == ["单位管理"]
    assert _table(at)["沿线各乡镇"]["成员"] == ""
    assert _table(at)["区交通运输局"]["别名"] == "区交通局"

    at.selectbox(key="group_pick").select("沿线各乡镇").run()
    reason = "文件未写明线路经过哪些乡镇，由督查室按线路走向补充"
    assert f"列为 0 项任务的牵头单位、1 项任务的配合单位。确定成员的依据：{reason}" in _captions(at)
    at.multiselect(key="group_members").select("岩寺镇").select("潜口镇").run()
    assert "保存后，2 个单位将新增 2 项报送任务（岩寺镇 +1、潜口镇 +1）。" in _captions(at)
    at.button(key="group_save").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        "已保存群组“沿线各乡镇”的成员：岩寺镇、潜口镇。2 个单位新增 2 项报送任务。"
    ]
    assert _table(at)["沿线各乡镇"]["成员"] == "岩寺镇、潜口镇"
    assert _table(at)["岩寺镇"]["所属群组"] == "各乡镇、沿线各乡镇"
    assert at.multiselect(key="group_members").value == ["岩寺镇", "潜口镇"]
    with read_session() as session:
        yansi = resolve_unit(session, "岩寺镇")
        assert 78 in {o.task_no for o in obligations(session, 2023)[yansi.id]}
        (entry,) = entries(session, action="unit_changed")
    assert (entry.username, json.loads(entry.detail)["现有成员"]) == ("督查室", "岩寺镇、潜口镇")

    at.selectbox(key="group_pick").select("区安委会成员单位").run()
    assert at.multiselect(key="group_members").value == []  # another group starts from its own members


def test_office_adds_a_unit_and_an_alias_and_sees_errors_in_plain_words(loaded: str, login_as: Login) -> None:
    at = _page(login_as)
    at.text_input(key="unit_name").input("区档案馆")
    at.selectbox(key="unit_kind").select("部门")
    at.button(key="unit_add_submit").click().run()
    assert [s.value for s in at.success] == ["已新增单位“区档案馆”（部门）。"]
    assert (_table(at)["区档案馆"]["牵头"], _table(at)["区档案馆"]["配合"]) == (0, 0)

    at.selectbox(key="alias_unit").select("区档案馆")
    at.text_input(key="alias_text").input("区交通局")
    at.button(key="alias_add_submit").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["“区交通局”已是“区交通运输局”的别名。"]
    assert not at.success

    at.selectbox(key="alias_unit").select("区档案馆")
    at.text_input(key="alias_text").input("档案馆")
    at.button(key="alias_add_submit").click().run()
    assert [s.value for s in at.success] == ["已将“档案馆”添加为区档案馆的别名。"]
    assert _table(at)["区档案馆"]["别名"] == "档案馆"
    assert at.selectbox(key="alias_remove_pick").options == ["档案馆 → 区档案馆"]
    at.button(key="alias_remove_submit").click().run()
    assert [s.value for s in at.success] == ["已删除区档案馆的别名“档案馆”。"]
    with read_session() as session:
        assert resolve_unit(session, "档案馆") is None
        assert "区档案馆" in {u.name for u in units(session)}


@pytest.mark.parametrize("role", ["unit", "leader"])
def test_other_accounts_cannot_open_the_page(loaded: str, login_as: Login, role: str) -> None:
    at = _page(login_as, role)
    assert [e.value for e in at.error] == ["无权访问：当前账号不能查看此页面。"]
    assert not at.header and not at.dataframe and not at.multiselect


def test_the_office_is_warned_about_groups_that_oblige_nobody(loaded: str, login_as: Login) -> None:
    at = _page(login_as)
    warning = at.warning[0].value
    assert warning.startswith("2023 年有 15 个群组尚未指定成员，不产生报送义务。")
    assert "其中 1 个是牵头单位：区“四送一服”领导小组成员单位（第 67 项）" in warning
    groups = next(t for t in at.dataframe if "群组" in t.value.columns).value
    assert len(groups) == 15
    first = {"群组": "区推进企业上市服务专班成员单位", "牵头的任务": "", "配合的任务": "第 25 项"}
    assert groups.iloc[0].to_dict() == first

    overview = AppTest.from_file(str(Path(PAGE).parents[1] / "app.py"), default_timeout=60)
    login_as(overview)
    overview.run()
    assert any(w.value.startswith("2023 年有 15 个群组尚未指定成员") for w in overview.warning)
    assert [link.proto.label for link in overview.main.get("page_link")][-1] == "到“单位管理”补充群组成员 →"

    leader = AppTest.from_file(str(Path(PAGE).parents[1] / "app.py"), default_timeout=60)
    login_as(leader, "leader")
    leader.run()
    assert not any("尚未指定成员" in w.value for w in leader.warning)
