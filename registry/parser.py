"""The row rules of the task breakdown table, and the 2023 registry read with them.

``registry.tables`` reads the table from the text rendering of 徽政〔2023〕1号, a Word document or
an Excel workbook as rows of cells; ``parse_table`` turns those rows into categories and tasks,
the same way whatever the file was. A task row is four cells (序号, 主要任务, 责任领导, 责任单位); a
category row is one cell such as "（一）抓转型、促升级，让工业脊梁更加挺拔"; the rows before the
first category belong to 主要预期目标; a note (备注…) ends the table.

Every problem is collected, each with its row, task and cell. ``parse_document`` (the 2023 text)
stops at the first, as a ``SeedError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.text import unit_name
from core.vocab import LEAD_LEADER_MARK
from registry.catalogue import DEFAULT_UNITS_FILE, SeedError, UnitCatalog, load_units
from registry.tables import HEADER, Cell, Problem, Row, Table, TableError, is_note, read_text, section_number
from seed import SEED_DIR

DEFAULT_DOCUMENT = SEED_DIR / "huizhou-2023-task-breakdown.txt"
YEAR = 2023

HEADLINE_CATEGORY = "主要预期目标"
LEAD_MARK = LEAD_LEADER_MARK

NUMBER, TEXT, LEADERS, UNITS = HEADER
_NUMERALS = "一二三四五六七八九"
_LEADER = re.compile(rf"^({LEAD_MARK}?)([\u4e00-\u9fff]{{2,4}})$")
_LEADER_SEPARATORS = re.compile(r"[\s、，,；;]+")
_TOTALS = re.compile(r"(\d+)个方面(\d+)项重点工作")


class Names(Protocol):
    """The names a unit cell may use: canonical names, aliases and groups."""

    def resolve(self, name: str) -> str | None:
        """The canonical name ``name`` stands for, or None."""
        ...

    def labels(self) -> tuple[str, ...]:
        """Every canonical name and alias."""
        ...


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
    line: int  # where its row starts: a line of the text rendering, or the table's row

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
class Reading:
    """What the rules made of a table: tasks as far as they could be read, and every problem."""

    categories: tuple[ParsedCategory, ...]
    tasks: tuple[ParsedTask, ...]
    repairs: tuple[Repair, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class ParsedRegistry:
    year: int
    categories: tuple[ParsedCategory, ...]
    tasks: tuple[ParsedTask, ...]
    catalog: UnitCatalog
    repairs: tuple[Repair, ...] = ()


def load_registry(document: Path = DEFAULT_DOCUMENT, units_file: Path = DEFAULT_UNITS_FILE) -> ParsedRegistry:
    return parse_document(document.read_text(encoding="utf-8"), load_units(units_file))


def parse_document(text: str, catalog: UnitCatalog) -> ParsedRegistry:
    """The registry of the text rendering; SeedError at its first problem."""
    try:
        table = read_text(text)
    except TableError as exc:
        raise SeedError(exc.problem.message, exc.problem.row) from None
    reading = parse_table(table, catalog)
    if reading.problems:
        first = reading.problems[0]
        raise SeedError(first.message, first.row)
    return ParsedRegistry(YEAR, reading.categories, reading.tasks, catalog, reading.repairs)


def parse_table(table: Table, names: Names) -> Reading:
    return _Parser(table, names).parse()


def short_name(name: str) -> str:
    return name.split("，", 1)[0]


class _Stop(Exception):
    """The rows below cannot be read: a flat rendering came out shifted."""


class _Parser:
    def __init__(self, table: Table, names: Names) -> None:
        self.table = table
        self.names = names
        self.labels = sorted(names.labels(), key=len, reverse=True)
        self.categories: list[ParsedCategory] = []
        self.tasks: list[ParsedTask] = []
        self.repairs: list[Repair] = []
        self.problems: list[Problem] = []
        self.numbered = False

    def parse(self) -> Reading:
        try:
            self._rows()
        except _Stop:
            pass
        else:
            self._check_totals()
        if not self.tasks and not self.problems:
            self._problem("表格中没有任何任务", None)
        return Reading(tuple(self.categories), tuple(self.tasks), tuple(self.repairs), tuple(self.problems))

    def _problem(
        self, message: str, row: int | None, *, task: int | None = None, field: str = "", value: str = "", **extra: bool
    ) -> None:
        self.problems.append(Problem(message, row, self.table.where(row), task, field, value, **extra))

    def _rows(self) -> None:
        category = ParsedCategory(0, HEADLINE_CATEGORY, HEADLINE_CATEGORY)
        ended = False
        for row in self.table.rows:
            filled = [cell.text for cell in row.cells if cell.text]
            if not filled:
                continue
            if ended:
                self._problem("备注之后不应再有内容", row.at, value=filled[0])
                continue
            if len(filled) == 1 and is_note(filled[0]):
                ended = True
                continue
            seq = section_number(filled[0]) if len(filled) == 1 else None
            if seq is not None:
                category = self._section(row, filled[0], seq, category)
                continue
            if len(row.cells) != len(HEADER):
                self._problem(
                    f"任务行应有“{' | '.join(HEADER)}”四栏，此行只有 {len(row.cells)} 栏"
                    "（表格在此处意外结束，或单元格被横向合并）",
                    row.at,
                    value=filled[0],
                )
                if self.table.flat:
                    raise _Stop
                continue
            if category.seq == 0 and not self.categories:
                self.categories.append(category)
            self._task(row, category)

    def _section(self, row: Row, name: str, seq: int, previous: ParsedCategory) -> ParsedCategory:
        if seq != previous.seq + 1:
            self._problem(
                f"分类序号应为（{_numeral(previous.seq + 1)}），实际为（{_numeral(seq)}）", row.at, value=name
            )
        if previous.seq and (not self.tasks or self.tasks[-1].category != previous.name):
            self._problem(f"分类“{previous.name}”下没有任何任务", row.at, value=name)
        category = ParsedCategory(seq, name, short_name(name))
        self.categories.append(category)
        return category

    def _task(self, row: Row, category: ParsedCategory) -> None:
        number_cell, text_cell, leader_cell, unit_cell = row.cells
        no = len(self.tasks) + 1
        self._check_number(number_cell, no, row.at)
        shifted = False
        if not text_cell.text or _looks_like_row_start(text_cell.text):
            self._problem(f"第{no}项任务缺少任务内容", row.at, task=no, field=TEXT, value=text_cell.text)
            shifted = bool(text_cell.text)
        leaders, lead = self._leaders(leader_cell, no, category, row.at)
        units: tuple[str, ...] = ()
        if not unit_cell.text or _looks_like_row_start(unit_cell.text):
            self._problem(f"第{no}项任务缺少责任单位", row.at, task=no, field=UNITS, value=unit_cell.text)
            shifted = shifted or bool(unit_cell.text)
        else:
            units = self._units(unit_cell, no)
        self.tasks.append(
            ParsedTask(
                no=no,
                category=category.name,
                text=text_cell.text,
                leaders=leaders,
                lead_leader=lead,
                units=units,
                line=row.at,
            )
        )
        if shifted and self.table.flat:
            raise _Stop

    def _check_number(self, cell: Cell, no: int, at: int) -> None:
        printed = cell.text
        lines = [text for _, text in cell.lines if text.strip()]
        if len(lines) > 1 or (printed and not printed.isdigit()):
            self._problem(f"第{no}项任务的序号栏无法识别：“{printed}”", at, task=no, field=NUMBER, value=printed)
            return
        if printed:
            if int(printed) != no:
                self._problem(
                    f"序号应为{no}，实际印的是{printed}（任务按顺序编号，请核对是否漏了或多了一行）",
                    at,
                    task=no,
                    field=NUMBER,
                    value=printed,
                )
            self.numbered = True
        elif self.numbered:
            self._problem(f"第{no}项任务缺少序号（前面的任务已印有序号）", at, task=no, field=NUMBER)

    def _leaders(self, cell: Cell, no: int, category: ParsedCategory, at: int) -> tuple[tuple[str, ...], str]:
        leaders: list[str] = []
        lead: str | None = None
        for number, raw in cell.lines:
            for name in _leader_names(raw):
                match = _LEADER.match(name)
                if not match or self.names.resolve(match.group(2)) is not None:
                    self._problem(f"无法识别的责任领导“{name}”", number, task=no, field=LEADERS, value=name)
                    continue
                marked, person = match.groups()
                if person in leaders:
                    self._problem(f"责任领导“{person}”重复列出", number, task=no, field=LEADERS, value=person)
                    continue
                if marked:
                    if lead is not None:
                        self._problem(
                            f"第{no}项任务有两个牵头领导（{LEAD_MARK}），只能有一个",
                            number,
                            task=no,
                            field=LEADERS,
                            value=f"{LEAD_MARK}{lead} {LEAD_MARK}{person}",
                        )
                    else:
                        lead = person
                leaders.append(person)
        if not leaders:
            previous = self.tasks[-1] if self.tasks else None
            if previous is None or previous.category != category.name:
                self._problem(
                    f"第{no}项任务没有责任领导，上方也没有可沿用的领导", at, task=no, field=LEADERS, value=cell.text
                )
                return (), ""
            return previous.leaders, previous.lead_leader
        if lead is None:
            if len(leaders) > 1:
                self._problem(
                    f"第{no}项任务有多位责任领导，但没有用{LEAD_MARK}标出牵头领导",
                    cell.lines[0][0],
                    task=no,
                    field=LEADERS,
                    value=" ".join(leaders),
                )
            lead = leaders[0]
        return tuple(leaders), lead

    def _units(self, cell: Cell, no: int) -> tuple[str, ...]:
        """Split a unit cell into canonical names.

        Names are separated by line breaks or runs of spaces. A piece that is
        not one known name is split into several known names (names glued
        together); if that fails and it ends its line, it is joined with the
        first piece of the next line (a name broken over two lines). A name that
        stays unknown is kept as written, with a problem.
        """
        units: list[str] = []
        pending: tuple[int, str] | None = None
        for number, raw in cell.lines:
            pieces = raw.split()
            if not pieces:
                continue
            if pending is not None:
                fragment_line, fragment = pending
                pending = None
                joined = self._segment(fragment + pieces[0])
                if joined is None:
                    self._unknown(
                        fragment,
                        fragment_line,
                        no,
                        f"（与下一行“{pieces[0]}”连起来也不是已知单位）",
                    )
                    units.append(fragment)
                else:
                    self.repairs.append(Repair(fragment_line, (fragment, pieces[0]), tuple(joined)))
                    units.extend(joined)
                    pieces = pieces[1:]
            for position, piece in enumerate(pieces):
                names = self._segment(piece)
                if names is None:
                    if position == len(pieces) - 1:
                        pending = (number, piece)
                        continue
                    self._unknown(piece, number, no)
                    units.append(piece)
                    continue
                if len(names) > 1:
                    self.repairs.append(Repair(number, (piece,), tuple(names)))
                units.extend(names)
        if pending is not None:
            self._unknown(pending[1], pending[0], no)
            units.append(pending[1])
        canonical: list[str] = []
        for name in units:
            unit = self.names.resolve(name) or name
            if unit not in canonical:
                canonical.append(unit)
        return tuple(canonical)

    def _unknown(self, name: str, line: int, no: int, detail: str = "") -> None:
        self._problem(
            f"无法识别的责任单位“{name}”{detail}：既不是已知单位或别称，也不是群组",
            line,
            task=no,
            field=UNITS,
            value=name,
            unknown_unit=True,
        )

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

    def _check_totals(self) -> None:
        for number, line in self.table.preamble:
            match = _TOTALS.search(line)
            if match is None:
                continue
            sections, tasks = (int(value) for value in match.groups())
            found_sections = sum(1 for c in self.categories if c.seq)
            if (sections, tasks) != (found_sections, len(self.tasks)):
                self._problem(
                    f"通知称共{sections}个方面{tasks}项重点工作，表中实际为{found_sections}个方面{len(self.tasks)}项",
                    number,
                    value=match.group(0),
                )
            return


def _leader_names(line: str) -> list[str]:
    """The names on one line of a leader cell. Names are separated by spaces (or 、，；), but a
    stray space inside a name (“黄  劼”) leaves a piece of one character: it joins its neighbour."""
    names: list[str] = []
    pending = ""
    for piece in _LEADER_SEPARATORS.split(line.strip()):
        pending += piece
        if len(pending.lstrip(LEAD_MARK)) >= 2:
            names.append(pending)
            pending = ""
    if pending:
        if names and len(pending.lstrip(LEAD_MARK)) == 1:
            names[-1] += pending
        else:
            names.append(pending)
    return [unit_name(name) for name in names if name]


def _numeral(seq: int) -> str:
    if seq < 10:
        return _NUMERALS[seq - 1]
    tens, ones = divmod(seq, 10)
    return ("" if tens == 1 else _NUMERALS[tens - 1]) + "十" + (_NUMERALS[ones - 1] if ones else "")


def _looks_like_row_start(text: str) -> bool:
    return text.isdigit() or section_number(text) is not None or is_note(text)
