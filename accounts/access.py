"""Who is acting, and whether they may act for a unit. Enforced inside the services, not only
in the interface, so a unit account can never submit or read as another unit."""

from __future__ import annotations

from dataclasses import dataclass

ROLE_LABELS = {"admin": "督查室", "leader": "领导", "unit": "责任单位", "system": "命令行"}


class AccessDenied(ValueError):
    """The actor may not do this; the message is for the user."""


@dataclass(frozen=True)
class Actor:
    username: str
    role: str  # admin / leader / unit / system (the command line, run by the office)
    unit_id: int | None = None
    leader_id: int | None = None

    @property
    def is_office(self) -> bool:
        return self.role in ("admin", "system")

    def may_act_for(self, unit_id: int) -> bool:
        return self.is_office or (self.role == "unit" and self.unit_id == unit_id)


SYSTEM = Actor("命令行", "system")


def ensure_may_act_for(actor: Actor, unit_id: int, unit_name: str = "") -> None:
    if not actor.may_act_for(unit_id):
        raise AccessDenied(f"当前账号无权代{unit_name or '其他单位'}报送或查看其材料")


def ensure_office(actor: Actor) -> None:
    if not actor.is_office:
        raise AccessDenied("只有督查室账号可以进行此操作")
