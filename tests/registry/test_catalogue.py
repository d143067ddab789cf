"""The unit catalogue in seed/units.toml and its validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.vocab import UnitKind
from registry.catalogue import DEFAULT_UNITS_FILE, SeedError, UnitCatalog, UnitSpec, load_units

TOWNSHIPS = ("岩寺镇", "西溪南镇", "潜口镇", "呈坎镇", "富溪乡", "杨村乡", "洽舍乡")

ALIASES = {
    "区市监局": "区市场监管局",
    "区交通局": "区交通运输局",
    "区投促中心": "区投资促进发展中心",
    "区应急局": "区应急管理局",
    "区数字资源局": "区数据资源局",
    "区城管执法局": "区城管局",
    "区政府办（外事办）": "区政府办",
}

GROUPS = {
    "各乡镇": TOWNSHIPS,
    "有关乡镇": (),
    "各有关乡镇": (),
    "沿线各乡镇": (),
    "各地各单位": (),
    "区直各单位": (),
    "各专项行动牵头单位": (),
    "区推进企业上市服务专班成员单位": (),
    "大灵山综合开发领导小组成员单位": (),
    "区“四送一服”领导小组成员单位": (),
    "区环委会成员单位": (),
    "区望丰专班成员单位": (),
    "区疫情防控指挥部成员单位": (),
    "区食安创建指挥部成员单位": (),
    "区扫黑除恶斗争领导小组成员单位": (),
    "区安委会成员单位": (),
}


@pytest.fixture(scope="module")
def catalog() -> UnitCatalog:
    return load_units()


def test_aliases_resolve_to_exactly_one_canonical_unit(catalog: UnitCatalog) -> None:
    assert {alias: spec.name for spec in catalog.units for alias in spec.aliases} == ALIASES
    for alias, canonical in ALIASES.items():
        owners = [spec.name for spec in catalog.units if alias in spec.aliases or alias == spec.name]
        assert owners == [canonical]
        assert catalog.resolve(alias) == canonical
        assert catalog.resolve(canonical) == canonical


def test_resolve_ignores_whitespace(catalog: UnitCatalog) -> None:
    assert catalog.resolve(" 区 市监局\u3000") == "区市场监管局"
    assert catalog.resolve("区市场监管局\xa0") == "区市场监管局"
    assert catalog.resolve("黄劼") is None
    assert catalog.resolve("开") is None


def test_groups(catalog: UnitCatalog) -> None:
    groups = {spec.name: spec for spec in catalog.units if spec.kind == UnitKind.GROUP}
    assert {name: spec.members for name, spec in groups.items()} == GROUPS
    assert all(spec.reason for spec in groups.values())
    assert catalog.resolve("各乡镇") == "各乡镇"


def test_kinds(catalog: UnitCatalog) -> None:
    kinds = {spec.name: spec.kind for spec in catalog.units}
    assert [name for name, kind in kinds.items() if kind == "乡镇"] == list(TOWNSHIPS)
    assert sorted(name for name, kind in kinds.items() if kind == "国企") == sorted(
        ["区国投集团", "区开投公司", "区城投公司", "区浪漫红文旅集团"]
    )
    assert set(kinds.values()) == {"乡镇", "部门", "国企", "群组"}
    for name in ("开发区管委会", "人行徽州支行", "区税务局", "区供电中心", "社区办", "徽州区公路分中心"):
        assert kinds[name] == "部门"


# ── validation, on edited copies of units.toml ───────────────────────────


def _load_edited(tmp_path: Path, old: str, new: str) -> UnitCatalog:
    text = DEFAULT_UNITS_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "units.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_units(path)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            'name = "区市场监管局"\nkind = "部门"\naliases = ["区市监局"]',
            'name = "区市场监管局"\nkind = "部门"\naliases = ["区市监局", "区交通局"]',
            "名称“区交通局”同时属于“区交通运输局”和“区市场监管局”",
            id="alias-of-another-unit",
        ),
        pytest.param(
            'aliases = ["区市监局"]',
            'aliases = ["区市监局", "区商务局"]',
            "名称“区商务局”同时属于“区商务局”和“区市场监管局”",
            id="alias-equal-to-another-name",
        ),
        pytest.param(
            'name = "区审计局"',
            'name = "区财政局"',
            "单位“区财政局”重复定义",
            id="duplicate-name",
        ),
        pytest.param(
            'aliases = ["区市监局"]',
            'aliases = ["区市监局", "区市场监管局"]',
            "“区市场监管局”在单位“区市场监管局”中重复出现",
            id="alias-equal-to-own-name",
        ),
        pytest.param(
            '"富溪乡", "杨村乡", "洽舍乡"]',
            '"富溪乡", "杨村乡", "洽舍乡", "黄山区"]',
            "群组“各乡镇”的成员“黄山区”不是单位的规范名称",
            id="member-not-a-unit",
        ),
        pytest.param(
            '"富溪乡", "杨村乡", "洽舍乡"]',
            '"富溪乡", "杨村乡", "洽舍乡", "有关乡镇"]',
            "群组“各乡镇”的成员“有关乡镇”不是单位的规范名称",
            id="member-is-a-group",
        ),
        pytest.param(
            'name = "区城投公司"\nkind = "国企"',
            'name = "区城投公司"\nkind = "企业"',
            "单位“区城投公司”的类别“企业”无效",
            id="bad-kind",
        ),
        pytest.param(
            'reason = "全区辖四镇三乡，通知所称各乡镇即这七个乡镇"',
            'reason = ""',
            "群组“各乡镇”缺少 reason",
            id="group-without-reason",
        ),
        pytest.param(
            'name = "区林业局"\nkind = "部门"',
            'name = "区林业局"\nkind = "部门"\nalias = ["区林业站"]',
            "“区林业局”含有无法识别的字段：alias",
            id="unknown-field",
        ),
        pytest.param(
            'name = "区林业局"',
            'name = "区 林业局"',
            "名称内含空格",
            id="space-in-name",
        ),
        pytest.param('name = "区林业局"', 'name = "区林业局', "units.toml 格式错误", id="toml-syntax"),
    ],
)
def test_invalid_units_file(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(SeedError) as caught:
        _load_edited(tmp_path, old, new)
    assert message in str(caught.value)
    assert caught.value.line is None


def test_catalog_validates_when_built_directly() -> None:
    town = UnitSpec("岩寺镇", "乡镇", ())
    with pytest.raises(SeedError, match="同时属于"):
        UnitCatalog((town, UnitSpec("岩寺", "乡镇", ("岩寺镇",))))
