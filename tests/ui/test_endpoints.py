"""The sign-in and logout endpoints over HTTP (Starlette's test client): the cookie's flags, the
lifetime setting, where the browser goes next, and posts from other sites refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import unquote

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from accounts.access import SYSTEM
from accounts.audit import entries
from cycle.admin import change_setting
from db.engine import read_session, write_session
from db.models import AuthSession
from tests.conftest import TEST_PASSWORD, add_user
from ui import endpoints

HERE = {"Origin": "http://testserver"}


@pytest.fixture
def client(migrated: str) -> Iterator[TestClient]:
    add_user("office", "admin")
    with TestClient(Starlette(routes=endpoints.routes()), follow_redirects=False) as test_client:
        yield test_client


def _login(client: TestClient, headers: dict[str, str], next_path: str = "/tasks?unit=岩寺镇"):  # type: ignore[no-untyped-def]
    return client.post(
        endpoints.LOGIN_PATH,
        data={"username": "office", "password": TEST_PASSWORD, "next": next_path},
        headers=headers,
    )


def _rows() -> list[AuthSession]:
    with read_session() as session:
        return list(session.exec(select(AuthSession)))


def test_sign_in_sets_an_httponly_strict_cookie_and_goes_back_to_the_page(client: TestClient) -> None:
    response = _login(client, HERE)
    assert response.status_code == 303
    assert unquote(response.headers["location"]) == "/tasks?unit=岩寺镇"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{endpoints.COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie and "Max-Age" not in cookie  # plain http; gone when the browser closes
    [row] = _rows()
    assert row.expires_at - row.created_at == timedelta(hours=12)
    assert row.user_agent == "testclient"
    with read_session() as session:
        assert len(entries(session, username="office", action="login")) == 1


def test_over_https_the_cookie_is_secure(client: TestClient) -> None:
    response = _login(
        client, {"Origin": "https://duban.example", "Host": "duban.example", "X-Forwarded-Proto": "https"}
    )
    assert response.status_code == 303 and "Secure" in response.headers["set-cookie"]


def test_the_absolute_lifetime_is_a_setting(client: TestClient) -> None:
    with write_session() as session:
        change_setting(session, key="session_lifetime_hours", value=2, actor=SYSTEM)
    assert _login(client, HERE).status_code == 303
    [row] = _rows()
    assert row.expires_at - row.created_at == timedelta(hours=2)


@pytest.mark.parametrize("next_path", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "tasks", ""])
def test_sign_in_never_sends_the_browser_to_another_site(client: TestClient, next_path: str) -> None:
    assert _login(client, HERE, next_path).headers["location"] == "/"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Referer": "http://evil.example/page"},
        {},  # neither Origin nor Referer
        {"Origin": "http://testserver.evil.example"},
    ],
)
def test_a_sign_in_posted_from_another_site_is_refused(client: TestClient, headers: dict[str, str]) -> None:
    response = _login(client, headers)
    assert response.status_code == 403
    assert endpoints.CROSS_SITE in response.text
    assert "set-cookie" not in response.headers
    assert _rows() == []
    with read_session() as session:
        assert entries(session, action="login") == [] and entries(session, action="login_failed") == []


def test_a_same_site_referer_is_enough_without_origin(client: TestClient) -> None:
    assert _login(client, {"Referer": "http://testserver/tasks"}).status_code == 303


def test_a_wrong_password_answers_with_the_message_and_the_form(client: TestClient) -> None:
    response = client.post(
        endpoints.LOGIN_PATH, data={"username": "office", "password": "nope-nope", "next": "/tasks"}, headers=HERE
    )
    assert response.status_code == 401 and "用户名或密码不正确。" in response.text
    assert 'name="next" value="/tasks"' in response.text and "set-cookie" not in response.headers
    assert client.post(endpoints.LOGIN_PATH, content=b"x" * 10_000, headers=HERE).status_code == 400


def test_logout_ends_the_session_and_deletes_the_cookie_but_not_from_another_site(client: TestClient) -> None:
    token = _login(client, HERE).cookies[endpoints.COOKIE]
    client.cookies.set(endpoints.COOKIE, token)
    refused = client.post(endpoints.LOGOUT_PATH, headers={"Origin": "http://evil.example"})
    assert refused.status_code == 403 and len(_rows()) == 1

    response = client.post(endpoints.LOGOUT_PATH, headers=HERE)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert _rows() == []
    with read_session() as session:
        assert "主动退出" in entries(session, username="office", action="logout")[0].detail
    # Again, with the same cookie: nothing left to end, no second audit entry.
    assert client.post(endpoints.LOGOUT_PATH, headers=HERE).status_code == 303
    with read_session() as session:
        assert len(entries(session, action="logout")) == 1


def test_a_get_of_either_address_changes_nothing(client: TestClient) -> None:
    token = _login(client, HERE).cookies[endpoints.COOKIE]
    client.cookies.set(endpoints.COOKIE, token)
    for path in (endpoints.LOGIN_PATH, endpoints.LOGOUT_PATH, endpoints.SETUP_PATH):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/"
        assert "set-cookie" not in response.headers
    assert len(_rows()) == 1


def test_the_first_run_form_refuses_other_sites_and_any_second_admin(migrated: str) -> None:
    data = {"username": "office", "password": TEST_PASSWORD, "again": TEST_PASSWORD, "next": "/"}
    with TestClient(Starlette(routes=endpoints.routes()), follow_redirects=False) as client:
        refused = client.post(endpoints.SETUP_PATH, data=data, headers={"Origin": "http://evil.example"})
        assert refused.status_code == 403 and endpoints.CROSS_SITE in refused.text
        with read_session() as session:
            assert entries(session, action="account_changed") == []
        created = client.post(endpoints.SETUP_PATH, data=data, headers=HERE)
        assert created.status_code == 303 and "HttpOnly" in created.headers["set-cookie"]
        second = client.post(endpoints.SETUP_PATH, data={**data, "username": "other"}, headers=HERE)
        assert second.status_code == 409 and "set-cookie" not in second.headers
    assert len(_rows()) == 1
