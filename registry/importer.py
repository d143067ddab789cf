"""Import a year's task breakdown from the file the office receives (.docx, .xlsx or the .txt
rendering): a preview of everything read and every problem, then the import in the caller's
transaction.

Names are resolved against the catalogue in the database (units, aliases and groups, including
those the office added), not only ``seed/units.toml``. A name it does not know is refused, with
the closest known names, until it is added as an alias or created as a new unit.

Importing what a year already holds (the same tasks, leaders and units, whatever file they came
from) changes nothing. Different content replaces the year only while it has no reports.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, replace

from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from accounts.access import Actor, ensure_office
from accounts.audit import audit
from core.text import unit_name
from core.vocab import UnitKind
from cycle.periods import ensure_periods
from db import queries
from db.models import Category, Period, Submission, Task, TaskLeader, TaskUnit, Unit, UnitAlias, UnitObligation
from registry import obligations
from registry.loader import insert_tasks
from registry.parser import ParsedCategory, ParsedTask, parse_table
from registry.tables import SUFFIXES, Problem, TableError, read_file

MIN_YEAR, MAX_YEAR = 2000, 2100
_CLOSEST = 3

NEW, SAME, REPLACE = "new", "same", "replace"


class ImportRefused(ValueError):
    """The import was refused; ``problems`` lists every reason."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("；".join(str(p) for p in problems[:3]) + ("……" if len(problems) > 3 else ""))
        self.problems = problems


class ImportUsageError(ValueError):
    """The year or the file name cannot be used at all."""


def check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ImportUsageError(f"年份应在 {MIN_YEAR}–{MAX_YEAR} 之间，实际为 {year}")
    return year


def check_file_name(file_name: str) -> str:
    if not file_name.lower().endswith(SUFFIXES):
        raise ImportUsageError(f"只能导入 {' / '.join(SUFFIXES)} 文件，不能导入“{file_name}”")
    return file_name


class _CatalogueNames:
    """The database's catalogue, as the row rules look names up."""

    def __init__(self, session: Session) -> None:
        self.index: dict[str, str] = {u.name: u.name for u in session.exec(select(Unit))}
        for alias, name in session.exec(
            select(UnitAlias.alias, Unit.name).join(Unit, col(Unit.id) == col(UnitAlias.unit_id))
        ):
            self.index.setdefault(alias, name)

    def resolve(self, name: str) -> str | None:
        return self.index.get(unit_name(name))

    def labels(self) -> tuple[str, ...]:
        return tuple(self.index)

    def closest(self, name: str) -> list[str]:
        found: list[str] = []
        for label in difflib.get_close_matches(name, self.index, n=_CLOSEST * 2, cutoff=0.4):
            if self.index[label] not in found:
                found.append(self.index[label])
        return found[:_CLOSEST]


def kind_for_new_unit(name: str) -> UnitKind:
    """The kind a unit created by an import gets, from how its name reads; the office may correct
    it in 单位管理. Names like 各乡镇 or …成员单位 are groups (members to be filled in)."""
    if name.startswith(("各", "有关")) or name.endswith("成员单位"):
        return UnitKind.GROUP
    if name.endswith(("镇", "乡", "街道")):
        return UnitKind.TOWNSHIP
    if any(word in name for word in ("公司", "集团")):
        return UnitKind.ENTERPRISE
    return UnitKind.DEPARTMENT


@dataclass(frozen=True)
class Preview:
    year: int
    file_name: str
    categories: tuple[ParsedCategory, ...]
    tasks: tuple[ParsedTask, ...]
    problems: tuple[Problem, ...]
    new_units: tuple[tuple[str, UnitKind], ...]  # created on import (with create_units)
    action: str  # NEW, SAME or REPLACE (when there are no problems)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> list[tuple[str, int]]:
        """Tasks per category, in order."""
        per = Counter(task.category for task in self.tasks)
        return [(c.name, per[c.name]) for c in self.categories]

    def leaders(self) -> list[str]:
        return list(dict.fromkeys(name for task in self.tasks for name in task.leaders))

    def units(self) -> list[str]:
        return list(dict.fromkeys(name for task in self.tasks for name in task.units))

    def summary(self) -> str:
        verb = {NEW: "导入", SAME: "与已有内容相同，无需导入", REPLACE: "替换已有的任务清单"}[self.action]
        text = (
            f"{self.year} 年任务 {len(self.tasks)} 项（{len(self.categories)} 个分类），"
            f"责任领导 {len(self.leaders())} 位，责任单位 {len(self.units())} 个"
        )
        return f"{text}：{verb}" if self.action != NEW else text


@dataclass(frozen=True)
class ImportResult:
    preview: Preview

    @property
    def changed(self) -> bool:
        return self.preview.action != SAME

    def message(self) -> str:
        p = self.preview
        if not self.changed:
            return f"{p.year} 年的任务清单与文件内容完全相同，未作任何改动。"
        verb = "已替换" if p.action == REPLACE else "已导入"
        text = f"{verb} {p.year} 年任务 {len(p.tasks)} 项（{len(p.categories)} 个分类）。"
        if p.new_units:
            text += f"新建单位 {len(p.new_units)} 个：" + "、".join(f"{n}（{k}）" for n, k in p.new_units) + "。"
        return text

    def as_json(self) -> dict[str, object]:
        p = self.preview
        return {
            "year": p.year,
            "action": p.action,
            "tasks": len(p.tasks),
            "categories": [{"name": name, "tasks": n} for name, n in p.counts()],
            "leaders": len(p.leaders()),
            "units": len(p.units()),
            "created_units": [{"name": n, "kind": k.value} for n, k in p.new_units],
        }


def preview(session: Session, *, data: bytes, file_name: str, year: int, create_units: bool = False) -> Preview:
    """What importing the file for ``year`` would do, with every problem; writes nothing."""
    check_year(year)
    check_file_name(file_name)
    try:
        table = read_file(file_name, data)
    except TableError as exc:
        return Preview(year, file_name, (), (), (exc.problem,), (), NEW)
    names = _CatalogueNames(session)
    reading = parse_table(table, names)
    problems: list[Problem] = []
    new_units: dict[str, UnitKind] = {}
    for problem in reading.problems:
        if problem.unknown_unit and create_units:
            new_units.setdefault(problem.value, kind_for_new_unit(problem.value))
        elif problem.unknown_unit:
            problems.append(replace(problem, message=_unknown_message(problem.value, names.closest(problem.value))))
        else:
            problems.append(problem)
    action = _action(session, year, reading.categories, reading.tasks)
    if action == REPLACE and not problems:
        reports = _reports(session, year)
        if reports:
            problems.append(
                Problem(
                    f"{year} 年已有 {reports} 份月报，不能再用内容不同的任务分解表替换（已有的月报对应现有的任务）。"
                    "如确需更改，请在“单位管理”中调整，或导入到另一个年份"
                )
            )
    return Preview(
        year, file_name, reading.categories, reading.tasks, tuple(problems), tuple(new_units.items()), action
    )


def import_breakdown(
    session: Session, *, actor: Actor, data: bytes, file_name: str, year: int, create_units: bool = False
) -> ImportResult:
    """Import the file for ``year`` in the caller's transaction; ImportRefused with every problem."""
    ensure_office(actor)
    seen = preview(session, data=data, file_name=file_name, year=year, create_units=create_units)
    if not seen.ok:
        raise ImportRefused(seen.problems)
    result = ImportResult(seen)
    if not result.changed:
        return result
    for name, kind in seen.new_units:
        session.add(Unit(name=name, kind=kind, note="导入任务分解表时新建" if kind == UnitKind.GROUP else ""))
    if seen.action == REPLACE:
        _delete_year(session, year)
    session.flush()
    insert_tasks(session, year=year, categories=seen.categories, tasks=seen.tasks)
    session.flush()
    obligations.refresh(session, year=year)
    ensure_periods(session, year=year)
    audit(
        session,
        actor.username,
        "registry_imported",
        {
            "年份": year,
            "文件": file_name,
            "操作": "替换" if seen.action == REPLACE else "导入",
            "任务数": len(seen.tasks),
            "新建单位": "、".join(name for name, _ in seen.new_units) or "无",
        },
    )
    return result


def _unknown_message(name: str, closest: list[str]) -> str:
    near = f"最接近的已知名称：{'、'.join(closest)}。" if closest else "单位名录中没有相近的名称。"
    return (
        f"无法识别的责任单位“{name}”：{near}如果是已有单位的另一种写法，请先把它添加为该单位的别名"
        "（“单位管理”页，或 python cli.py alias add）；如果是新单位，请选择新建单位（--create-units）"
    )


def _action(session: Session, year: int, categories: tuple[ParsedCategory, ...], tasks: tuple[ParsedTask, ...]) -> str:
    held = queries.tasks(session, year)
    if not held:
        return NEW
    stored_categories = [(c.seq, c.name, c.short) for c in queries.categories(session, year)]
    stored = [(t.no, t.category, t.text, tuple(t.leaders), t.lead_leader, tuple(t.units)) for t in held]
    read = [(t.no, t.category, t.text, t.leaders, t.lead_leader, t.units) for t in tasks]
    same = stored_categories == [(c.seq, c.name, c.short) for c in categories] and stored == read
    return SAME if same else REPLACE


def _reports(session: Session, year: int) -> int:
    count = session.exec(
        select(func.count())
        .select_from(Submission)
        .join(Period, col(Period.id) == col(Submission.period_id))
        .where(Period.year == year)
    ).one()
    return int(count)


def _delete_year(session: Session, year: int) -> None:
    task_ids = select(Task.id).where(Task.year == year)
    session.execute(delete(UnitObligation).where(col(UnitObligation.year) == year))
    session.execute(delete(TaskLeader).where(col(TaskLeader.task_id).in_(task_ids)))
    session.execute(delete(TaskUnit).where(col(TaskUnit.task_id).in_(task_ids)))
    session.execute(delete(Task).where(col(Task.year) == year))
    session.execute(delete(Category).where(col(Category.year) == year))
