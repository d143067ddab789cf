"""The registry through the command line, as the office's scripts use it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlmodel import func, select

from db.engine import read_session
from db.models import GroupMember, Task, TaskLeader, TaskUnit, Unit, UnitAlias
from db.queries import resolve_unit

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True, input=stdin, timeout=300
    )


def _counts() -> dict[str, int]:
    with read_session() as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Task, TaskLeader, TaskUnit, Unit, UnitAlias, GroupMember)
        }


def test_init_twice_changes_nothing_and_reset_rebuilds() -> None:
    first = run_cli("init")
    assert first.returncode == 0, first.stderr
    assert "125" in first.stdout
    before = _counts()
    assert before["Task"] == 125
    second = run_cli("init")
    assert second.returncode == 0
    assert "无需改动" in second.stdout
    assert _counts() == before
    reset = run_cli("init", "--reset")
    assert reset.returncode == 0
    assert _counts() == before


def test_tasks_json_matches_the_document(registry) -> None:
    result = run_cli("tasks", "--json")
    assert result.returncode == 0, result.stderr
    tasks = json.loads(result.stdout)
    assert [t["no"] for t in tasks] == list(range(1, 126))
    assert tasks[0] == {
        "no": 1,
        "category": "主要预期目标",
        "text": "地区生产总值增长8.5%以上。",
        "leaders": ["黄劼", "洪晓波", "万顺利", "何建中", "程丽群"],
        "lead_leader": "黄劼",
        "units": ["区发改委"],
        "lead_unit": "区发改委",
    }
    by_no = {t["no"]: t for t in tasks}
    # A repaired line: 人行徽州支行开 / 发区管委会 is two units.
    assert by_no[66]["units"] == ["区财政局", "区税务局", "人行徽州支行", "开发区管委会"]
    # A glued pair and a group under its own name.
    assert by_no[47]["units"] == ["区自然资源和规划分局", "开发区管委会", "区发改委", "区林业局", "各乡镇"]
    # An alias is shown by its canonical name.
    assert "区市场监管局" in by_no[44]["units"] and "区市监局" not in by_no[44]["units"]
    for parsed in registry.tasks:
        got = by_no[parsed.no]
        assert got["leaders"] == list(parsed.leaders)
        assert got["lead_leader"] == parsed.lead_leader
        assert got["units"] == list(parsed.units)
        assert got["text"] == parsed.text
        assert got["category"] == parsed.category


def test_units_json_has_kinds_aliases_and_group_members() -> None:
    result = run_cli("units", "--json")
    assert result.returncode == 0, result.stderr
    units = {u["name"]: u for u in json.loads(result.stdout)}
    assert units["区市场监管局"]["aliases"] == ["区市监局"]
    assert units["区市场监管局"]["kind"] == "部门"
    assert units["各乡镇"]["kind"] == "群组"
    assert units["各乡镇"]["members"] == ["岩寺镇", "西溪南镇", "潜口镇", "呈坎镇", "富溪乡", "杨村乡", "洽舍乡"]
    assert units["各有关乡镇"]["members"] == []
    assert units["区国投集团"]["kind"] == "国企"
    aliases = [a for u in units.values() for a in u["aliases"]]
    assert len(aliases) == len(set(aliases))
    assert not set(aliases) & set(units)


def test_aliases_resolve_to_one_canonical_unit(loaded) -> None:
    with read_session() as session:
        assert resolve_unit(session, "区交通局").name == "区交通运输局"
        assert resolve_unit(session, "区 数字资源局").name == "区数据资源局"
        assert resolve_unit(session, "区交通运输局").name == "区交通运输局"
        assert resolve_unit(session, "不存在的单位") is None


def test_usage_error_exits_2() -> None:
    assert run_cli("tasks", "--bogus").returncode == 2
    assert run_cli().returncode == 2


def test_broken_units_file_is_a_data_error(tmp_path: Path, monkeypatch) -> None:
    import cli
    import registry.loader
    from registry.parser import load_registry

    broken = tmp_path / "units.toml"
    text = (ROOT / "seed" / "units.toml").read_text(encoding="utf-8")
    broken.write_text(text.replace('name = "区审计局"', 'name = "区财政局"', 1), encoding="utf-8")
    monkeypatch.setattr(registry.loader, "load_registry", lambda: load_registry(units_file=broken))
    assert cli.main(["init"]) == 1
