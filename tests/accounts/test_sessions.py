"""Server-side sessions as plain Python: only the hash is stored, idle and absolute expiry, and
every way an account's sessions end."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from accounts import sessions, users
from accounts.access import SYSTEM
from accounts.audit import entries
from db.engine import read_session, write_session
from db.models import AuthSession
from tests.conftest import TEST_PASSWORD, add_user

T0 = datetime(2023, 3, 1, 9, 0)
IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=12)


def _start(username: str, now: datetime = T0) -> str:
    with write_session() as session:
        user = users.get_user(session, username)
        assert user is not None and user.id is not None
        return sessions.start(
            session, user_id=user.id, lifetime=LIFETIME, client_address="10.0.0.7", user_agent="Chromium", now=now
        )


def _check(token: str | None, now: datetime) -> sessions.Check:
    with read_session() as session:
        return sessions.check(session, token=token, idle=IDLE, now=now)


def _count(username: str) -> int:
    with read_session() as session:
        return len(sessions.active_sessions(session, username=username, idle=IDLE, now=T0))


def test_the_cookie_id_is_long_and_random_and_only_its_hash_is_stored(migrated: str) -> None:
    add_user("office", "admin")
    token, other = _start("office"), _start("office")
    assert token != other and len(token) >= 43  # 32 bytes, url-safe base64
    with read_session() as session:
        rows = list(session.exec(select(AuthSession)))
    assert {r.token_hash for r in rows} == {hashlib.sha256(t.encode()).hexdigest() for t in (token, other)}
    assert all(token not in (r.token_hash, r.user_agent, r.client_address) for r in rows)
    check = _check(token, T0 + timedelta(minutes=1))
    assert check.ok and check.user is not None and check.user.username == "office"


def test_forged_or_absent_cookies_sign_nobody_in(migrated: str) -> None:
    add_user("office", "admin")
    token = _start("office")
    for forged in (None, "", sessions.new_token(), token[:-1], hashlib.sha256(token.encode()).hexdigest(), "x" * 5000):
        assert _check(forged, T0).refusal == sessions.Refusal.UNKNOWN


def test_idle_and_absolute_expiry(migrated: str) -> None:
    add_user("office", "admin")
    token = _start("office")
    assert _check(token, T0 + IDLE).ok
    assert _check(token, T0 + IDLE + timedelta(seconds=1)).refusal == sessions.Refusal.IDLE

    # Activity keeps it alive, up to its absolute lifetime and no further.
    now = T0
    while now + IDLE < T0 + LIFETIME:
        now += IDLE - timedelta(minutes=1)
        check = _check(token, now)
        if now >= T0 + LIFETIME:
            break
        assert check.ok, now
        with write_session() as session:
            sessions.touch(session, session_id=check.session.id, now=now)  # type: ignore[union-attr,arg-type]
    assert _check(token, T0 + LIFETIME).refusal == sessions.Refusal.EXPIRED


def test_logout_ends_only_that_session_and_a_replayed_cookie_is_refused(migrated: str) -> None:
    add_user("office", "admin")
    token, other = _start("office"), _start("office")
    with write_session() as session:
        ended = sessions.end(session, token=token)
    assert ended == "office"
    assert _check(token, T0).refusal == sessions.Refusal.UNKNOWN
    assert _check(other, T0).ok
    with write_session() as session:
        assert sessions.end(session, token=token) is None


def test_password_change_reset_disable_and_sign_out_everywhere_end_the_sessions(migrated: str) -> None:
    add_user("office", "admin")
    add_user("岩寺镇", "admin")
    for _ in range(3):
        _start("岩寺镇")
    office = _start("office")

    # The user's own change keeps the session it was made in.
    kept = _start("岩寺镇")
    with read_session() as session:
        kept_id = sessions.check(session, token=kept, idle=IDLE, now=T0).session.id  # type: ignore[union-attr]
    with write_session() as session:
        users.change_password(
            session, username="岩寺镇", old_password=TEST_PASSWORD, new_password="new-pass-77", keep_session=kept_id
        )
    assert _count("岩寺镇") == 1 and _check(kept, T0).ok

    _start("岩寺镇")
    with write_session() as session:
        users.reset_password(session, username="岩寺镇", new_password="reset-pass-88", actor=SYSTEM)
    assert _count("岩寺镇") == 0

    _start("岩寺镇")
    with write_session() as session:
        users.set_active(session, username="岩寺镇", active=False, actor=SYSTEM)
    assert _count("岩寺镇") == 0
    with write_session() as session:
        users.set_active(session, username="岩寺镇", active=True, actor=SYSTEM)

    _start("岩寺镇"), _start("岩寺镇")
    with write_session() as session:
        assert users.sign_out_everywhere(session, username="岩寺镇", actor=SYSTEM) == 2
    assert _count("岩寺镇") == 0
    assert _check(office, T0).ok  # nobody else's
    with read_session() as session:
        assert "退出全部登录" in entries(session, action="account_changed")[0].detail
    with write_session() as session, pytest.raises(users.AccountError):
        users.sign_out_everywhere(session, username="nobody", actor=SYSTEM)


def test_a_session_of_a_disabled_account_is_refused(migrated: str) -> None:
    add_user("office", "admin")
    add_user("hj", "admin")
    token = _start("hj")
    with write_session() as session:
        user = users.get_user(session, "hj")
        user.active = False  # type: ignore[union-attr]  # as an old database might hold
    assert _check(token, T0).refusal == sessions.Refusal.INACTIVE


def test_active_sessions_list_what_the_office_sees_and_purge_removes_the_ended(migrated: str) -> None:
    add_user("office", "admin")
    _start("office", now=T0 - LIFETIME)  # expired
    _start("office", now=T0 - timedelta(minutes=10))
    [view] = [v for v in _views("office")]
    assert (view.client_address, view.user_agent) == ("10.0.0.7", "Chromium")
    assert view.created_at == T0 - timedelta(minutes=10)
    with write_session() as session:
        assert sessions.purge_ended(session, idle=IDLE, now=T0) == 1


def _views(username: str) -> list[sessions.SessionView]:
    with read_session() as session:
        return sessions.active_sessions(session, username=username, idle=IDLE, now=T0)
