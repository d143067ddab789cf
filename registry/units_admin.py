"""单位管理: the office adds aliases, fills groups, adds units the document did not name and
corrects a unit's kind. Every change is audited as ``unit_changed``.

Names are never changed: reports, deductions and the audit log show units by name. The
registry file's own aliases cannot be removed: the document spells units that way, and
``init`` would add them back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from accounts.access import Actor, ensure_office
from accounts.audit import audit
from core.text import unit_name
from core.vocab import Responsibility, UnitKind
from db.ids import id_of
from db.models import GroupMember, Submission, Task, TaskUnit, Unit, UnitAlias, User
from db.queries import current_year
from registry.catalogue import load_units
from registry.obligations import obligations
from registry.obligations import refresh as refresh_obligations

# The kinds the office may set, groups last: a group is the exception.
ALL_KINDS = (*UnitKind.reporting(), UnitKind.GROUP)
MAX_NAME_CHARS = 50


class UnitAdminError(ValueError):
    """A unit, alias or group change that cannot be made; the message is for the user."""


# --- reading ----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    kind: str
    aliases: tuple[str, ...]
    lead: int  # tasks it reports on as 牵头单位 (a group: tasks it is listed on as 牵头单位)
    co: int
    members: tuple[str, ...] = ()
    reason: str = ""
    groups: tuple[str, ...] = ()  # the groups it belongs to

    @property
    def is_group(self) -> bool:
        return self.kind == UnitKind.GROUP


def unit_rows(session: Session, year: int | None = None) -> list[UnitRow]:
    """Every unit in registration order with its aliases and its task counts in ``year``
    (default: the latest): what a unit must report on (directly or through its groups), and for
    a group the tasks that list it, and the groups' members in that year. Units, aliases and
    groups are the same in every year; a group's members are kept per year."""
    year = year or current_year(session)
    units = list(session.exec(select(Unit).order_by(col(Unit.id))))
    names = {id_of(u): u.name for u in units}
    aliases: dict[int, list[str]] = defaultdict(list)
    for alias in session.exec(select(UnitAlias).order_by(col(UnitAlias.id))):
        aliases[alias.unit_id].append(alias.alias)
    members: dict[int, list[str]] = defaultdict(list)
    groups: dict[int, list[str]] = defaultdict(list)
    for member in session.exec(
        select(GroupMember)
        .where(GroupMember.year == year)
        .order_by(col(GroupMember.group_id), col(GroupMember.member_id))
    ):
        members[member.group_id].append(names[member.member_id])
        groups[member.member_id].append(names[member.group_id])
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    if year is not None:
        for unit_id, tasks in obligations(session, year).items():
            for task in tasks:
                counts[unit_id][task.role != Responsibility.LEAD] += 1
        listed = session.exec(
            select(TaskUnit.unit_id, TaskUnit.role)
            .join(Task, col(Task.id) == col(TaskUnit.task_id))
            .join(Unit, col(Unit.id) == col(TaskUnit.unit_id))
            .where(Task.year == year, Unit.kind == UnitKind.GROUP)
        )
        for unit_id, role in listed:
            counts[unit_id][role != Responsibility.LEAD] += 1
    rows = []
    for u in units:
        uid = id_of(u)
        rows.append(
            UnitRow(
                uid,
                u.name,
                u.kind,
                tuple(aliases[uid]),
                counts[uid][0],
                counts[uid][1],
                tuple(members[uid]),
                u.note if u.kind == UnitKind.GROUP else "",
                tuple(groups[uid]),
            )
        )
    return rows


def document_aliases() -> frozenset[str]:
    """The aliases the registry file gives; they cannot be removed."""
    return frozenset(alias for spec in load_units().units for alias in spec.aliases)


def removable_aliases(session: Session) -> dict[str, str]:
    """Aliases added in the app → the unit they name."""
    fixed = document_aliases()
    rows = session.exec(
        select(UnitAlias.alias, Unit.name)
        .join(Unit, col(Unit.id) == col(UnitAlias.unit_id))
        .order_by(col(UnitAlias.id))
    )
    return {alias: name for alias, name in rows if alias not in fixed}


# --- checks -------------------------------------------------------------------------


def _clean(raw: object, what: str) -> str:
    text = unit_name(str(raw or ""))
    if not text:
        raise UnitAdminError(f"请填写{what}。")
    if len(text) > MAX_NAME_CHARS:
        raise UnitAdminError(f"{what}不能超过 {MAX_NAME_CHARS} 个字（现有 {len(text)} 个字）。")
    if not text.isprintable():
        raise UnitAdminError(f"{what}中有不可见字符，请重新输入。")
    return text


def _find(session: Session, name: object) -> Unit:
    text = unit_name(str(name or ""))
    if not text:
        raise UnitAdminError("请选择或填写单位。")
    unit = session.exec(select(Unit).where(Unit.name == text)).first()
    if unit is None:
        unit = session.exec(
            select(Unit).join(UnitAlias, col(UnitAlias.unit_id) == col(Unit.id)).where(UnitAlias.alias == text)
        ).first()
    if unit is None:
        raise UnitAdminError(f"找不到单位“{text}”，请填写单位管理中列出的名称或别名。")
    return unit


def _owner_of_alias(session: Session, label: str) -> str | None:
    return session.exec(
        select(Unit.name).join(UnitAlias, col(UnitAlias.unit_id) == col(Unit.id)).where(UnitAlias.alias == label)
    ).first()


def _is_unit_name(session: Session, label: str) -> bool:
    return session.exec(select(Unit.id).where(Unit.name == label)).first() is not None


# --- aliases --------------------------------------------------------------------------


def add_alias(session: Session, *, actor: Actor, unit: str, alias: str) -> tuple[str, str]:
    """Let ``alias`` name ``unit`` wherever a unit is looked up by name (the 填报单位 of an
    uploaded report, the command line); returns the unit's name and the alias as stored."""
    ensure_office(actor)
    target = _find(session, unit)
    label = _clean(alias, "别名")
    if _is_unit_name(session, label):
        raise UnitAdminError(f"“{label}”已是单位名称，不能再用作别名。")
    owner = _owner_of_alias(session, label)
    if owner is not None:
        raise UnitAdminError(f"“{label}”已是“{owner}”的别名。")
    session.add(UnitAlias(alias=label, unit_id=id_of(target)))
    audit(session, actor.username, "unit_changed", {"操作": "添加别名", "单位": target.name, "别名": label})
    return target.name, label


def remove_alias(session: Session, *, actor: Actor, alias: str) -> tuple[str, str]:
    """Remove an alias added in the app; returns the unit it named and the alias."""
    ensure_office(actor)
    label = _clean(alias, "别名")
    row = session.exec(select(UnitAlias).where(UnitAlias.alias == label)).first()
    if row is None:
        raise UnitAdminError(f"没有别名“{label}”。")
    if label in document_aliases():
        raise UnitAdminError(f"“{label}”是任务分解表原文中的写法，不能删除。")
    unit = session.get_one(Unit, row.unit_id)
    session.delete(row)
    audit(session, actor.username, "unit_changed", {"操作": "删除别名", "单位": unit.name, "别名": label})
    return unit.name, label


# --- groups ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Impact:
    """How a change of members changes who reports on what (tasks counted once per unit)."""

    gained: dict[str, int] = field(default_factory=dict)  # unit → tasks it newly reports on
    lost: dict[str, int] = field(default_factory=dict)
    newly_obliged: tuple[str, ...] = ()  # units that reported on nothing before
    no_longer_obliged: tuple[str, ...] = ()

    def summary(self, *, done: bool = False) -> str:
        will = "" if done else "将"
        parts = []
        if self.gained:
            parts.append(f"{len(self.gained)} 个单位{will}新增 {sum(self.gained.values())} 项报送任务")
        if self.lost:
            parts.append(f"{len(self.lost)} 个单位{will}减少 {sum(self.lost.values())} 项报送任务")
        return "；".join(parts) if parts else "各单位的报送任务不变"

    def details(self) -> str:
        changes = [f"{name} +{n}" for name, n in self.gained.items()]
        changes += [f"{name} −{n}" for name, n in self.lost.items()]
        return "、".join(changes)

    def warning(self) -> str:
        notes = []
        if self.newly_obliged:
            notes.append(
                f"{'、'.join(self.newly_obliged)}此前没有报送任务，今后全年各月都须报送（已过去的月份如未报送将计为漏报，"
                "不应报送的月份请在“报送情况”中办理免报）。"
            )
        if self.no_longer_obliged:
            notes.append(f"{'、'.join(self.no_longer_obliged)}将不再有任何报送任务。")
        return "".join(notes)


@dataclass(frozen=True)
class GroupChange:
    group: str
    members: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    impact: Impact

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    def message(self) -> str:
        if not self.changed:
            return f"群组“{self.group}”的成员没有变化。"
        listed = "、".join(self.members) or "（无）"
        return f"已保存群组“{self.group}”的成员：{listed}。{self.impact.summary(done=True)}。"


def _group(session: Session, name: object) -> Unit:
    group = _find(session, name)
    if group.kind != UnitKind.GROUP:
        raise UnitAdminError(f"“{group.name}”不是群组，不能设置成员。")
    return group


def _members(session: Session, group: Unit, names: Iterable[str]) -> list[Unit]:
    found: dict[int, Unit] = {}
    for name in names:
        if not unit_name(str(name or "")):
            continue
        unit = _find(session, name)
        if unit.id == group.id:
            raise UnitAdminError(f"群组“{group.name}”不能包含它自己。")
        if unit.kind == UnitKind.GROUP:
            raise UnitAdminError(f"“{unit.name}”是群组，群组的成员只能是具体单位。")
        found.setdefault(id_of(unit), unit)
    return list(found.values())


def _current_member_ids(session: Session, group_id: int, year: int) -> list[int]:
    return list(
        session.exec(select(GroupMember.member_id).where(GroupMember.group_id == group_id, GroupMember.year == year))
    )


def _year(session: Session, year: int | None) -> int:
    """The year a group's members are read or set for: ``year``, else the latest with tasks."""
    chosen = year or current_year(session)
    if chosen is None:
        raise UnitAdminError("还没有任何年份的任务：请先导入任务分解表，再设置群组成员。")
    return chosen


def _impact(session: Session, group: Unit, before_ids: set[int], after_ids: set[int], year: int) -> Impact:
    group_id = id_of(group)
    listed: dict[int, set[int]] = defaultdict(set)
    for unit_id, task_id in session.exec(
        select(TaskUnit.unit_id, TaskUnit.task_id)
        .join(Task, col(Task.id) == col(TaskUnit.task_id))
        .where(Task.year == year)
    ):
        listed[unit_id].add(task_id)
    memberships: dict[int, set[int]] = defaultdict(set)
    for row in session.exec(select(GroupMember).where(GroupMember.year == year)):
        memberships[row.member_id].add(row.group_id)

    def tasks(unit_id: int, groups: set[int]) -> set[int]:
        return listed[unit_id].union(*(listed[g] for g in groups))

    names = dict(session.exec(select(Unit.id, Unit.name)).all())
    gained: dict[str, int] = {}
    lost: dict[str, int] = {}
    newly: list[str] = []
    gone: list[str] = []
    for unit_id in sorted(before_ids ^ after_ids):
        others = memberships[unit_id] - {group_id}
        before = tasks(unit_id, others | ({group_id} if unit_id in before_ids else set()))
        after = tasks(unit_id, others | ({group_id} if unit_id in after_ids else set()))
        name = names[unit_id]
        if after - before:
            gained[name] = len(after - before)
        if before - after:
            lost[name] = len(before - after)
        if after and not before:
            newly.append(name)
        if before and not after:
            gone.append(name)
    return Impact(gained, lost, tuple(newly), tuple(gone))


def membership_impact(session: Session, *, group: str, members: Iterable[str], year: int | None = None) -> Impact:
    """What ``set_group_members`` with these members would change in ``year`` (default: the
    latest), without changing anything."""
    target = _group(session, group)
    after = {id_of(u) for u in _members(session, target, members)}
    chosen = _year(session, year)
    return _impact(session, target, set(_current_member_ids(session, id_of(target), chosen)), after, chosen)


def set_group_members(
    session: Session, *, actor: Actor, group: str, members: Iterable[str], year: int | None = None
) -> GroupChange:
    """Make ``members`` (names or aliases of units that are not groups) the whole member list of
    ``group`` in ``year`` (default: the latest with tasks). Other years keep their members, so
    the reports and deductions of a past year are not rewritten by a later change."""
    ensure_office(actor)
    target = _group(session, group)
    chosen = _members(session, target, members)
    year = _year(session, year)
    before = set(_current_member_ids(session, id_of(target), year))
    after = {id_of(u) for u in chosen}
    impact = _impact(session, target, before, after, year)
    names = dict(session.exec(select(Unit.id, Unit.name)).all())
    added = tuple(names[i] for i in sorted(after - before))
    removed = tuple(names[i] for i in sorted(before - after))
    for row in session.exec(select(GroupMember).where(GroupMember.group_id == target.id, GroupMember.year == year)):
        if row.member_id not in after:
            session.delete(row)
    for member_id in sorted(after - before):
        session.add(GroupMember(group_id=id_of(target), member_id=member_id, year=year))
    session.flush()
    refresh_obligations(session, year=year)
    members_now = tuple(names[i] for i in sorted(after))
    change = GroupChange(target.name, members_now, added, removed, impact)
    if change.changed:
        audit(
            session,
            actor.username,
            "unit_changed",
            {
                "操作": "设置群组成员",
                "群组": target.name,
                "年度": str(year),
                "新增成员": "、".join(added) or "无",
                "移除成员": "、".join(removed) or "无",
                "现有成员": "、".join(members_now) or "无",
                "报送任务变化": impact.summary(done=True),
            },
        )
    return change


# --- units ------------------------------------------------------------------------------


def add_unit(session: Session, *, actor: Actor, name: str, kind: str) -> str:
    """Register a unit the document does not name (e.g. a member of a 成员单位 group)."""
    ensure_office(actor)
    label = _clean(name, "单位名称")
    if kind not in UnitKind.reporting():
        raise UnitAdminError(f"单位类别须为 {' / '.join(UnitKind.reporting())}。")
    if _is_unit_name(session, label):
        raise UnitAdminError(f"单位“{label}”已存在。")
    owner = _owner_of_alias(session, label)
    if owner is not None:
        raise UnitAdminError(f"“{label}”是“{owner}”的别名，不能再作为新单位的名称。")
    session.add(Unit(name=label, kind=kind))
    audit(session, actor.username, "unit_changed", {"操作": "新增单位", "单位": label, "类别": kind})
    return label


def set_kind(session: Session, *, actor: Actor, unit: str, kind: str) -> str:
    """Correct a unit's kind; returns the kind it had. A unit turns into a group, or a group
    into a unit, only while nothing depends on what it was."""
    ensure_office(actor)
    target = _find(session, unit)
    if kind not in ALL_KINDS:
        raise UnitAdminError(f"单位类别须为 {' / '.join(ALL_KINDS)}。")
    old = target.kind
    if kind == old:
        raise UnitAdminError(f"“{target.name}”的类别已是{kind}。")
    if old == UnitKind.GROUP:
        _check_group_may_become_unit(session, target)
    elif kind == UnitKind.GROUP:
        _check_unit_may_become_group(session, target)
    target.kind = kind
    session.add(target)
    session.flush()
    refresh_obligations(session)
    audit(
        session,
        actor.username,
        "unit_changed",
        {"操作": "修改类别", "单位": target.name, "原类别": old, "新类别": kind},
    )
    return old


def _check_group_may_become_unit(session: Session, group: Unit) -> None:
    years = sorted(set(session.exec(select(GroupMember.year).where(GroupMember.group_id == group.id))))
    if years:
        listed = "、".join(f"{y} 年" for y in years)
        raise UnitAdminError(f"群组“{group.name}”在 {listed}还有成员，不能改为单位；请先清空这些年份的成员。")
    task_no = session.exec(
        select(Task.no)
        .join(TaskUnit, col(TaskUnit.task_id) == col(Task.id))
        .where(TaskUnit.unit_id == group.id)
        .order_by(col(Task.no))
    ).first()
    if task_no is not None:
        raise UnitAdminError(
            f"群组“{group.name}”列在第 {task_no} 项等任务中，改为单位会让它自己承担报送；请保留为群组并设置成员。"
        )


def _check_unit_may_become_group(session: Session, unit: Unit) -> None:
    group = session.exec(
        select(Unit.name)
        .join(GroupMember, col(GroupMember.group_id) == col(Unit.id))
        .where(GroupMember.member_id == unit.id)
    ).first()
    if group is not None:
        raise UnitAdminError(f"“{unit.name}”是群组“{group}”的成员，不能改为群组。")
    if session.exec(select(User.id).where(User.unit_id == unit.id)).first() is not None:
        raise UnitAdminError(f"“{unit.name}”已开设账号，不能改为群组。")
    if session.exec(select(Submission.id).where(Submission.unit_id == unit.id)).first() is not None:
        raise UnitAdminError(f"“{unit.name}”已有月报，不能改为群组。")
