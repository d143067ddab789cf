"""Catalogue of responsible units: canonical names, aliases and groups."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from core.text import unit_name
from core.vocab import UnitKind
from seed import SEED_DIR

DEFAULT_UNITS_FILE = SEED_DIR / "units.toml"

_UNIT_KEYS = {"name", "kind", "aliases"}
_GROUP_KEYS = {"name", "aliases", "members", "reason"}


class SeedError(Exception):
    """Seed data does not have the expected shape; the message is in Chinese."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"第{line}行：{message}" if line is not None else message)
        self.line = line


@dataclass(frozen=True)
class UnitSpec:
    name: str
    kind: str
    aliases: tuple[str, ...]
    members: tuple[str, ...] = ()
    reason: str = ""

    @property
    def is_group(self) -> bool:
        return self.kind == UnitKind.GROUP


@dataclass(frozen=True)
class UnitCatalog:
    units: tuple[UnitSpec, ...]
    _index: dict[str, UnitSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, UnitSpec] = {}
        for spec in self.units:
            self._check_spec(spec)
            for label in (spec.name, *spec.aliases):
                other = index.get(label)
                if other is not None:
                    raise SeedError(_duplicate_message(label, other, spec))
                index[label] = spec
        for spec in self.units:
            for member in spec.members:
                target = index.get(member)
                if target is None or target.is_group or target.name != member:
                    raise SeedError(f"群组“{spec.name}”的成员“{member}”不是单位的规范名称")
        object.__setattr__(self, "_index", index)

    @staticmethod
    def _check_spec(spec: UnitSpec) -> None:
        for label in (spec.name, *spec.aliases, *spec.members):
            if not label or unit_name(label) != label:
                raise SeedError(f"单位“{spec.name}”中有空名称或名称内含空格：“{label}”")
        if spec.is_group:
            if not spec.reason.strip():
                raise SeedError(f"群组“{spec.name}”缺少 reason（确定成员的理由）")
            if len(set(spec.members)) != len(spec.members):
                raise SeedError(f"群组“{spec.name}”的成员有重复")
        elif spec.kind not in UnitKind.reporting():
            kinds = " / ".join(UnitKind.reporting())
            raise SeedError(f"单位“{spec.name}”的类别“{spec.kind}”无效，应为 {kinds}")
        elif spec.members or spec.reason:
            raise SeedError(f"单位“{spec.name}”不是群组，不能有 members 或 reason")

    def resolve(self, name: str) -> str | None:
        spec = self.spec(name)
        return spec.name if spec else None

    def spec(self, name: str) -> UnitSpec | None:
        """The unit or group called `name` (canonical name or alias)."""
        return self._index.get(unit_name(name))

    def labels(self) -> tuple[str, ...]:
        """Every canonical name and alias, units and groups alike."""
        return tuple(self._index)


def _duplicate_message(label: str, first: UnitSpec, second: UnitSpec) -> str:
    if first is second:
        return f"“{label}”在单位“{first.name}”中重复出现"
    if first.name == second.name == label:
        return f"单位“{label}”重复定义"
    return f"名称“{label}”同时属于“{first.name}”和“{second.name}”，每个名称只能出现一次"


def load_units(path: Path = DEFAULT_UNITS_FILE) -> UnitCatalog:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path.name} 格式错误：{exc}") from exc
    unknown = set(data) - {"unit", "group"}
    if unknown:
        raise SeedError(f"{path.name} 含有无法识别的部分：{'、'.join(sorted(unknown))}")
    specs = [_unit_spec(entry) for entry in _tables(data, "unit")]
    specs += [_group_spec(entry) for entry in _tables(data, "group")]
    return UnitCatalog(tuple(specs))


def _tables(data: dict[str, object], key: str) -> list[dict[str, object]]:
    tables = data.get(key, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise SeedError(f"“{key}”应写成 [[{key}]] 表格")
    return tables


def _unit_spec(entry: dict[str, object]) -> UnitSpec:
    name = _text(entry, "name", "unit")
    _check_keys(entry, _UNIT_KEYS, name)
    return UnitSpec(
        name=name,
        kind=_text(entry, "kind", name),
        aliases=_texts(entry, "aliases", name),
    )


def _group_spec(entry: dict[str, object]) -> UnitSpec:
    name = _text(entry, "name", "group")
    _check_keys(entry, _GROUP_KEYS, name)
    return UnitSpec(
        name=name,
        kind=UnitKind.GROUP,
        aliases=_texts(entry, "aliases", name),
        members=_texts(entry, "members", name, required=True),
        reason=_text(entry, "reason", name),
    )


def _check_keys(entry: dict[str, object], allowed: set[str], name: str) -> None:
    unknown = set(entry) - allowed
    if unknown:
        raise SeedError(f"“{name}”含有无法识别的字段：{'、'.join(sorted(unknown))}")


def _text(entry: dict[str, object], key: str, owner: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str):
        raise SeedError(f"“{owner}”缺少文字字段 {key}")
    return value.strip()


def _texts(entry: dict[str, object], key: str, owner: str, *, required: bool = False) -> tuple[str, ...]:
    if key not in entry and not required:
        return ()
    value = entry.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SeedError(f"“{owner}”的 {key} 应为文字列表")
    return tuple(v.strip() for v in value)
