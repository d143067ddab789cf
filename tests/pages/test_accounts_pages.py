"""账号管理, 审计日志 and 修改密码 through AppTest, as the office and a user work with them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from accounts import sessions, users
from accounts.access import SYSTEM
from accounts.audit import entries
from db.engine import read_session, write_session
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
Login = Callable[..., object]


def _page(name: str, login_as: Login, role: str = "admin") -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=60)
    login_as(at, role)
    at.run()
    assert not at.exception, at.exception
    return at


def _signs_in(username: str, password: str) -> users.LoginResult:
    with write_session() as session:
        return users.authenticate(session, username, password)


def _accounts_table(at: AppTest) -> dict[str, dict]:
    return {row["用户名"]: row for row in at.dataframe[0].value.to_dict("records")}


def test_office_adds_a_unit_account_and_gets_its_initial_password_once(loaded: str, login_as: Login) -> None:
    at = _page("accounts.py", login_as)
    at.radio(key="add_role").set_value("责任单位").run()
    at.selectbox(key="add_unit").select("区交通运输局")
    at.text_input(key="add_username").input("区交通运输局")
    at.button(key="add_submit").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已新建账号 区交通运输局（责任单位）。初始密码："]
    password = at.code[0].value
    row = _accounts_table(at)["区交通运输局"]
    assert (row["角色"], row["所属单位"], row["状态"]) == ("责任单位", "区交通运输局", "待修改初始密码")
    result = _signs_in("区交通运输局", password)
    assert result.ok and result.must_change_password

    at.run()
    assert not at.code  # shown once only

    at.radio(key="add_role").set_value("责任单位").run()
    at.selectbox(key="add_unit").select("潜口镇")
    at.text_input(key="add_username").input("区交通运输局")
    at.button(key="add_submit").click().run()
    assert [e.value for e in at.error] == ["用户名 区交通运输局 已被使用，请换一个。"]
    assert "潜口镇" not in {row["所属单位"] for row in _accounts_table(at).values()}


def test_office_resets_a_password_and_disables_an_account_but_not_its_own(loaded: str, login_as: Login) -> None:
    with write_session() as session:
        users.create_user(session, username="岩寺镇", password=TEST_PASSWORD, role="unit", unit="岩寺镇", actor=SYSTEM)
    at = _page("accounts.py", login_as)

    at.selectbox(key="reset_username").select("岩寺镇")
    at.button(key="reset_submit").click().run()
    new_password = at.code[0].value
    assert not _signs_in("岩寺镇", TEST_PASSWORD).ok
    assert _signs_in("岩寺镇", new_password).ok

    at.selectbox(key="active_username").select("督查室")
    at.radio(key="active_action").set_value("停用")
    at.button(key="active_submit").click().run()
    assert [e.value for e in at.error] == ["不能停用当前登录的账号。"]

    at.selectbox(key="active_username").select("岩寺镇")
    at.radio(key="active_action").set_value("停用")
    at.button(key="active_submit").click().run()
    assert _accounts_table(at)["岩寺镇"]["状态"] == "已停用"
    assert _signs_in("岩寺镇", new_password).message == "该账号已停用，请联系督查室。"
    with read_session() as session:
        changes = [e.detail for e in entries(session, username="督查室", action="account_changed")]
    assert any("停用账号" in d for d in changes) and any("重置密码" in d for d in changes)


def test_office_sees_where_an_account_is_signed_in_and_signs_it_out_everywhere(loaded: str, login_as: Login) -> None:
    with write_session() as session:
        users.create_user(session, username="岩寺镇", password=TEST_PASSWORD, role="unit", unit="岩寺镇", actor=SYSTEM)
        user = users.get_user(session, "岩寺镇")
        for agent in ("Chromium 甲", "Firefox 乙"):
            sessions.start(
                session, user_id=user.id, lifetime=timedelta(hours=12), client_address="10.1.2.3", user_agent=agent
            )  # type: ignore[arg-type]
    at = _page("accounts.py", login_as)
    at.selectbox(key="sessions_username").select("岩寺镇").run()
    [listed] = [d.value for d in at.dataframe if "浏览器" in d.value.columns]
    assert set(listed["浏览器"]) == {"Chromium 甲", "Firefox 乙"} and set(listed["地址"]) == {"10.1.2.3"}
    assert list(listed.columns) == ["登录时间", "最近活动", "最晚到期", "地址", "浏览器"]

    at.button(key="sessions_end_all").click().run()
    assert [s.value for s in at.success] == ["已退出 岩寺镇 的全部登录（2 处）。"]
    with read_session() as session:
        assert sessions.active_sessions(session, username="岩寺镇", idle=timedelta(minutes=30)) == []
        assert len(sessions.active_sessions(session, username="督查室", idle=timedelta(minutes=30))) == 1
        assert any("退出全部登录" in e.detail for e in entries(session, username="督查室", action="account_changed"))
    assert [c.value for c in at.caption if "当前没有登录" in c.value] == ["岩寺镇 当前没有登录。"]


def test_office_opens_accounts_for_all_units_and_downloads_the_list(loaded: str, login_as: Login) -> None:
    at = _page("accounts.py", login_as)
    at.button(key="bootstrap_submit").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已为 65 个单位开设账号。"]
    assert [b.label for b in at.download_button] == ["下载初始密码表（Excel）", "下载 Excel"]  # the list, the table
    assert len(_accounts_table(at)) == 66

    at.button(key="bootstrap_submit").click().run()
    assert [i.value for i in at.info] == ["所有单位都已有账号，无需开设。"]


def test_audit_log_filters_by_account_and_action(loaded: str, login_as: Login) -> None:
    with write_session() as session:
        users.create_user(session, username="岩寺镇", password=TEST_PASSWORD, role="unit", unit="岩寺镇", actor=SYSTEM)
    _signs_in("岩寺镇", "wrong-password")
    _signs_in("岩寺镇", TEST_PASSWORD)
    _signs_in("ghost", "whatever-pass")
    at = _page("audit_log.py", login_as)
    table = at.dataframe[0].value
    assert {"登录成功", "登录失败", "账号变更"} <= set(table["操作"])

    at.selectbox(key="url_user").select("岩寺镇").run()
    table = at.dataframe[0].value
    assert list(table["操作"]) == ["登录成功", "登录失败"]
    assert "原因：密码错误" in table.iloc[1]["详情"]
    assert at.query_params["user"] == "岩寺镇"

    at.selectbox(key="url_user").select("全部")
    at.selectbox(key="url_action").select("登录失败").run()
    assert set(at.dataframe[0].value["账号"]) == {"岩寺镇", "ghost"}


@pytest.mark.parametrize("role", ["leader", "unit"])
def test_everyone_changes_their_own_password(loaded: str, login_as: Login, role: str) -> None:
    at = _page("account.py", login_as, role)
    username = {"leader": "黄劼", "unit": "岩寺镇"}[role]  # as login_as names them
    at.text_input(key="pw_old").input("not-my-password")
    at.text_input(key="pw_new").input("fresh-pass-77")
    at.text_input(key="pw_again").input("fresh-pass-77")
    at.button(key="pw_submit").click().run()
    assert [e.value for e in at.error] == ["原密码不正确。"]
    at.text_input(key="pw_old").input(TEST_PASSWORD)
    at.text_input(key="pw_new").input("fresh-pass-77")
    at.text_input(key="pw_again").input("fresh-pass-77")
    at.button(key="pw_submit").click().run()
    assert [s.value for s in at.success] == ["密码已修改。"]
    assert _signs_in(username, "fresh-pass-77").ok
