"""Parse the task breakdown table of 徽政〔2023〕1号 into a task registry.

The source is a text rendering of a Word table: every cell starts on a line
beginning with a TAB, further lines of the same cell do not, and blank lines
carry no meaning. A task row is four cells (序号, 主要任务, 责任领导, 责任单位);
a section row is one cell such as "（一）抓转型、促升级，让工业脊梁更加挺拔".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from core.vocab import LEAD_LEADER_MARK
from registry.catalogue import DEFAULT_UNITS_FILE, SeedError, UnitCatalog, load_units, normalize
from seed import SEED_DIR

DEFAULT_DOCUMENT = SEED_DIR / "huizhou-2023-task-breakdown.txt"
YEAR = 2023

HEADLINE_CATEGORY = "主要预期目标"
LEAD_MARK = LEAD_LEADER_MARK

_SECTION_NUMERALS = "一二三四五六七八九"
_SECTION = re.compile(rf"^（([{_SECTION_NUMERALS}])）")
_HEADER = ("序号", "主要任务", "责任领导", "责任单位")
_END_NOTE = "备注"
_LEADER = re.compile(rf"^({LEAD_MARK}?)([\u4e00-\u9fff]{{2,4}})$")
_TOTALS = re.compile(r"(\d+)个方面(\d+)项重点工作")


@dataclass(frozen=True)
class ParsedCategory:
    seq: int
    name: str
    short: str


@dataclass(frozen=True)
class ParsedTask:
    no: int
    category: str
    text: str
    leaders: tuple[str, ...]
    lead_leader: str
    units: tuple[str, ...]
    line: int

    @property
    def lead_unit(self) -> str:
        return self.units[0]


@dataclass(frozen=True)
class Repair:
    """A damaged unit cell entry: a name split over two lines, or names glued together."""

    line: int
    raw: tuple[str, ...]
    units: tuple[str, ...]


@dataclass(frozen=True)
class ParsedRegistry:
    year: int
    categories: tuple[ParsedCategory, ...]
    tasks: tuple[ParsedTask, ...]
    catalog: UnitCatalog
    repairs: tuple[Repair, ...] = ()


@dataclass(frozen=True)
class _Cell:
    line: int
    lines: tuple[tuple[int, str], ...]

    @property
    def text(self) -> str:
        return "".join(text.strip() for _, text in self.lines)


def load_registry(document: Path = DEFAULT_DOCUMENT, units_file: Path = DEFAULT_UNITS_FILE) -> ParsedRegistry:
    return parse_document(document.read_text(encoding="utf-8"), load_units(units_file))


def parse_document(text: str, catalog: UnitCatalog) -> ParsedRegistry:
    return _Parser(text.split("\n"), catalog).parse()


def short_name(name: str) -> str:
    return name.split("，", 1)[0]


class _Parser:
    def __init__(self, lines: list[str], catalog: UnitCatalog) -> None:
        self.lines = lines
        self.catalog = catalog
        self.labels = sorted(catalog.labels(), key=len, reverse=True)
        self.categories: list[ParsedCategory] = []
        self.tasks: list[ParsedTask] = []
        self.repairs: list[Repair] = []
        self.numbered = False

    def parse(self) -> ParsedRegistry:
        start = self._header_line()
        cells = self._cells(start)
        self._check_header(cells[: len(_HEADER)], start)
        self._rows(cells[len(_HEADER) :])
        self._check_totals(start)
        return ParsedRegistry(
            year=YEAR,
            categories=tuple(self.categories),
            tasks=tuple(self.tasks),
            catalog=self.catalog,
            repairs=tuple(self.repairs),
        )

    def _header_line(self) -> int:
        for number, line in enumerate(self.lines, 1):
            if line.startswith("\t") and line.strip() == _HEADER[0]:
                return number
        raise SeedError("找不到任务分解表的表头（“序号”一栏）")

    def _cells(self, start: int) -> list[_Cell]:
        cells: list[_Cell] = []
        for number in range(start, len(self.lines) + 1):
            line = self.lines[number - 1]
            if line.startswith("\t"):
                cells.append(_Cell(number, ((number, line[1:]),)))
            elif line.strip():
                last = cells[-1]
                cells[-1] = _Cell(last.line, (*last.lines, (number, line)))
        return cells

    def _check_header(self, cells: list[_Cell], start: int) -> None:
        found = tuple(cell.text for cell in cells)
        if found != _HEADER:
            raise SeedError(f"表头应为“{' | '.join(_HEADER)}”，实际为“{' | '.join(found)}”", start)

    def _rows(self, cells: list[_Cell]) -> None:
        category = ParsedCategory(0, HEADLINE_CATEGORY, HEADLINE_CATEGORY)
        index = 0
        while index < len(cells):
            cell = cells[index]
            if cell.text.startswith(_END_NOTE):
                self._check_after_note(cell)
                return
            section = _SECTION.match(cell.text)
            if section:
                category = self._section(cell, section.group(1), category)
                index += 1
                continue
            row = cells[index : index + 4]
            if len(row) < 4:
                raise SeedError("表格在此处意外结束，任务行不完整", cell.line)
            if category.seq == 0 and not self.categories:
                self.categories.append(category)
            self._task(row, category)
            index += 4

    def _check_after_note(self, note: _Cell) -> None:
        for number in range(note.line + 1, len(self.lines) + 1):
            if self.lines[number - 1].strip():
                raise SeedError("备注之后不应再有内容", number)

    def _section(self, cell: _Cell, numeral: str, previous: ParsedCategory) -> ParsedCategory:
        seq = _SECTION_NUMERALS.index(numeral) + 1
        if seq != previous.seq + 1:
            expected = _SECTION_NUMERALS[previous.seq]
            raise SeedError(f"分类序号应为（{expected}），实际为（{numeral}）", cell.line)
        if not self.tasks or self.tasks[-1].category != previous.name:
            raise SeedError(f"分类“{previous.name}”下没有任何任务", cell.line)
        category = ParsedCategory(seq, cell.text, short_name(cell.text))
        self.categories.append(category)
        return category

    def _task(self, row: list[_Cell], category: ParsedCategory) -> None:
        number_cell, text_cell, leader_cell, unit_cell = row
        no = len(self.tasks) + 1
        self._check_number(number_cell, no)
        if not text_cell.text or _looks_like_row_start(text_cell.text):
            raise SeedError(f"第{no}项任务缺少任务内容", number_cell.line)
        leaders, lead = self._leaders(leader_cell, no, category, number_cell.line)
        if not unit_cell.text or _looks_like_row_start(unit_cell.text):
            raise SeedError(f"第{no}项任务缺少责任单位", number_cell.line)
        self.tasks.append(
            ParsedTask(
                no=no,
                category=category.name,
                text=text_cell.text,
                leaders=leaders,
                lead_leader=lead,
                units=self._units(unit_cell),
                line=number_cell.line,
            )
        )

    def _check_number(self, cell: _Cell, no: int) -> None:
        printed = cell.text
        if len(cell.lines) > 1 or (printed and not printed.isdigit()):
            raise SeedError(f"第{no}项任务的序号栏无法识别：“{printed}”", cell.line)
        if printed:
            if int(printed) != no:
                raise SeedError(f"序号应为{no}，实际印的是{printed}", cell.line)
            self.numbered = True
        elif self.numbered:
            raise SeedError(f"第{no}项任务缺少序号（前面的任务已印有序号）", cell.line)

    def _leaders(self, cell: _Cell, no: int, category: ParsedCategory, row_line: int) -> tuple[tuple[str, ...], str]:
        leaders: list[str] = []
        lead: str | None = None
        for number, raw in cell.lines:
            name = normalize(raw)
            if not name:
                continue
            match = _LEADER.match(name)
            if not match or self.catalog.resolve(match.group(2)) is not None:
                raise SeedError(f"无法识别的责任领导“{name}”", number)
            marked, person = match.groups()
            if person in leaders:
                raise SeedError(f"责任领导“{person}”重复列出", number)
            if marked:
                if lead is not None:
                    raise SeedError(f"第{no}项任务有两个牵头领导（{LEAD_MARK}）", number)
                lead = person
            leaders.append(person)
        if not leaders:
            previous = self.tasks[-1] if self.tasks else None
            if previous is None or previous.category != category.name:
                raise SeedError(f"第{no}项任务没有责任领导，上方也没有可沿用的领导", row_line)
            return previous.leaders, previous.lead_leader
        if lead is None:
            if len(leaders) > 1:
                raise SeedError(f"第{no}项任务有多位责任领导，但没有用{LEAD_MARK}标出牵头领导", cell.line)
            lead = leaders[0]
        return tuple(leaders), lead

    def _units(self, cell: _Cell) -> tuple[str, ...]:
        """Split a unit cell into canonical names.

        Names are separated by line breaks or runs of spaces. A piece that is
        not one known name is split into several known names (names glued
        together); if that fails and it ends its line, it is joined with the
        first piece of the next line (a name broken over two lines).
        """
        units: list[str] = []
        pending: tuple[int, str] | None = None
        for number, raw in cell.lines:
            pieces = raw.split()
            if pending is not None:
                fragment_line, fragment = pending
                pending = None
                joined = self._segment(fragment + pieces[0])
                if joined is None:
                    raise SeedError(
                        f"无法识别的责任单位“{fragment}”（与下一行“{pieces[0]}”连起来也不是已知单位）",
                        fragment_line,
                    )
                self.repairs.append(Repair(fragment_line, (fragment, pieces[0]), tuple(joined)))
                units.extend(joined)
                pieces = pieces[1:]
            for position, piece in enumerate(pieces):
                names = self._segment(piece)
                if names is None:
                    if position == len(pieces) - 1:
                        pending = (number, piece)
                        continue
                    raise SeedError(_unknown_unit(piece), number)
                if len(names) > 1:
                    self.repairs.append(Repair(number, (piece,), tuple(names)))
                units.extend(names)
        if pending is not None:
            raise SeedError(_unknown_unit(pending[1]), pending[0])
        canonical: list[str] = []
        for name in units:
            unit = self.catalog.resolve(name) or name
            if unit not in canonical:
                canonical.append(unit)
        return tuple(canonical)

    def _segment(self, text: str) -> list[str] | None:
        """Split `text` into known names, trying longer names first."""
        if not text:
            return []
        for label in self.labels:
            if text.startswith(label):
                rest = self._segment(text[len(label) :])
                if rest is not None:
                    return [label, *rest]
        return None

    def _check_totals(self, header_line: int) -> None:
        for number, line in enumerate(self.lines[: header_line - 1], 1):
            match = _TOTALS.search(line)
            if match is None:
                continue
            sections, tasks = (int(value) for value in match.groups())
            found_sections = len(self.categories) - 1
            if (sections, tasks) != (found_sections, len(self.tasks)):
                raise SeedError(
                    f"通知称共{sections}个方面{tasks}项重点工作，表中实际为{found_sections}个方面{len(self.tasks)}项",
                    number,
                )
            return


def _looks_like_row_start(text: str) -> bool:
    return text.isdigit() or bool(_SECTION.match(text)) or text.startswith(_END_NOTE)


def _unknown_unit(name: str) -> str:
    return f"无法识别的责任单位“{name}”：既不是已知单位或别称，也不是群组（请核对原文或补充 units.toml）"
