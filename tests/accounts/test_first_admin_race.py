"""Two first-run forms submitted at the same instant make one admin, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from sqlmodel import Session, func, select

from accounts import users
from db.engine import read_session, write_session
from db.models import User


def test_two_first_admins_at_once_make_one(migrated: str, monkeypatch: pytest.MonkeyPatch) -> None:
    checked = threading.Barrier(2)
    real_has_users = users.has_users
    first_look: set[int] = set()

    def slow_has_users(session: Session) -> bool:
        """Both threads pass the first look before either writes, the race made certain, where
        the database lets two writers in at once (PostgreSQL). On SQLite the second waits for
        the write lock before it can look at all, so the wait here gives up."""
        found = real_has_users(session)
        me = threading.get_ident()
        if me not in first_look:
            first_look.add(me)
            with contextlib.suppress(threading.BrokenBarrierError):
                checked.wait(timeout=2)
            time.sleep(0.2)
        return found

    monkeypatch.setattr(users, "has_users", slow_has_users)
    outcomes: dict[str, str] = {}

    def submit(name: str) -> None:
        try:
            with write_session() as session:
                users.create_first_admin(session, username=name, password=f"{name}-first-pass")
            outcomes[name] = "created"
        except users.AccountError as exc:
            outcomes[name] = str(exc)
        except Exception as exc:
            outcomes[name] = f"{type(exc).__name__}: {exc}"

    start = threading.Barrier(2, timeout=30)

    def run(name: str) -> None:
        start.wait()
        submit(name)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("office-a", "office-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["created", "系统中已有账号，初始化表单已失效，请直接登录。"], outcomes
    with read_session() as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 1
