"""Failed sign-ins slow the guesser down and never lock the owner out: counted per address, per
account name (known or not) and per both; waits grow and stay short; audit rows are rate-limited."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from accounts import throttle, users
from accounts.audit import entries
from db.engine import read_session, write_session
from db.models import LoginThrottle
from tests.conftest import TEST_PASSWORD, add_user

T0 = datetime(2023, 3, 1, 9, 0)
ATTACKER, OWNER = "10.0.0.66", "10.0.0.7"


def _try(username: str, password: str, client: str, now: datetime) -> users.LoginResult:
    with read_session() as session:
        check = users.check_sign_in(session, username=username, password=password, client=client, now=now)
    with write_session() as session:
        return users.record_sign_in(session, check=check, now=now)


def _wait(username: str, client: str, now: datetime) -> timedelta:
    from core.text import name_key

    with read_session() as session:
        return throttle.wait(session, name_key=name_key(username), client=client, now=now)


@pytest.fixture
def office(migrated: str) -> str:
    add_user("office", "admin")
    return "office"


def test_the_owner_signs_in_while_an_attacker_hammers_the_account(office: str) -> None:
    now = T0
    for _ in range(40):  # as fast as the waits allow
        now += _wait(office, ATTACKER, now) + timedelta(milliseconds=1)
        assert not _try(office, "guess-password", ATTACKER, now).ok
    assert _wait(office, ATTACKER, now) > timedelta(minutes=4)  # the attacker's address waits
    owner = _try(office, TEST_PASSWORD, OWNER, now)  # at the same moment, from elsewhere
    assert owner.ok, owner.message


def test_waits_grow_from_the_fifth_failure_and_stay_short(office: str) -> None:
    waits = []
    now = T0
    for _ in range(14):
        now += _wait(office, ATTACKER, now)
        assert _try(office, "guess-password", ATTACKER, now).message == users.BAD_CREDENTIALS
        waits.append(_wait(office, ATTACKER, now).total_seconds())
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:10] == [1, 2, 4, 8, 16, 32]
    assert max(waits) == 300  # five minutes at most, even for the attacker's own address
    refused = _try(office, TEST_PASSWORD, ATTACKER, now)  # refused before the password is checked
    assert not refused.ok and "登录尝试过于频繁，请 300 秒后再试" in refused.message
    assert _try(office, TEST_PASSWORD, ATTACKER, now + timedelta(minutes=5)).ok


def test_unknown_names_are_throttled_like_real_ones(office: str) -> None:
    for name in (office, "nobody"):
        now = T0
        for _ in range(5):
            assert _try(name, "guess-password", f"client-{name}", now).message == users.BAD_CREDENTIALS
        refused = _try(name, "guess-password", f"client-{name}", now)
        assert "登录尝试过于频繁，请 1 秒后再试" in refused.message  # the same answer: no hint


def test_one_address_trying_many_names_waits(office: str) -> None:
    for i in range(throttle.CLIENT.free):
        assert _try(f"user{i}", "guess-password", ATTACKER, T0).message == users.BAD_CREDENTIALS
    assert "请 1 秒后再试" in _try("someone-else", "guess-password", ATTACKER, T0).message
    assert _try(office, TEST_PASSWORD, OWNER, T0).ok


def test_failures_from_many_addresses_slow_only_addresses_that_failed(office: str) -> None:
    for i in range(12):  # each address fails once: the account's count is 12
        assert not _try(office, "guess-password", f"10.1.0.{i}", T0).ok
    assert _wait(office, OWNER, T0) == timedelta(0)
    assert not _try(office, "a-typo-password", OWNER, T0).ok  # the owner mistypes once
    wait = _wait(office, OWNER, T0)
    assert timedelta(0) < wait <= throttle.ACCOUNT.cap  # then waits at most half a minute
    assert _try(office, TEST_PASSWORD, OWNER, T0 + wait).ok


def test_counts_lapse_and_a_success_clears_the_account(office: str) -> None:
    for _ in range(6):
        _try(office, "guess-password", ATTACKER, T0)
    assert _wait(office, ATTACKER, T0 + throttle.WINDOW + timedelta(seconds=1)) == timedelta(0)
    assert _try(office, TEST_PASSWORD, OWNER, T0).ok
    with read_session() as session:
        keys = {row.key for row in session.exec(select(LoginThrottle))}
    assert keys == {f"pair:office|{ATTACKER}", f"client:{ATTACKER}"}  # the account count is gone


def test_audit_rows_are_rate_limited(office: str) -> None:
    now = T0
    for _ in range(600):  # ten minutes of an attempt a second, from one address
        _try(office, "guess-password", ATTACKER, now)
        now += timedelta(seconds=1)
    with read_session() as session:
        rows = entries(session, username=office, action="login_failed")
    assert len(rows) <= throttle.ACCOUNT.free + 2 * 11
    assert any("此前未逐条记录的尝试" in row.detail for row in rows)
    for i in range(300):  # and a run over unknown names
        _try(f"nobody{i}", "guess-password", ATTACKER, now)
        now += timedelta(seconds=1)
    with read_session() as session:
        assert len(entries(session, action="login_failed")) <= len(rows) + throttle.CLIENT.free + 2 * 6


def test_failures_at_the_same_instant_are_all_counted(office: str) -> None:
    """Threads failing on one name from one address at once: no error (on PostgreSQL two would
    otherwise both insert the same key), every answer one of the two, every failure counted."""
    answers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def attempt(i: int) -> None:
        start.wait()
        try:
            for _ in range(3):
                answers.append(_try(office, f"guess-{i}-password", ATTACKER, T0).message)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(answers) == 18
    wrong = answers.count(users.BAD_CREDENTIALS)
    assert wrong >= throttle.PAIR.free and all(a == users.BAD_CREDENTIALS or "频繁" in a for a in answers)
    with read_session() as session:
        row = session.get(LoginThrottle, f"account:{office}")
    assert row is not None and row.failures == wrong
