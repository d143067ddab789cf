"""Who is acting, and whether they may act for a unit. Enforced inside the services, not only
in the interface, so a unit account can never submit or read as another unit."""

from __future__ import annotations

from dataclasses import dataclass

from core.vocab import UserRole

ROLE_LABELS = {role.value: role.label for role in UserRole}


class AccessDenied(ValueError):
    """The actor may not do this; the message is for the user."""


@dataclass(frozen=True)
class Actor:
    username: str
    role: str  # a UserRole
    unit_id: int | None = None
    leader_id: int | None = None

    @property
    def is_office(self) -> bool:
        return self.role in (UserRole.ADMIN, UserRole.SYSTEM)

    def may_act_for(self, unit_id: int) -> bool:
        return self.is_office or (self.role == UserRole.UNIT and self.unit_id == unit_id)


SYSTEM = Actor(UserRole.SYSTEM.label, UserRole.SYSTEM)


def ensure_may_act_for(actor: Actor, unit_id: int, unit_name: str = "") -> None:
    if not actor.may_act_for(unit_id):
        raise AccessDenied(f"当前账号无权代{unit_name or '其他单位'}报送或查看其材料")


def ensure_office(actor: Actor) -> None:
    if not actor.is_office:
        raise AccessDenied("只有督查室账号可以进行此操作")


# --- inspections, instructions, 督办单: a unit sees and answers its own; leaders read all ---


def may_read_unit(actor: Actor, unit_id: int) -> bool:
    return actor.is_office or actor.role == UserRole.LEADER or actor.unit_id == unit_id


def ensure_may_answer(actor: Actor, unit_id: int, unit_name: str = "") -> None:
    """Answering an item (整改情况, 落实情况) addressed to ``unit_id``: that unit, or the office for it."""
    if not actor.may_act_for(unit_id):
        raise AccessDenied(f"当前账号无权答复{unit_name or '其他单位'}的督查事项")


def ensure_may_instruct(actor: Actor, leader_id: int) -> None:
    """Recording a 领导批示: the leader themself, or the office on a leader's behalf."""
    if not (actor.is_office or (actor.role == UserRole.LEADER and actor.leader_id == leader_id)):
        raise AccessDenied("只有督查室或作出批示的领导本人可以登记领导批示")
