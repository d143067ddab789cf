"""``unit_obligations`` reads only the entries that concern one unit and gives exactly what
``obligations`` gives that unit, on the real 2023 registry with groups filled."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import select

from accounts.access import Actor
from db.engine import read_session, write_session
from db.models import Unit, UnitObligation
from db.queries import resolve_unit
from registry.loader import ensure_loaded
from registry.obligations import derive, empty_groups, obligations, stored, unit_obligations
from registry.units_admin import add_unit, set_group_members, set_kind

OFFICE = Actor("督查室", "admin")


def _roles(unit: str) -> dict[int, str]:
    with read_session() as session:
        unit_row = resolve_unit(session, unit)
        assert unit_row is not None, unit
        return {o.task_no: o.role for o in unit_obligations(session, unit_row.id, 2023)}


def test_each_unit_gets_what_the_whole_registry_gives_it(loaded) -> None:
    with write_session() as session:
        # Units listed directly and through a group, with the group's role weaker or stronger.
        set_group_members(session, actor=OFFICE, group="各地各单位", members=["区财政局", "区政府办", "岩寺镇"])
        set_group_members(session, actor=OFFICE, group="区“四送一服”领导小组成员单位", members=["区营商环境办"])
    assert _roles("区财政局")[124] == "牵头"  # lead itself, co-unit through 各地各单位
    assert _roles("区财政局")[50] == "配合"  # only through 各地各单位
    assert _roles("区营商环境办")[67] == "牵头"  # co-unit itself, lead through its group
    with read_session() as session:
        everyone = obligations(session, 2023)
        unit_ids = session.exec(select(Unit.id).order_by(Unit.id)).all()
        assert len(unit_ids) > 70 and len(everyone) > 60
        for unit_id in unit_ids:
            assert unit_obligations(session, unit_id, 2023) == everyone.get(unit_id, []), unit_id
        assert unit_obligations(session, unit_ids[0], 2022) == []


def _stored_is_derived() -> None:
    with read_session() as session:
        assert stored(session, 2023) == derive(session, 2023)


def test_the_stored_relation_follows_every_registry_and_group_change(loaded, capsys) -> None:
    import cli

    _stored_is_derived()
    with read_session() as session:
        assert len(stored(session, 2023)) > 125
    with write_session() as session:
        set_group_members(session, actor=OFFICE, group="沿线各乡镇", members=["岩寺镇", "潜口镇"])
    _stored_is_derived()
    assert _roles("岩寺镇") != {}
    assert cli.main(["group", "set", "沿线各乡镇", "--members", ""]) == 0
    _stored_is_derived()
    with write_session() as session:
        add_unit(session, actor=OFFICE, name="区测试中心", kind="其他")
        set_group_members(session, actor=OFFICE, group="区“四送一服”领导小组成员单位", members=["区测试中心"])
    _stored_is_derived()
    assert _roles("区测试中心") == {67: "牵头"}
    with write_session() as session:
        set_kind(session, actor=OFFICE, unit="区测试中心", kind="部门")
    _stored_is_derived()
    assert cli.main(["init"]) == 0
    _stored_is_derived()


def test_a_database_without_stored_obligations_gets_them_at_start(loaded) -> None:
    with write_session() as session:
        session.execute(delete(UnitObligation))
    ensure_loaded()
    _stored_is_derived()
    with read_session() as session:
        assert stored(session, 2023)


def test_groups_without_members_are_listed_with_their_tasks(loaded) -> None:
    """The notice names 15 groups whose members it does not give; one of them leads task 67."""
    with read_session() as session:
        empty = {g.name: g for g in empty_groups(session, 2023)}
    assert len(empty) == 15
    assert [g.name for g in empty.values() if g.led] == ["区“四送一服”领导小组成员单位"]
    assert empty["区“四送一服”领导小组成员单位"].led == (67,)
    assert empty["各地各单位"].assisted == (50, 54, 117, 118, 119, 121, 123, 124, 125)
    assert "各乡镇" not in empty  # its seven towns are known

    with write_session() as session:
        set_group_members(session, actor=OFFICE, group="各地各单位", members=["岩寺镇"])
    with read_session() as session:
        assert "各地各单位" not in {g.name for g in empty_groups(session, 2023)}
