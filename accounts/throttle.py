"""Throttling failed sign-ins without handing an attacker a way to lock the owner out.

Failures are counted under three keys: the account name as typed (known or not, compared by
``core.text.name_key``), the client address, and the pair of both. After a few free failures
each key makes the next attempt wait, doubling with every further failure up to a short cap,
instead of locking the account:

- the pair (this address on this account): up to 5 minutes, the attacker's own address;
- the address (any account): up to a minute, for one address trying many names;
- the account (any address): up to 30 seconds, and only for an address that has itself failed
  recently, so failures from elsewhere never stand between the owner and the right password.

An attempt that has to wait is refused before its password is checked. Counts lapse after
``WINDOW`` without a failure. Audit rows are rate-limited per account name: every failure
while the count is within the free ones, then at most one row per ``AUDIT_EVERY`` that says how
many attempts it stands for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from db.models import LoginThrottle


@dataclass(frozen=True)
class Scope:
    prefix: str
    free: int  # failures without any wait
    cap: timedelta  # the longest wait


PAIR = Scope("pair", free=5, cap=timedelta(minutes=5))
CLIENT = Scope("client", free=20, cap=timedelta(minutes=1))
ACCOUNT = Scope("account", free=5, cap=timedelta(seconds=30))
WINDOW = timedelta(minutes=15)
AUDIT_EVERY = timedelta(minutes=1)


def delay(scope: Scope, failures: int) -> timedelta:
    """The wait after ``failures`` failures: none within the free ones, then 1 s, 2 s, 4 s …"""
    if failures < scope.free:
        return timedelta(0)
    return min(scope.cap, timedelta(seconds=2 ** min(failures - scope.free, 20)))


def _keys(name_key: str, client: str) -> dict[Scope, str]:
    return {
        PAIR: f"pair:{name_key}|{client}",
        CLIENT: f"client:{client}",
        ACCOUNT: f"account:{name_key}",
    }


def _recent(session: Session, keys: dict[Scope, str], now: datetime) -> dict[Scope, LoginThrottle]:
    rows = session.exec(select(LoginThrottle).where(col(LoginThrottle.key).in_(list(keys.values())))).all()
    by_key = {row.key: row for row in rows if row.last_failure_at >= now - WINDOW}
    return {scope: by_key[key] for scope, key in keys.items() if key in by_key}


def wait(session: Session, *, name_key: str, client: str, now: datetime) -> timedelta:
    """How long this attempt must wait before its password may be checked (zero: go ahead)."""
    rows = _recent(session, _keys(name_key, client), now)
    waits = [timedelta(0)]
    for scope in (PAIR, CLIENT):
        if scope in rows and rows[scope].blocked_until is not None:
            waits.append(rows[scope].blocked_until - now)  # type: ignore[operator]
    account = rows.get(ACCOUNT)
    if account is not None and account.blocked_until is not None and (PAIR in rows or CLIENT in rows):
        waits.append(account.blocked_until - now)
    return max(waits)


def _locked_rows(session: Session, keys: list[str], now: datetime) -> dict[str, LoginThrottle]:
    """The rows of ``keys``, made if missing, each locked until the transaction ends (PostgreSQL:
    a concurrent failure on the same key waits here, instead of both inserting it). Keys are
    taken in order, so two transactions never wait for each other."""
    keys = sorted(keys)
    dialect = session.get_bind().dialect.name
    fresh = [{"key": key, "failures": 0, "last_failure_at": now, "unaudited": 0} for key in keys]
    if dialect == "postgresql":
        session.execute(pg_insert(LoginThrottle).values(fresh).on_conflict_do_nothing(index_elements=["key"]))
    elif dialect == "sqlite":
        session.execute(sqlite_insert(LoginThrottle).values(fresh).on_conflict_do_nothing(index_elements=["key"]))
    else:
        for key in keys:
            if session.get(LoginThrottle, key) is None:
                session.add(LoginThrottle(key=key, failures=0, last_failure_at=now))
        session.flush()
    query = select(LoginThrottle).where(col(LoginThrottle.key).in_(keys)).order_by(col(LoginThrottle.key))
    rows = session.exec(query.with_for_update().execution_options(populate_existing=True)).all()
    return {row.key: row for row in rows}


def record_failure(session: Session, *, name_key: str, client: str, now: datetime) -> None:
    """Count a wrong password (or an unknown name) under every key, and drop lapsed counts."""
    keys = _keys(name_key, client)
    rows = _locked_rows(session, list(keys.values()), now)
    for scope, key in keys.items():
        row = rows[key]
        if row.last_failure_at < now - WINDOW:  # lapsed: start again
            row.failures, row.audited_at, row.unaudited = 0, None, 0
        row.failures += 1
        row.last_failure_at = now
        row.blocked_until = now + delay(scope, row.failures)
    # Lapsed counts of other keys; on PostgreSQL those another sign-in holds are left for later.
    stale = select(LoginThrottle.key).where(
        col(LoginThrottle.last_failure_at) < now - WINDOW, col(LoginThrottle.key).not_in(list(keys.values()))
    )
    if session.get_bind().dialect.name == "postgresql":
        stale = stale.with_for_update(skip_locked=True)
    session.execute(delete(LoginThrottle).where(col(LoginThrottle.key).in_(stale)))


def record_success(session: Session, *, name_key: str, client: str) -> None:
    """A right password clears the account's count and this address's count on it; the address's
    own count stays, or signing in to one's own account would reset a guessing run."""
    keys = _keys(name_key, client)
    session.execute(delete(LoginThrottle).where(col(LoginThrottle.key).in_([keys[ACCOUNT], keys[PAIR]])))


def clear_account(session: Session, *, name_key: str) -> None:
    """Forget every count on the account (the office resets its password)."""
    account = col(LoginThrottle.key) == f"account:{name_key}"
    session.execute(delete(LoginThrottle).where(account | col(LoginThrottle.key).startswith(f"pair:{name_key}|")))


def audit_due(session: Session, *, key: str, free: int, now: datetime) -> int | None:
    """Whether an attempt counted under ``key`` gets an audit row: None if not (it is counted
    into the next one), else how many earlier attempts had none, which this row stands for too.
    Every attempt while the key's count is within ``free`` has its row; after that one row per
    ``AUDIT_EVERY``."""
    row = session.get(LoginThrottle, key)
    if row is None or row.failures <= free:
        return 0
    if row.audited_at is not None and now - row.audited_at < AUDIT_EVERY:
        row.unaudited += 1
        return None
    skipped, row.unaudited, row.audited_at = row.unaudited, 0, now
    return skipped


def account_key(name_key: str) -> str:
    return f"account:{name_key}"


def client_key(client: str) -> str:
    return f"client:{client}"
