"""单位管理 as a service and on the command line: aliases, group members, new units and kinds,
on the real 2023 registry. Filling a group changes who reports on what; ``init`` keeps it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

import cli
from accounts import users
from accounts.access import SYSTEM, AccessDenied, Actor
from accounts.audit import entries
from db.engine import read_session, write_session
from db.models import UnitAlias
from db.queries import resolve_unit, units
from registry.obligations import obligations
from registry.units_admin import (
    UnitAdminError,
    add_alias,
    add_unit,
    membership_impact,
    remove_alias,
    set_group_members,
    set_kind,
    unit_rows,
)
from tests.conftest import ROOT, TEST_PASSWORD

YEAR = 2023
OFFICE = Actor("督查室", "admin")


def _tasks_of(name: str) -> dict[int, str]:
    """Task number → role, for what the unit must report on."""
    with read_session() as session:
        unit = resolve_unit(session, name)
        return {o.task_no: o.role for o in obligations(session, YEAR).get(unit.id, [])}


def _members(group: str) -> list[str]:
    with read_session() as session:
        return next(v.members for v in units(session) if v.name == group)


def _changes() -> list[dict]:
    with read_session() as session:
        return [json.loads(e.detail) | {"账号": e.username} for e in entries(session, action="unit_changed")]


def _refused(action: Callable[[Session], object], message: str) -> None:
    with pytest.raises(UnitAdminError) as caught, write_session() as session:
        action(session)
    assert str(caught.value) == message


# --- groups -------------------------------------------------------------------------


def test_filling_a_group_obliges_its_members_and_init_keeps_it(loaded: str) -> None:
    assert 78 not in _tasks_of("岩寺镇")
    with write_session() as session:
        preview = membership_impact(session, group="沿线各乡镇", members=["岩寺镇"])
        change = set_group_members(session, actor=OFFICE, group="沿线各乡镇", members=["岩寺镇"])
    assert preview == change.impact
    assert preview.summary() == "1 个单位将新增 1 项报送任务"
    assert change.message() == "已保存群组“沿线各乡镇”的成员：岩寺镇。1 个单位新增 1 项报送任务。"
    assert _tasks_of("岩寺镇")[78] == "配合"
    assert _members("沿线各乡镇") == ["岩寺镇"]
    assert _changes() == [
        {
            "操作": "设置群组成员",
            "年度": "2023",
            "群组": "沿线各乡镇",
            "新增成员": "岩寺镇",
            "移除成员": "无",
            "现有成员": "岩寺镇",
            "报送任务变化": "1 个单位新增 1 项报送任务",
            "账号": "督查室",
        }
    ]

    done = subprocess.run([sys.executable, "cli.py", "init"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "数据库已是最新，无需改动" in done.stdout
    assert _members("沿线各乡镇") == ["岩寺镇"]
    assert _tasks_of("岩寺镇")[78] == "配合"


def test_the_preview_matches_the_obligations_after_saving(loaded: str) -> None:
    """各地各单位 is on nine tasks, some of them already held by the units chosen."""
    with write_session() as session:
        add_unit(session, actor=OFFICE, name="区档案馆", kind="部门")
    chosen = ["区政府办", "区发改委", "岩寺镇", "区档案馆"]
    for members in (chosen, ["区发改委", "区交通运输局"], []):
        before = {name: set(_tasks_of(name)) for name in {*chosen, "区交通运输局"}}
        with write_session() as session:
            preview = membership_impact(session, group="各地各单位", members=members)
            set_group_members(session, actor=OFFICE, group="各地各单位", members=members)
        after = {name: set(_tasks_of(name)) for name in before}
        assert preview.gained == {n: len(after[n] - before[n]) for n in before if after[n] - before[n]}
        assert preview.lost == {n: len(before[n] - after[n]) for n in before if before[n] - after[n]}
    assert preview.lost == {"区发改委": 8, "区交通运输局": 9}  # task 54 lists 区发改委 itself
    assert _members("各地各单位") == []
    assert _tasks_of("区档案馆") == {}


def test_a_unit_that_reported_on_nothing_is_warned_about(loaded: str) -> None:
    with write_session() as session:
        add_unit(session, actor=OFFICE, name="区档案馆", kind="部门")
        change = set_group_members(session, actor=OFFICE, group="区安委会成员单位", members=["区档案馆", "区公安局"])
    assert change.impact.newly_obliged == ("区档案馆",)
    assert change.impact.warning().startswith("区档案馆此前没有报送任务，今后全年各月都须报送")
    assert _tasks_of("区档案馆") == {112: "配合"}
    with write_session() as session:
        change = set_group_members(session, actor=OFFICE, group="区安委会成员单位", members=["区公安局"])
    assert change.removed == ("区档案馆",)
    assert change.impact.warning() == "区档案馆将不再有任何报送任务。"


def test_members_by_alias_once_each_and_no_audit_without_a_change(loaded: str) -> None:
    with write_session() as session:
        change = set_group_members(
            session, actor=OFFICE, group=" 有关 乡镇", members=["区交通局", "区交通运输局", " 潜口镇 ", ""]
        )
    assert change.members == ("潜口镇", "区交通运输局")
    with write_session() as session:
        again = set_group_members(session, actor=OFFICE, group="有关乡镇", members=["潜口镇", "区交通运输局"])
    assert not again.changed
    assert again.message() == "群组“有关乡镇”的成员没有变化。"
    assert len(_changes()) == 1


@pytest.mark.parametrize(
    ("group", "members", "message"),
    [
        ("岩寺镇", ["潜口镇"], "“岩寺镇”不是群组，不能设置成员。"),
        ("沿线各乡镇", ["岩寺镇", "沿线各乡镇"], "群组“沿线各乡镇”不能包含它自己。"),
        ("区安委会成员单位", ["区应急管理局", "各乡镇"], "“各乡镇”是群组，群组的成员只能是具体单位。"),
        ("沿线各乡镇", ["岩寺镇", "岩寺"], "找不到单位“岩寺”，请填写单位管理中列出的名称或别名。"),
        ("沿线乡镇", ["岩寺镇"], "找不到单位“沿线乡镇”，请填写单位管理中列出的名称或别名。"),
    ],
)
def test_group_members_refused(loaded: str, group: str, members: list[str], message: str) -> None:
    _refused(lambda s: set_group_members(s, actor=OFFICE, group=group, members=members), message)
    assert _members("沿线各乡镇") == [] and _members("区安委会成员单位") == []
    assert _changes() == []


def test_only_the_office_changes_units(loaded: str) -> None:
    with write_session() as session:
        user = users.create_user(
            session, username="岩寺镇", password=TEST_PASSWORD, role="unit", unit="岩寺镇", actor=SYSTEM
        )
        unit_actor = users.actor_for(user)
    for action in (
        lambda s: set_group_members(s, actor=unit_actor, group="沿线各乡镇", members=["岩寺镇"]),
        lambda s: add_alias(s, actor=unit_actor, unit="岩寺镇", alias="岩寺"),
        lambda s: add_unit(s, actor=unit_actor, name="区档案馆", kind="部门"),
    ):
        with pytest.raises(AccessDenied, match="只有督查室账号可以进行此操作"), write_session() as session:
            action(session)
    assert _members("沿线各乡镇") == [] and _changes() == []


# --- aliases ------------------------------------------------------------------------


def test_an_alias_is_added_normalised_resolves_and_can_be_removed(loaded: str) -> None:
    with write_session() as session:
        assert add_alias(session, actor=OFFICE, unit="区交通局", alias=" 区 交通\u3000运输 ") == (
            "区交通运输局",
            "区交通运输",
        )
    with read_session() as session:
        assert resolve_unit(session, "区交通运输").name == "区交通运输局"
        assert "区交通运输" in next(r.aliases for r in unit_rows(session) if r.name == "区交通运输局")
    with write_session() as session:
        assert remove_alias(session, actor=OFFICE, alias="区交通运输") == ("区交通运输局", "区交通运输")
    with read_session() as session:
        assert resolve_unit(session, "区交通运输") is None
    assert [(c["操作"], c["单位"], c["别名"]) for c in reversed(_changes())] == [
        ("添加别名", "区交通运输局", "区交通运输"),
        ("删除别名", "区交通运输局", "区交通运输"),
    ]


@pytest.mark.parametrize(
    ("unit", "alias", "message"),
    [
        ("岩寺镇", "潜口镇", "“潜口镇”已是单位名称，不能再用作别名。"),
        ("岩寺镇", "各 乡镇", "“各乡镇”已是单位名称，不能再用作别名。"),
        ("区公安局", "区交通局", "“区交通局”已是“区交通运输局”的别名。"),
        ("岩寺镇", "  ", "请填写别名。"),
        ("岩寺镇", "岩" * 51, "别名不能超过 50 个字（现有 51 个字）。"),
        ("岩寺", "岩寺", "找不到单位“岩寺”，请填写单位管理中列出的名称或别名。"),
    ],
)
def test_alias_refused(loaded: str, unit: str, alias: str, message: str) -> None:
    with read_session() as session:
        count = len(list(session.exec(select(UnitAlias))))
    _refused(lambda s: add_alias(s, actor=OFFICE, unit=unit, alias=alias), message)
    with read_session() as session:
        assert len(list(session.exec(select(UnitAlias)))) == count


def test_the_documents_own_aliases_stay(loaded: str) -> None:
    _refused(
        lambda s: remove_alias(s, actor=OFFICE, alias="区交通局"), "“区交通局”是任务分解表原文中的写法，不能删除。"
    )
    _refused(lambda s: remove_alias(s, actor=OFFICE, alias="岩寺"), "没有别名“岩寺”。")
    with read_session() as session:
        assert resolve_unit(session, "区交通局").name == "区交通运输局"


# --- units and kinds ------------------------------------------------------------------


def test_a_new_unit_is_listed_without_tasks(loaded: str) -> None:
    with write_session() as session:
        assert add_unit(session, actor=OFFICE, name=" 区档案馆 ", kind="部门") == "区档案馆"
    with read_session() as session:
        row = next(r for r in unit_rows(session) if r.name == "区档案馆")
    assert (row.kind, row.lead, row.co, row.groups) == ("部门", 0, 0, ())
    assert _changes()[0] == {"操作": "新增单位", "单位": "区档案馆", "类别": "部门", "账号": "督查室"}


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("岩寺镇", "乡镇", "单位“岩寺镇”已存在。"),
        ("区市监局", "部门", "“区市监局”是“区市场监管局”的别名，不能再作为新单位的名称。"),
        ("区档案馆", "群组", "单位类别须为 乡镇 / 部门 / 国企 / 其他。"),
        ("", "部门", "请填写单位名称。"),
    ],
)
def test_new_unit_refused(loaded: str, name: str, kind: str, message: str) -> None:
    with read_session() as session:
        before = len(units(session))
    _refused(lambda s: add_unit(s, actor=OFFICE, name=name, kind=kind), message)
    with read_session() as session:
        assert len(units(session)) == before


def test_kinds_change_but_groups_and_units_do_not_swap_while_in_use(loaded: str) -> None:
    with write_session() as session:
        assert set_kind(session, actor=OFFICE, unit="区供电中心", kind="国企") == "部门"
        add_unit(session, actor=OFFICE, name="区档案馆", kind="其他")
        set_group_members(session, actor=OFFICE, group="区安委会成员单位", members=["区应急管理局"])
        users.create_user(
            session, username="区公安局", password=TEST_PASSWORD, role="unit", unit="区公安局", actor=SYSTEM
        )
    refusals = [
        ("区供电中心", "国企", "“区供电中心”的类别已是国企。"),
        ("区供电中心", "单位", "单位类别须为 乡镇 / 部门 / 国企 / 其他 / 群组。"),
        (
            "区安委会成员单位",
            "部门",
            "群组“区安委会成员单位”在 2023 年还有成员，不能改为单位；请先清空这些年份的成员。",
        ),
        (
            "区望丰专班成员单位",
            "部门",
            "群组“区望丰专班成员单位”列在第 89 项等任务中，改为单位会让它自己承担报送；请保留为群组并设置成员。",
        ),
        ("区应急局", "群组", "“区应急管理局”是群组“区安委会成员单位”的成员，不能改为群组。"),
        ("区公安局", "群组", "“区公安局”已开设账号，不能改为群组。"),
    ]
    for unit, kind, message in refusals:
        _refused(lambda s, unit=unit, kind=kind: set_kind(s, actor=OFFICE, unit=unit, kind=kind), message)
    with write_session() as session:
        assert set_kind(session, actor=OFFICE, unit="区档案馆", kind="群组") == "其他"
        set_group_members(session, actor=OFFICE, group="区档案馆", members=["区公安局"])
    with read_session() as session:
        kinds = {u.name: u.kind for u in units(session)}
    assert (kinds["区供电中心"], kinds["区档案馆"], _members("区档案馆")) == ("国企", "群组", ["区公安局"])
    assert [c["操作"] for c in reversed(_changes())] == [
        "修改类别",
        "新增单位",
        "设置群组成员",
        "修改类别",
        "设置群组成员",
    ]


# --- command line -----------------------------------------------------------------------


def test_cli_group_and_alias_commands(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["group", "set", "沿线各乡镇", "--members", "岩寺镇，潜口镇、区交通局"]) == 0
    assert capsys.readouterr().out.startswith("已保存群组“沿线各乡镇”的成员：岩寺镇、潜口镇、区交通运输局。")
    assert cli.main(["alias", "add", "岩寺", "--unit", "岩寺镇"]) == 0
    assert capsys.readouterr().out == "已将“岩寺”添加为岩寺镇的别名\n"

    for args, message in [
        (["group", "set", "沿线各乡镇", "--members", "岩寺镇,各乡镇"], "“各乡镇”是群组，群组的成员只能是具体单位。"),
        (["alias", "add", "岩寺", "--unit", "潜口镇"], "“岩寺”已是“岩寺镇”的别名。"),
        (["alias", "remove", "区交通局"], "“区交通局”是任务分解表原文中的写法，不能删除。"),
    ]:
        assert cli.main(args) == 1
        assert capsys.readouterr().err == f"错误：{message}\n"

    assert cli.main(["alias", "remove", "岩寺"]) == 0
    assert capsys.readouterr().out == "已删除岩寺镇的别名“岩寺”\n"
    assert cli.main(["group", "set", "沿线各乡镇", "--members", ""]) == 0
    assert capsys.readouterr().out == "已保存群组“沿线各乡镇”的成员：（无）。2 个单位减少 2 项报送任务。\n"
    assert _members("沿线各乡镇") == []
    assert {c["账号"] for c in _changes()} == {"命令行"}
