"""Accounts: argon2 password hashes, sign-in with throttling, and the office's account management.

Every change is audited in the caller's transaction, and so is every sign-in attempt (failures
rate-limited, ``accounts/throttle.py``). Sign-in never raises for a wrong password: the failure
count must be committed, so it returns a result.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from io import BytesIO
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, col, select

from accounts import sessions, throttle
from accounts.access import ROLE_LABELS, Actor, ensure_office
from accounts.audit import audit
from core import clock
from core.text import name_key
from core.vocab import UnitKind, UserRole
from db.models import Leader, Unit, User
from db.queries import resolve_unit

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
MAX_USERNAME_LENGTH = 50
INITIAL_PASSWORD_LENGTH = 10
# No look-alikes (0/O, 1/l/I), so a printed initial password can be typed without doubt.
_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
BAD_CREDENTIALS = "用户名或密码不正确。"

# OWASP's argon2id minimum: about 30 ms per hash, so bulk account creation stays quick.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


class AccountError(ValueError):
    """Bad account input or a refused account change; the message is for the user."""


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(INITIAL_PASSWORD_LENGTH))


def check_username(username: str) -> str:
    name = str(username).strip()
    if not name:
        raise AccountError("请填写用户名。")
    if len(name) > MAX_USERNAME_LENGTH:
        raise AccountError(f"用户名不能超过 {MAX_USERNAME_LENGTH} 个字符。")
    if any(ch.isspace() or not ch.isprintable() for ch in name):
        raise AccountError("用户名中不能有空格或不可见字符。")
    return name


@cache
def common_passwords() -> frozenset[str]:
    """The most common passwords (``common_passwords.txt``), in the form ``name_key`` gives."""
    lines = (Path(__file__).with_name("common_passwords.txt")).read_text(encoding="utf-8").splitlines()
    return frozenset(name_key(line.strip()) for line in lines if line.strip() and not line.startswith("#"))


def check_password(password: str, *, username: str) -> None:
    """Every password a person sets passes here: the first admin, user add, change, reset."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位。")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"密码不能超过 {MAX_PASSWORD_LENGTH} 位。")
    if password != password.strip():
        raise AccountError("密码首尾不能有空格。")
    key = name_key(password)
    if key == name_key(username):
        raise AccountError("密码不能与用户名相同。")
    if len(set(key)) == 1:
        raise AccountError("密码不能由同一个字符重复组成（如 11111111），这样的密码一猜就中，请换一个。")
    if key in common_passwords():
        raise AccountError(
            "这是最常见的密码之一（如 12345678、password、a123456789），猜密码的人最先试的就是它们，请换一个。"
        )


def actor_for(user: User) -> Actor:
    return Actor(user.username, user.role, unit_id=user.unit_id, leader_id=user.leader_id)


def has_users(session: Session) -> bool:
    return session.exec(select(User.id).limit(1)).first() is not None


def get_user(session: Session, username: str) -> User | None:
    """The account of ``username``, as typed or in a look-alike form (``ａｄｍｉｎ１``, ``ADMIN1``
    for ``admin1``): names are compared by ``core.text.name_key``. An exact match comes first,
    for accounts that already shared a key before keys existed."""
    exact = session.exec(select(User).where(User.username == username)).first()
    if exact is not None:
        return exact
    return session.exec(select(User).where(User.username_key == name_key(username))).first()


def _require_user(session: Session, username: str) -> User:
    user = get_user(session, str(username).strip())
    if user is None:
        raise AccountError(f"没有名为 {username} 的账号。")
    return user


# --- creating accounts --------------------------------------------------------


def _unit_for(session: Session, name: str) -> Unit:
    unit = resolve_unit(session, name)
    if unit is None:
        raise AccountError(f"找不到单位“{name}”，请填写任务清单中的单位名称或别名。")
    if unit.kind == UnitKind.GROUP:
        raise AccountError(f"“{unit.name}”是群组，不能开设账号；请为其中的具体单位开设。")
    return unit


def _leader_for(session: Session, name: str) -> Leader:
    leader = session.exec(select(Leader).where(Leader.name == str(name).strip())).first()
    if leader is None:
        known = "、".join(session.exec(select(Leader.name).order_by(col(Leader.id))))
        raise AccountError(f"找不到领导“{name}”。已登记的领导有：{known or '（无）'}")
    return leader


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    unit: str | None = None,
    leader: str | None = None,
    actor: Actor,
    must_change_password: bool = True,
) -> User:
    """A new account. A unit account names its unit, a leader account its leader."""
    ensure_office(actor)
    name = check_username(username)
    if role not in UserRole.accounts():
        *first, last = (f"{r.code}（{r.label}）" for r in UserRole.accounts())
        raise AccountError(f"角色只能是 {'、'.join(first)}或 {last}。")
    if role == UserRole.UNIT and not unit:
        raise AccountError("责任单位账号须指定所属单位。")
    if role == UserRole.LEADER and not leader:
        raise AccountError("领导账号须指定对应的责任领导。")
    if role != UserRole.UNIT and unit:
        raise AccountError("只有责任单位账号才指定单位。")
    if role != UserRole.LEADER and leader:
        raise AccountError("只有领导账号才指定责任领导。")
    unit_row = _unit_for(session, unit) if unit else None
    leader_row = _leader_for(session, leader) if leader else None
    taken = get_user(session, name)
    if taken is not None:
        alike = "" if taken.username == name else f"（与已有账号 {taken.username} 只差大小写或全角半角）"
        raise AccountError(f"用户名 {name} 已被使用{alike}，请换一个。")
    check_password(password, username=name)
    user = User(
        username=name,
        username_key=name_key(name),
        password_hash=hash_password(password),
        role=role,
        unit_id=unit_row.id if unit_row else None,
        leader_id=leader_row.id if leader_row else None,
        must_change_password=must_change_password,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    detail = {"操作": "新建账号", "账号": name, "角色": ROLE_LABELS[role]}
    if unit_row:
        detail["单位"] = unit_row.name
    if leader_row:
        detail["领导"] = leader_row.name
    audit(session, actor.username, "account_changed", detail)
    return user


_FIRST_RUN_CLOSED = "系统中已有账号，初始化表单已失效，请直接登录。"


def _lock_accounts(session: Session) -> None:
    """Hold off every other transaction that would add an account until this one ends.

    On PostgreSQL two transactions may both see no account and both add one; SHARE ROW
    EXCLUSIVE conflicts with itself and with the lock every INSERT takes, so the second waits
    here and then sees the first one's account. SQLite needs nothing: a write transaction
    (``write_session``: BEGIN IMMEDIATE) already excludes every other writer, and a deferred
    one cannot commit a write made on a stale view."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql('LOCK TABLE "user" IN SHARE ROW EXCLUSIVE MODE')


def create_first_admin(session: Session, *, username: str, password: str) -> User:
    """The first office account, set up from the first-run form; refused once any account exists,
    also when two forms are submitted at the same instant."""
    if has_users(session):
        raise AccountError(_FIRST_RUN_CLOSED)
    name = check_username(username)
    check_password(password, username=name)
    password_hash = hash_password(password)  # before the lock: it takes a while
    _lock_accounts(session)
    if has_users(session):
        raise AccountError(_FIRST_RUN_CLOSED)
    user = User(
        username=name,
        username_key=name_key(name),
        password_hash=password_hash,
        role=UserRole.ADMIN,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    audit(session, name, "account_changed", {"操作": "初始化管理员", "账号": name})
    return user


@dataclass(frozen=True)
class InitialCredential:
    unit: str
    kind: str
    username: str
    password: str


def bootstrap_unit_accounts(session: Session, *, actor: Actor) -> list[InitialCredential]:
    """An account for every unit (groups excepted) that has none, named after the unit, with a
    random initial password to be changed at first sign-in."""
    ensure_office(actor)
    with_account = set(session.exec(select(User.unit_id).where(col(User.unit_id).is_not(None))))
    taken = set(session.exec(select(User.username_key)))
    created = []
    for unit in session.exec(select(Unit).where(Unit.kind != UnitKind.GROUP).order_by(col(Unit.id))):
        if unit.id in with_account:
            continue
        username, n = unit.name, 2
        while name_key(username) in taken:
            username, n = f"{unit.name}{n}", n + 1
        taken.add(name_key(username))
        password = generate_password()
        session.add(
            User(
                username=username,
                username_key=name_key(username),
                password_hash=hash_password(password),
                role=UserRole.UNIT,
                unit_id=unit.id,
                must_change_password=True,
                created_at=clock.now(),
            )
        )
        created.append(InitialCredential(unit.name, unit.kind, username, password))
    if created:
        session.flush()
        audit(
            session,
            actor.username,
            "account_changed",
            {"操作": "批量开设单位账号", "数量": len(created), "账号": "、".join(c.username for c in created)},
        )
    return created


def credentials_workbook(credentials: list[InitialCredential]) -> bytes:
    """The list of initial passwords, for handing out to the units."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "初始账号"
    sheet.append(["单位", "类别", "用户名", "初始密码", "说明"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for c in credentials:
        sheet.append([c.unit, c.kind, c.username, c.password, "首次登录后须修改密码"])
    for column, width in zip("ABCDE", (28, 8, 28, 16, 22), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- signing in ----------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    actor: Actor | None
    message: str = ""  # why it failed, for the user
    must_change_password: bool = False
    user_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.actor is not None


@dataclass(frozen=True)
class SignInCheck:
    """What the first step of a sign-in found, for the second to record."""

    name: str  # as typed, trimmed: what the audit log shows
    client: str
    verdict: str  # "ok", "wrong" (password or name), "inactive", "throttled"
    user_id: int | None = None
    password_hash: str = ""  # the hash the password was checked against
    new_hash: str | None = None  # the same password hashed with today's parameters
    wait: timedelta = timedelta(0)


def _wait_message(wait: timedelta) -> str:
    return f"登录尝试过于频繁，请 {max(1, math.ceil(wait.total_seconds()))} 秒后再试。"


def check_sign_in(
    session: Session, *, username: str, password: str, client: str = "", now: datetime | None = None
) -> SignInCheck:
    """The first step of a sign-in, writing nothing: is the attempt throttled, and is the
    password right. The pages run it in a read session, so the argon2 check (tens of
    milliseconds) never holds the write lock; ``record_sign_in`` then writes the outcome."""
    now = now or clock.now()
    name = str(username).strip()[:MAX_USERNAME_LENGTH]
    key = name_key(name)
    wait = throttle.wait(session, name_key=key, client=client, now=now)
    if wait > timedelta(0):
        return SignInCheck(name, client, "throttled", wait=wait)
    user = get_user(session, name) if name else None
    if user is None:
        _verify(_dummy_hash(), password)  # takes as long as a real check: no hint the name is unknown
        return SignInCheck(name, client, "wrong")
    if not _verify(user.password_hash, password):
        return SignInCheck(name, client, "wrong", user_id=user.id, password_hash=user.password_hash)
    if not user.active:
        return SignInCheck(name, client, "inactive", user_id=user.id, password_hash=user.password_hash)
    new_hash = hash_password(password) if _hasher.check_needs_rehash(user.password_hash) else None
    return SignInCheck(name, client, "ok", user_id=user.id, password_hash=user.password_hash, new_hash=new_hash)


def _audit_attempt(
    session: Session, check: SignInCheck, key: str, free: int, detail: dict[str, object], now: datetime
) -> None:
    skipped = throttle.audit_due(session, key=key, free=free, now=now)
    if skipped is None:
        return
    if skipped:
        detail["此前未逐条记录的尝试"] = skipped
    audit(session, check.name or "（空）", "login_failed", detail, at=now)


def record_sign_in(session: Session, *, check: SignInCheck, now: datetime | None = None) -> LoginResult:
    """The second step of a sign-in, in a short write transaction: count a failure (audit rows
    rate-limited, ``accounts/throttle.py``) or sign the user in."""
    now = now or clock.now()
    key = name_key(check.name)
    if check.verdict == "throttled":
        detail: dict[str, object] = {"原因": "尝试过于频繁", "须等待": f"{math.ceil(check.wait.total_seconds())} 秒"}
        _audit_attempt(session, check, throttle.client_key(check.client), 0, detail, now)
        return LoginResult(None, _wait_message(check.wait))
    user = session.get(User, check.user_id) if check.user_id is not None else None
    if user is not None and user.password_hash != check.password_hash:
        return LoginResult(None, BAD_CREDENTIALS)  # the password changed meanwhile: try again
    if check.verdict == "wrong":
        throttle.record_failure(session, name_key=key, client=check.client, now=now)
        session.flush()
        detail = {"原因": "无此账号" if user is None else "密码错误"}
        _audit_attempt(session, check, throttle.account_key(key), throttle.ACCOUNT.free, detail, now)
        return LoginResult(None, BAD_CREDENTIALS)
    assert user is not None
    if check.verdict == "inactive":
        audit(session, check.name, "login_failed", {"原因": "账号已停用"}, at=now)
        return LoginResult(None, "该账号已停用，请联系督查室。")
    throttle.record_success(session, name_key=key, client=check.client)
    user.last_login_at = now
    if check.new_hash:
        user.password_hash = check.new_hash
    audit(session, check.name, "login", at=now)
    return LoginResult(actor_for(user), must_change_password=user.must_change_password, user_id=user.id)


def authenticate(
    session: Session, username: str, password: str, *, client: str = "", now: datetime | None = None
) -> LoginResult:
    """Both steps of a sign-in in the caller's session, for scripts and tests. The pages run the
    steps in two sessions (``ui.auth``), so the password is checked outside the write lock."""
    check = check_sign_in(session, username=username, password=password, client=client, now=now)
    return record_sign_in(session, check=check, now=now)


def change_password(
    session: Session, *, username: str, old_password: str, new_password: str, keep_session: int | None = None
) -> None:
    """A user changes their own password; this also ends a forced change, and every session of
    the account but ``keep_session`` (the id of the session the change was made in)."""
    user = _require_user(session, username)
    if not _verify(user.password_hash, old_password):
        raise AccountError("原密码不正确。")
    check_password(new_password, username=user.username)
    if new_password == old_password:
        raise AccountError("新密码不能与原密码相同。")
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    sessions.end_all(session, user_id=user.id, keep=keep_session)  # type: ignore[arg-type]
    audit(session, user.username, "password_changed")


def reset_password(session: Session, *, username: str, new_password: str, actor: Actor) -> None:
    """The office sets a new password; the user must change it at the next sign-in. Clears the
    account's failed sign-ins, so no wait stands before the new password, and ends the account's
    sessions."""
    ensure_office(actor)
    user = _require_user(session, username)
    check_password(new_password, username=user.username)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    throttle.clear_account(session, name_key=user.username_key)
    sessions.end_all(session, user_id=user.id)  # type: ignore[arg-type]
    audit(session, actor.username, "account_changed", {"操作": "重置密码", "账号": user.username})


def set_active(session: Session, *, username: str, active: bool, actor: Actor) -> None:
    ensure_office(actor)
    user = _require_user(session, username)
    if not active:
        if user.username == actor.username:
            raise AccountError("不能停用当前登录的账号。")
        if user.role == UserRole.ADMIN:
            admins = session.exec(select(User.id).where(User.role == UserRole.ADMIN, User.active)).all()
            if len(admins) <= 1:
                raise AccountError("这是唯一启用的督查室账号，不能停用。")
    if user.active == active:
        return
    user.active = active
    if not active:
        sessions.end_all(session, user_id=user.id)  # type: ignore[arg-type]
    operation = "启用账号" if active else "停用账号"
    audit(session, actor.username, "account_changed", {"操作": operation, "账号": user.username})


def sign_out_everywhere(session: Session, *, username: str, actor: Actor) -> int:
    """The office ends every session of an account; audited. Returns how many ended."""
    ensure_office(actor)
    user = _require_user(session, username)
    ended = sessions.end_all(session, user_id=user.id)  # type: ignore[arg-type]
    audit(session, actor.username, "account_changed", {"操作": "退出全部登录", "账号": user.username, "数量": ended})
    return ended


# --- reading ---------------------------------------------------------------------


@dataclass(frozen=True)
class UserView:
    username: str
    role: str
    unit: str
    leader: str
    active: bool
    must_change_password: bool
    last_login_at: datetime | None
    created_at: datetime

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def status(self, now: datetime) -> str:
        if not self.active:
            return "已停用"
        return "待修改初始密码" if self.must_change_password else "正常"


def list_users(session: Session) -> list[UserView]:
    units = dict(session.exec(select(Unit.id, Unit.name)).all())
    leaders = dict(session.exec(select(Leader.id, Leader.name)).all())
    order = {role.value: role.rank for role in UserRole}
    users = sorted(session.exec(select(User)), key=lambda u: (order[u.role], u.id))
    return [
        UserView(
            username=u.username,
            role=u.role,
            unit=units.get(u.unit_id, ""),
            leader=leaders.get(u.leader_id, ""),
            active=u.active,
            must_change_password=u.must_change_password,
            last_login_at=u.last_login_at,
            created_at=u.created_at,
        )
        for u in users
    ]
