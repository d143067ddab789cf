"""Signed-in browsers, kept in the database: a reload, a new tab or a second server process knows
the same session.

The browser holds a random id (``secrets.token_urlsafe(32)``: 256 bits) in a cookie; the table
holds only its sha256, so a copy of the database signs nobody in. A session ends when it has
been idle longer than the idle timeout, when it reaches its absolute lifetime, at logout, and
whenever the account's password changes or is reset, the account is disabled, or the office
signs the user out everywhere. The timeouts are the caller's (the settings live above this
layer, in ``cycle.settings``). Every function takes the caller's session: the caller owns the
transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from core import clock
from db.models import AuthSession, User

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 random bits
MAX_TOKEN_LENGTH = 128  # anything longer is no token of ours
MAX_AGENT_LENGTH = 300
# last_seen_at is written at most this often: a page run reads the session, and writes only now and then.
TOUCH_EVERY = timedelta(seconds=60)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(
    session: Session,
    *,
    user_id: int,
    lifetime: timedelta,
    client_address: str = "",
    user_agent: str = "",
    now: datetime | None = None,
) -> str:
    """A new session for ``user_id``; returns the id for the cookie (stored only as its hash)."""
    now = now or clock.now()
    token = new_token()
    session.add(
        AuthSession(
            token_hash=token_hash(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            client_address=client_address[:64],
            user_agent=user_agent[:MAX_AGENT_LENGTH],
        )
    )
    session.flush()
    return token


class Refusal(StrEnum):
    """Why a cookie signs nobody in."""

    UNKNOWN = "unknown"  # never issued, forged, or already ended (logout, password change...)
    IDLE = "idle"
    EXPIRED = "expired"  # past its absolute lifetime
    INACTIVE = "inactive"  # the account is disabled


@dataclass(frozen=True)
class Check:
    session: AuthSession | None
    user: User | None
    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


def _find(session: Session, token: str | None) -> AuthSession | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.exec(select(AuthSession).where(AuthSession.token_hash == token_hash(token))).first()


def check(session: Session, *, token: str | None, idle: timedelta, now: datetime | None = None) -> Check:
    """The session and account a cookie stands for, or why it stands for none. Reads only: an
    ended session is deleted by ``end`` (the caller decides whether to write)."""
    now = now or clock.now()
    row = _find(session, token)
    if row is None:
        return Check(None, None, Refusal.UNKNOWN)
    user = session.get(User, row.user_id)
    if user is None:
        return Check(row, None, Refusal.UNKNOWN)
    if now >= row.expires_at:
        return Check(row, user, Refusal.EXPIRED)
    if now - row.last_seen_at > idle:
        return Check(row, user, Refusal.IDLE)
    if not user.active:
        return Check(row, user, Refusal.INACTIVE)
    return Check(row, user)


def needs_touch(row: AuthSession, now: datetime) -> bool:
    return now - row.last_seen_at >= TOUCH_EVERY


def touch(session: Session, *, session_id: int, now: datetime | None = None) -> None:
    """Note activity: the idle timeout counts from here."""
    row = session.get(AuthSession, session_id)
    if row is not None:
        row.last_seen_at = now or clock.now()


def end(session: Session, *, token: str | None) -> str | None:
    """End the session of this cookie (logout); returns its account's username, None if there
    was no such session."""
    row = _find(session, token)
    if row is None:
        return None
    user = session.get(User, row.user_id)
    session.delete(row)
    session.flush()
    return user.username if user else None


def end_all(session: Session, *, user_id: int, keep: int | None = None) -> int:
    """End every session of the account (but ``keep``, a session id); returns how many ended."""
    query = select(AuthSession).where(AuthSession.user_id == user_id)
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    rows = list(session.exec(query))
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


@dataclass(frozen=True)
class SessionView:
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    client_address: str
    user_agent: str


def active_sessions(
    session: Session, *, username: str, idle: timedelta, now: datetime | None = None
) -> list[SessionView]:
    """The account's sessions that still sign it in, newest activity first."""
    now = now or clock.now()
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        return []
    rows = session.exec(
        select(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.expires_at > now, AuthSession.last_seen_at >= now - idle)
        .order_by(col(AuthSession.last_seen_at).desc())
    )
    return [SessionView(r.created_at, r.last_seen_at, r.expires_at, r.client_address, r.user_agent) for r in rows]


def purge_ended(session: Session, *, idle: timedelta, now: datetime | None = None) -> int:
    """Delete sessions that can no longer sign anyone in (run now and then, e.g. at sign-in)."""
    now = now or clock.now()
    stale = (col(AuthSession.expires_at) <= now) | (col(AuthSession.last_seen_at) < now - idle)
    rows = list(session.exec(select(AuthSession).where(stale)))
    for row in rows:
        session.delete(row)
    return len(rows)
