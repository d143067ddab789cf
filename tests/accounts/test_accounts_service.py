"""Accounts as plain Python: creating, signing in with throttling, passwords, and unit ownership
enforced by the reporting services themselves."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from accounts import users
from accounts.access import SYSTEM, AccessDenied, Actor
from accounts.audit import entries
from db.engine import read_session, write_session
from db.models import RejectedAttempt, Submission, Unit, User
from tests.factories import add_submission
from ui.auth import own_leader_name

PASSWORD = "correct-horse-1"
T0 = datetime(2023, 3, 1, 9, 0)


def _create(username: str, role: str = "unit", **kwargs: object) -> None:
    with write_session() as session:
        users.create_user(session, username=username, password=PASSWORD, role=role, actor=SYSTEM, **kwargs)


def _login(username: str, password: str, now: datetime | None = None) -> users.LoginResult:
    with write_session() as session:
        return users.authenticate(session, username, password, now=now)


def _user(username: str) -> User:
    with read_session() as session:
        user = users.get_user(session, username)
    assert user is not None
    return user


def test_unit_account_by_alias_signs_in_as_its_unit(loaded: str) -> None:
    with read_session() as session:
        unit = session.exec(select(Unit).where(Unit.name == "区交通运输局")).one()
    _create("jtj", unit="区交通局")
    result = _login("jtj", PASSWORD)
    assert result.ok
    assert result.actor == Actor("jtj", "unit", unit_id=unit.id)
    assert result.must_change_password  # set up by someone else: change at first sign-in
    assert result.actor.may_act_for(unit.id)


def test_leader_account_knows_its_leader(loaded: str) -> None:
    _create("hj", role="leader", leader="黄劼")
    actor = _login("hj", PASSWORD).actor
    assert actor is not None and actor.leader_id is not None
    assert own_leader_name(actor) == "黄劼"
    assert own_leader_name(SYSTEM) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "a", "role": "unit"}, "须指定所属单位"),
        ({"username": "a", "role": "unit", "unit": "各乡镇"}, "是群组"),
        ({"username": "a", "role": "unit", "unit": "区不存在局"}, "找不到单位"),
        ({"username": "a", "role": "leader", "leader": "张三"}, "找不到领导"),
        ({"username": "a", "role": "admin", "unit": "岩寺镇"}, "只有责任单位账号"),
        ({"username": "a", "role": "boss"}, "角色只能是"),
        ({"username": "a b", "role": "admin"}, "空格"),
        ({"username": "  ", "role": "admin"}, "请填写用户名"),
    ],
)
def test_bad_account_input_is_refused_in_chinese_and_nothing_is_written(
    loaded: str, kwargs: dict, message: str
) -> None:
    with pytest.raises(users.AccountError, match=message), write_session() as session:
        users.create_user(session, password=PASSWORD, actor=SYSTEM, **kwargs)
    with read_session() as session:
        assert session.exec(select(User)).all() == []
        assert entries(session) == []


def test_passwords_must_be_long_and_not_the_username_and_usernames_unique(loaded: str) -> None:
    for password, message in (("short1", "至少 8 位"), ("yansizhen", "不能与用户名相同"), (" padded-pass ", "首尾")):
        with pytest.raises(users.AccountError, match=message), write_session() as session:
            users.create_user(session, username="yansizhen", password=password, role="admin", actor=SYSTEM)
    _create("yansizhen", role="admin")
    with pytest.raises(users.AccountError, match="已被使用"):
        _create("yansizhen", role="unit", unit="岩寺镇")


def test_only_the_office_manages_accounts(loaded: str) -> None:
    unit_actor = Actor("岩寺镇", "unit", unit_id=1)
    with pytest.raises(AccessDenied), write_session() as session:
        users.create_user(session, username="x", password=PASSWORD, role="admin", actor=unit_actor)
    _create("岩寺镇", unit="岩寺镇")
    with pytest.raises(AccessDenied), write_session() as session:
        users.reset_password(session, username="岩寺镇", new_password="another-pass-1", actor=unit_actor)
    with pytest.raises(AccessDenied), write_session() as session:
        users.bootstrap_unit_accounts(session, actor=Actor("hj", "leader", leader_id=1))


def test_stored_hash_is_argon2_and_never_the_password(loaded: str) -> None:
    _create("岩寺镇", unit="岩寺镇")
    stored = _user("岩寺镇").password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_wrong_password_and_unknown_user_get_the_same_answer_and_are_logged(loaded: str) -> None:
    _create("岩寺镇", unit="岩寺镇")
    wrong = _login("岩寺镇", "not-the-password")
    unknown = _login("nobody", PASSWORD)
    assert not wrong.ok and not unknown.ok
    assert wrong.message == unknown.message == users.BAD_CREDENTIALS
    with read_session() as session:
        failed = entries(session, action="login_failed")
    assert [(e.username, "无此账号" in e.detail) for e in failed] == [("nobody", True), ("岩寺镇", False)]


def test_a_success_resets_the_failure_count(loaded: str) -> None:
    _create("岩寺镇", unit="岩寺镇")
    moments = (T0 + timedelta(seconds=i) for i in range(20))
    for _ in range(4):
        _login("岩寺镇", "wrong-password", next(moments))
    assert _login("岩寺镇", PASSWORD, next(moments)).ok
    for _ in range(4):
        assert _login("岩寺镇", "wrong-password", next(moments)).message == users.BAD_CREDENTIALS
    assert _login("岩寺镇", PASSWORD, next(moments)).ok


def test_change_password_checks_the_old_one_and_ends_the_forced_change(loaded: str) -> None:
    _create("岩寺镇", unit="岩寺镇")
    cases = (
        ("wrong-old-pass", "brand-new-pass", "原密码不正确"),
        (PASSWORD, PASSWORD, "不能与原密码相同"),
        (PASSWORD, "short", "至少 8 位"),
        (PASSWORD, "岩寺镇", "至少 8 位"),
    )
    for old, new, message in cases:
        with pytest.raises(users.AccountError, match=message), write_session() as session:
            users.change_password(session, username="岩寺镇", old_password=old, new_password=new)
    assert _user("岩寺镇").must_change_password
    with write_session() as session:
        users.change_password(session, username="岩寺镇", old_password=PASSWORD, new_password="brand-new-pass")
    assert not _user("岩寺镇").must_change_password
    assert not _login("岩寺镇", PASSWORD).ok
    assert _login("岩寺镇", "brand-new-pass").ok


def test_reset_password_unlocks_and_forces_a_change(loaded: str) -> None:
    _create("岩寺镇", unit="岩寺镇")
    for i in range(5):
        _login("岩寺镇", "wrong-password", T0 + timedelta(seconds=i))
    with write_session() as session:
        users.reset_password(session, username="岩寺镇", new_password="fresh-pass-22", actor=SYSTEM)
    result = _login("岩寺镇", "fresh-pass-22", T0 + timedelta(minutes=1))
    assert result.ok and result.must_change_password
    with read_session() as session:
        assert "重置密码" in entries(session, action="account_changed")[0].detail


def test_disabled_account_cannot_sign_in_and_the_last_admin_cannot_be_disabled(loaded: str) -> None:
    _create("office", role="admin")
    _create("岩寺镇", unit="岩寺镇")
    office = Actor("office", "admin")
    with write_session() as session:
        users.set_active(session, username="岩寺镇", active=False, actor=office)
    assert _login("岩寺镇", PASSWORD).message == "该账号已停用，请联系督查室。"
    assert _login("岩寺镇", "wrong-password").message == users.BAD_CREDENTIALS
    with pytest.raises(users.AccountError, match="不能停用当前登录的账号"), write_session() as session:
        users.set_active(session, username="office", active=False, actor=office)
    with pytest.raises(users.AccountError, match="唯一启用的督查室账号"), write_session() as session:
        users.set_active(session, username="office", active=False, actor=SYSTEM)


def test_first_admin_only_while_no_account_exists(db_url: str) -> None:
    from db.engine import create_schema

    create_schema()
    with write_session() as session:
        users.create_first_admin(session, username="office", password=PASSWORD)
    with pytest.raises(users.AccountError, match="已有账号"), write_session() as session:
        users.create_first_admin(session, username="intruder", password=PASSWORD)
    result = _login("office", PASSWORD)
    assert result.ok and result.actor.role == "admin" and not result.must_change_password  # type: ignore[union-attr]


def _template(unit: str, period: str = "2023-03") -> bytes:
    from intake.template import build_template

    with read_session() as session:
        unit_id = session.exec(select(Unit.id).where(Unit.name == unit)).one()
        return build_template(session, unit_id, period)


def test_a_unit_cannot_submit_or_read_as_another_unit_through_the_service(loaded: str) -> None:
    from intake.ingest import ingest_upload, original_file

    _create("岩寺镇", unit="岩寺镇")
    _create("西溪南镇", unit="西溪南镇")
    yansi = _login("岩寺镇", PASSWORD).actor
    xixinan = _login("西溪南镇", PASSWORD).actor
    assert yansi is not None and xixinan is not None
    other_sheet = _template("西溪南镇")

    with pytest.raises(AccessDenied, match="无权代西溪南镇报送"):
        ingest_upload(other_sheet, file_name="西溪南镇.xlsx", unit="西溪南镇", actor=yansi)
    with read_session() as session:
        assert session.exec(select(Submission)).all() == []
        assert session.exec(select(RejectedAttempt)).all() == []

    own = ingest_upload(other_sheet, file_name="西溪南镇.xlsx", unit="西溪南镇", actor=xixinan)
    assert own.unit == "西溪南镇"  # the unit itself gets through to validation

    submission_id = add_submission("西溪南镇", "2023-03", datetime(2023, 4, 3, 10, 0))
    with read_session() as session:
        with pytest.raises(AccessDenied):
            original_file(session, submission_id, yansi)
        assert original_file(session, submission_id, xixinan)[0] == "西溪南镇-2023-03.xlsx"
        assert original_file(session, submission_id, SYSTEM)[0] == "西溪南镇-2023-03.xlsx"
