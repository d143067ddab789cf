"""Weak passwords are refused wherever a password is set: the first admin, user add, a change,
a reset; with a message that says why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from accounts import users
from accounts.access import SYSTEM
from db.engine import write_session
from tests.conftest import TEST_PASSWORD, add_user

ROOT = Path(__file__).resolve().parents[2]
COMMON = ["12345678", "password", "Password", "PASSWORD1", "ｐａｓｓｗｏｒｄ", "a123456789", "qwertyuiop", "1qaz2wsx"]
REPEATED = ["11111111", "aaaaaaaaaaaa", "００００００００", "AaAaAaAa"]


@pytest.mark.parametrize("password", COMMON)
def test_common_passwords_are_refused_for_the_first_admin(migrated: str, password: str) -> None:
    with write_session() as session, pytest.raises(users.AccountError, match="最常见的密码"):
        users.create_first_admin(session, username="office", password=password)
    with write_session() as session:
        assert not users.has_users(session)


@pytest.mark.parametrize("password", REPEATED)
def test_one_repeated_character_is_refused(migrated: str, password: str) -> None:
    with write_session() as session, pytest.raises(users.AccountError, match="同一个字符重复"):
        users.create_first_admin(session, username="office", password=password)


def test_everywhere_a_password_is_set(migrated: str) -> None:
    add_user("office", "admin")
    with write_session() as session, pytest.raises(users.AccountError, match="最常见的密码"):
        users.create_user(session, username="other", password="iloveyou", role="admin", actor=SYSTEM)
    with write_session() as session, pytest.raises(users.AccountError, match="最常见的密码"):
        users.change_password(session, username="office", old_password=TEST_PASSWORD, new_password="12345678")
    with write_session() as session, pytest.raises(users.AccountError, match="同一个字符重复"):
        users.reset_password(session, username="office", new_password="zzzzzzzz", actor=SYSTEM)
    with write_session() as session:  # the password is unchanged
        assert users.authenticate(session, "office", TEST_PASSWORD).ok


def test_username_compared_like_a_username(migrated: str) -> None:
    with write_session() as session, pytest.raises(users.AccountError, match="与用户名相同"):
        users.create_first_admin(session, username="office-admin", password="OFFICE-ADMIN")


def test_ordinary_passwords_pass(migrated: str) -> None:
    for password in (
        TEST_PASSWORD,
        "first-admin-pass",
        "初始密码8位以上",
        "徽州区督查室2023",
        users.generate_password(),
    ):
        users.check_password(password, username="office")
    assert len(users.common_passwords()) > 5000


def test_cli_user_add_refuses_a_common_password(loaded: str) -> None:
    done = subprocess.run(
        [sys.executable, "cli.py", "user", "add", "--role", "admin", "--username", "x1", "--password-stdin"],
        cwd=ROOT,
        input="password\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "最常见的密码" in done.stderr and "Traceback" not in done.stderr
