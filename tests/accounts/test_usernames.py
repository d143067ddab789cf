"""Usernames that only differ in case or in full-width forms are one name: ADMIN1 and ａｄｍｉｎ１
cannot be created beside admin1, and either form signs admin1 in."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import select

from accounts import users
from accounts.access import SYSTEM
from core.text import name_key
from db.engine import get_engine, read_session, write_session
from db.migrate import alembic_config
from db.models import User
from tests.conftest import TEST_PASSWORD, add_user


def test_the_key_folds_case_and_width() -> None:
    assert name_key("ADMIN1") == name_key("ａｄｍｉｎ１") == name_key("Ａｄｍｉｎ1") == name_key("admin1") == "admin1"
    assert name_key("区政府办（外事办）") == name_key("区政府办(外事办)")
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("岩寺镇") == "岩寺镇"


@pytest.mark.parametrize("look_alike", ["ADMIN1", "ａｄｍｉｎ１", "Admin1", "ＡＤＭＩＮ１"])
def test_a_look_alike_cannot_be_created(migrated: str, look_alike: str) -> None:
    add_user("admin1", "admin")
    with write_session() as session, pytest.raises(users.AccountError, match=r"已被使用.*admin1"):
        users.create_user(session, username=look_alike, password="another-pass-1", role="admin", actor=SYSTEM)
    with read_session() as session:
        assert session.exec(select(User.username)).all() == ["admin1"]


def test_the_database_refuses_a_look_alike_too(migrated: str) -> None:
    add_user("admin1", "admin")
    with pytest.raises(Exception, match=r"(?i)unique"), write_session() as session:
        session.add(
            User(
                username="ADMIN1", username_key="admin1", password_hash="x", role="admin", created_at=users.clock.now()
            )
        )


@pytest.mark.parametrize("typed", ["admin1", "ADMIN1", "ａｄｍｉｎ１", " ａｄｍｉｎ１ "])
def test_sign_in_with_any_look_alike_form(migrated: str, typed: str) -> None:
    add_user("admin1", "admin")
    with write_session() as session:
        result = users.authenticate(session, typed, TEST_PASSWORD)
    assert result.ok and result.actor is not None and result.actor.username == "admin1"


def test_first_admin_and_bootstrap_use_the_key(loaded: str) -> None:
    with write_session() as session:
        users.create_first_admin(session, username="Office", password="first-admin-pass")
    with write_session() as session, pytest.raises(users.AccountError, match="已被使用"):
        users.create_user(session, username="ｏｆｆｉｃｅ", password="another-pass-1", role="admin", actor=SYSTEM)
    add_user("ＡＢＣ", "admin")
    with write_session() as session:
        assert users.get_user(session, "abc") is not None
        users.change_password(session, username="abc", old_password=TEST_PASSWORD, new_password="changed-pass-1")
    with write_session() as session:
        assert users.authenticate(session, "Abc", "changed-pass-1").ok


def test_migration_keeps_accounts_that_already_collide(db_url: str) -> None:
    config = alembic_config()
    command.upgrade(config, "0003")
    with get_engine().begin() as conn:
        for username in ("admin1", "ADMIN1", "ａｄｍｉｎ１"):
            conn.execute(
                text(
                    'INSERT INTO "user" (username, password_hash, role, must_change_password, failed_logins,'
                    " active, created_at) VALUES (:u, :h, 'admin', false, 0, true, '2023-01-01 00:00:00')"
                ),
                {"u": username, "h": users.hash_password(TEST_PASSWORD)},
            )
    command.upgrade(config, "head")
    with read_session() as session:
        keys = dict(session.exec(select(User.username, User.username_key)).all())
        assert keys["admin1"] == "admin1"
        assert keys["ADMIN1"].startswith("admin1 ") and keys["ａｄｍｉｎ１"].startswith("admin1 ")
        for username in keys:  # each still signs in by its exact name
            assert users.get_user(session, username).username == username
    with write_session() as session, pytest.raises(users.AccountError, match="已被使用"):
        users.create_user(session, username="Admin1", password="another-pass-1", role="admin", actor=SYSTEM)
