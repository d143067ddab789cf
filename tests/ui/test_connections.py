"""The per-address limit on Streamlit's stream websockets (ui/connections.py), driven as a
plain ASGI app with fake scopes: no server, no sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from ui import connections
from ui.connections import SessionLimit

Message = MutableMapping[str, Any]


def _run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run the scenario on an event loop of its own thread: a browser test earlier in the same
    process may leave Playwright's loop running on this one."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


class Downstream:
    """Stands in for Streamlit: accepts the websocket, then holds it open until released."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.release: dict[str, asyncio.Event] = {}
        self.fail: set[str] = set()

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        name = scope["name"]
        self.calls.append(name)
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
            return
        await send({"type": "websocket.accept"})
        event = self.release.setdefault(name, asyncio.Event())
        await event.wait()
        if name in self.fail:
            raise RuntimeError("the session broke")


def _scope(name: str, address: str = "10.0.0.1", *, kind: str = "websocket", path: str = "/_stcore/stream") -> dict:
    return {"type": kind, "path": path, "client": (address, 50000), "name": name}


async def _receive() -> Message:
    return {"type": "websocket.connect"}


class Sent:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.answered = asyncio.Event()

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)
        self.answered.set()

    @property
    def refused(self) -> bool:
        return [m["type"] for m in self.messages] == ["websocket.close"]

    @property
    def accepted(self) -> bool:
        return bool(self.messages) and self.messages[0]["type"] == "websocket.accept"


async def _open(limit: SessionLimit, scope: dict) -> tuple[asyncio.Task[None], Sent]:
    sent = Sent()
    task = asyncio.create_task(limit(scope, _receive, sent))
    await sent.answered.wait()  # accepted (and now held) or refused
    return task, sent


def test_the_connection_past_the_limit_is_refused_before_accept() -> None:
    async def scenario() -> None:
        app = Downstream()
        limit = SessionLimit(app, limit=3)
        held = [await _open(limit, _scope(f"s{i}")) for i in range(3)]
        assert all(sent.accepted for _, sent in held)
        assert limit.open["10.0.0.1"] == 3

        task, sent = await _open(limit, _scope("s3"))
        await task  # a refusal ends the connection at once
        assert sent.refused and sent.messages[0]["code"] == connections.POLICY_VIOLATION
        assert "s3" not in app.calls  # Streamlit never saw it: no session started
        assert limit.open["10.0.0.1"] == 3
        assert limit.refused == 1

        for name in ("s0", "s1", "s2"):
            app.release[name].set()
        await asyncio.gather(*(t for t, _ in held))
        assert "10.0.0.1" not in limit.open

    _run(scenario)


def test_other_addresses_are_not_affected() -> None:
    async def scenario() -> None:
        app = Downstream()
        limit = SessionLimit(app, limit=2)
        held = [await _open(limit, _scope(f"a{i}", "10.0.0.1")) for i in range(2)]
        _, refused = await _open(limit, _scope("a2", "10.0.0.1"))
        assert refused.refused
        others = [await _open(limit, _scope(f"b{i}", "10.0.0.2")) for i in range(2)]
        assert all(sent.accepted for _, sent in others)
        assert dict(limit.open) == {"10.0.0.1": 2, "10.0.0.2": 2}
        for event in app.release.values():
            event.set()
        await asyncio.gather(*(t for t, _ in held + others))
        assert not limit.open

    _run(scenario)


def test_a_closed_connection_frees_its_slot() -> None:
    async def scenario() -> None:
        app = Downstream()
        limit = SessionLimit(app, limit=1)
        first, _ = await _open(limit, _scope("first"))
        _, refused = await _open(limit, _scope("second"))
        assert refused.refused
        app.release["first"].set()
        await first
        assert not limit.open
        third, sent = await _open(limit, _scope("third"))
        assert sent.accepted and limit.open["10.0.0.1"] == 1
        app.release["third"].set()
        await third

    _run(scenario)


def test_the_slot_is_freed_when_the_session_raises() -> None:
    async def scenario() -> None:
        app = Downstream()
        app.fail.add("broken")
        limit = SessionLimit(app, limit=1)
        task, _ = await _open(limit, _scope("broken"))
        assert limit.open["10.0.0.1"] == 1
        app.release["broken"].set()
        with pytest.raises(RuntimeError, match="the session broke"):
            await task
        assert not limit.open
        again, sent = await _open(limit, _scope("again"))
        assert sent.accepted
        app.release["again"].set()
        await again

    _run(scenario)


def test_the_slot_is_freed_when_the_connection_is_cancelled() -> None:
    async def scenario() -> None:
        app = Downstream()
        limit = SessionLimit(app, limit=1)
        task, _ = await _open(limit, _scope("dropped"))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not limit.open

    _run(scenario)


def test_http_requests_and_other_websockets_are_never_counted() -> None:
    async def scenario() -> None:
        app = Downstream()
        limit = SessionLimit(app, limit=1)
        held, _ = await _open(limit, _scope("stream"))
        for i in range(5):
            sent = Sent()
            await limit(_scope(f"health{i}", kind="http", path="/_stcore/health"), _receive, sent)
            assert sent.messages[0]["status"] == 200
        sent = Sent()
        await limit(_scope("page", kind="http", path="/_stcore/stream"), _receive, sent)
        assert sent.messages[0]["status"] == 200
        other, sent = await _open(limit, _scope("other-ws", path="/some/other/socket"))
        assert sent.accepted
        assert dict(limit.open) == {"10.0.0.1": 1}
        for event in app.release.values():
            event.set()
        await asyncio.gather(held, other)

    _run(scenario)


def test_the_stream_path_is_found_under_a_base_url_path() -> None:
    assert connections.is_stream(_scope("x", path="/duban/_stcore/stream"))
    assert connections.is_stream(_scope("x", path="/_stcore/stream/"))
    assert not connections.is_stream(_scope("x", path="/_stcore/streamer"))
    assert not connections.is_stream(_scope("x", kind="http"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, connections.DEFAULT_LIMIT), ("", connections.DEFAULT_LIMIT), ("5", 5), (" 100000 ", 100000),
     ("0", connections.DEFAULT_LIMIT), ("-3", connections.DEFAULT_LIMIT), ("many", connections.DEFAULT_LIMIT)],
)  # fmt: skip
def test_the_limit_comes_from_the_environment(value: str | None, expected: int) -> None:
    environ = {} if value is None else {connections.ENV: value}
    assert connections.configured_limit(environ) == expected


def test_the_middleware_reads_the_environment_when_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(connections.ENV, "7")
    assert SessionLimit(Downstream()).limit == 7
    monkeypatch.delenv(connections.ENV)
    assert SessionLimit(Downstream()).limit == connections.DEFAULT_LIMIT
