"""How many of Streamlit's websocket sessions one client address may hold open at once.

Every browser tab holds one websocket on ``/_stcore/stream`` and every connected session may
ask for a script run; a burst of hundreds of sessions from one address keeps the server's event
loop and its script threads busy long enough that even ``/_stcore/health`` stalls. This pure
ASGI middleware (``st.App(..., middleware=[Middleware(SessionLimit)])`` in app.py) counts the
open stream connections per client address (``scope["client"][0]``) and refuses one beyond the
limit before it is accepted, so that the client sees HTTP 403 and no session is started. The
slot is given back when the connection ends, however it ends.

The count is per server process. Behind a reverse proxy every connection comes from the proxy's
address: the limit then only caps the proxy as a whole, and the proxy itself must limit each
user's address (README, 反向代理).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ENV = "DUBAN_MAX_SESSIONS_PER_CLIENT"
# Generous on purpose: a whole office behind one NAT address, each person with a few tabs open,
# must never be refused (docs/decisions.md); a burst of hundreds from one address is.
DEFAULT_LIMIT = 60
STREAM_PATH = "/_stcore/stream"
POLICY_VIOLATION = 1008

_LOGGER = logging.getLogger(__name__)


def configured_limit(environ: MutableMapping[str, str] | None = None) -> int:
    """The limit: ``DUBAN_MAX_SESSIONS_PER_CLIENT`` if it is a positive whole number, else the default."""
    raw = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not raw:
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        _LOGGER.warning("%s=%r 不是正整数，按默认值 %d 计。", ENV, raw, DEFAULT_LIMIT)
        return DEFAULT_LIMIT
    return value


def is_stream(scope: Scope) -> bool:
    """Whether the scope is a websocket on Streamlit's stream path (under any base URL path)."""
    path = str(scope.get("path", "")).rstrip("/")
    return scope.get("type") == "websocket" and (path == STREAM_PATH or path.endswith(STREAM_PATH))


class SessionLimit:
    """Refuses a client address's stream websocket beyond ``limit`` open at once (HTTP 403)."""

    def __init__(self, app: ASGIApp, limit: int | None = None) -> None:
        self.app = app
        self.limit = configured_limit() if limit is None else limit
        self.open: Counter[str] = Counter()
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_stream(scope):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else ""
        if self.open[address] >= self.limit:
            self.refused += 1
            if self.refused == 1 or self.refused % 100 == 0:
                _LOGGER.warning(
                    "地址 %s 已有 %d 个会话连接，拒绝新的连接（上限 %s=%d；累计拒绝 %d 次）。",
                    address, self.open[address], ENV, self.limit, self.refused,
                )  # fmt: skip
            # A close before the accept: the server answers the handshake with HTTP 403.
            await send({"type": "websocket.close", "code": POLICY_VIOLATION})
            return
        # No await between the check and the increment: the event loop cannot interleave them.
        self.open[address] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open[address] -= 1
            if self.open[address] <= 0:
                del self.open[address]
