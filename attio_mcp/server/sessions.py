"""MCP sessions as a bounded resource (issue #20, item 3).

Legacy (2025-era) streamable-HTTP clients open a session with ``initialize`` and the SDK keeps it in memory
until the client deletes it or it has been idle for ``session_idle_timeout``. Left to the SDK alone, 10,000
abandoned sessions lock every new client out with ``503`` for the whole idle period. ``SessionGuard`` sits
in front of the SDK's app and keeps its own ledger of the sessions it saw opened: by peer address, in order
of last use, with the requests each has in flight. Before a request that may open a session:

- a peer address holding ``per_peer`` sessions gives up its least recently used idle one;
- when ``total`` sessions are open, the least recently used idle session of anyone is closed.

A session is closed with an ordinary ``DELETE`` sent to the SDK's app, so its client gets ``404`` and opens
a new one, as after an idle expiry. Sessions with a request in flight (a running tool call, an open GET
stream) are never closed; each of those holds a connection, which ``connections.py`` caps. Only when every
session in the way is busy is the new one refused (``503``). 2026-era requests are sessionless and pass.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("attio_mcp.server")

SESSION_IDLE_SECONDS = 600.0
MAX_SESSIONS = 1000
SESSIONS_PER_PEER = 100
_SESSION_HEADER = b"mcp-session-id"
_VERSION_HEADER = b"mcp-protocol-version"


@dataclass
class _Session:
    peer: str
    in_flight: int
    last_used: float


class SessionGuard:
    """ASGI middleware bounding the SDK's sessions per peer address and in all (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        path: str = "/mcp",
        per_peer: int = SESSIONS_PER_PEER,
        total: int = MAX_SESSIONS,
        idle_seconds: float = SESSION_IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.path = path
        self.per_peer = per_peer
        self.total = total
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.sessions: OrderedDict[str, _Session] = OrderedDict()  # least recently used first
        self.closed = 0  # sessions this guard closed to make room

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        version = headers.get(_VERSION_HEADER, b"").decode("latin-1") or None
        if version is not None and version not in HANDSHAKE_PROTOCOL_VERSIONS:
            await self.app(scope, receive, send)  # a 2026-era request: no session
            return
        session_id = headers.get(_SESSION_HEADER, b"").decode("latin-1") or None
        peer = _peer(scope)
        if session_id is None and scope.get("method") == "POST":
            if not await self._make_room(peer):
                response = JSONResponse(
                    {
                        "jsonrpc": "2.0",
                        "id": None,
                        "error": {"code": -32603, "message": "Too many busy sessions; retry shortly"},
                    },
                    status_code=503,
                    headers={"Retry-After": "5"},
                )
                await response(scope, receive, send)
                return
        await self._serve(scope, receive, send, session_id, peer)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, session_id: str | None, peer: str
    ) -> None:
        tracked = self.sessions.get(session_id) if session_id else None
        if session_id is not None and tracked is not None:
            tracked.in_flight += 1
            self.sessions.move_to_end(session_id)

        async def watch(message: Message) -> None:
            nonlocal tracked
            if message["type"] == "http.response.start":
                status = int(message["status"])
                opened = dict(message.get("headers") or ()).get(_SESSION_HEADER)
                if session_id is None and opened and status < 400:
                    tracked = _Session(peer, 1, self.clock())
                    self.sessions[opened.decode("latin-1")] = tracked
                elif session_id is not None and (
                    status == 404 or (scope["method"] == "DELETE" and status < 300)
                ):
                    self.sessions.pop(session_id, None)  # deleted by its client, or already gone
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if tracked is not None:
                tracked.in_flight -= 1
                tracked.last_used = self.clock()

    # -- making room -----------------------------------------------------------------------------------

    def _forget_expired(self) -> None:
        """Drop sessions the SDK has closed for idling (its timer runs alongside this ledger's)."""
        deadline = self.clock() - self.idle_seconds
        for session_id, session in list(self.sessions.items()):
            if session.last_used > deadline:
                break  # ordered by last use: the rest are newer
            if session.in_flight == 0:
                del self.sessions[session_id]

    async def _make_room(self, peer: str) -> bool:
        """Close sessions so that ``peer`` may open one; False when every candidate is busy."""
        self._forget_expired()
        mine = [sid for sid, s in self.sessions.items() if s.peer == peer]
        if len(mine) >= self.per_peer and not await self._close_idle(mine):
            return False
        if len(self.sessions) >= self.total and not await self._close_idle(list(self.sessions)):
            return False
        return True

    async def _close_idle(self, candidates: list[str]) -> bool:
        for session_id in candidates:  # least recently used first
            session = self.sessions.get(session_id)
            if session is not None and session.in_flight == 0:
                del self.sessions[session_id]
                self.closed += 1
                logger.info(
                    "closed idle MCP session %s… to make room (peer %s)", session_id[:8], session.peer
                )
                await self._delete(session_id)
                return True
        logger.warning("refused a new MCP session: every session in the way has a request in flight")
        return False

    async def _delete(self, session_id: str) -> None:
        """``DELETE /mcp`` for the session, sent straight to the SDK's app (as its client would)."""
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "DELETE",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"127.0.0.1"), (_SESSION_HEADER, session_id.encode("latin-1"))],
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 0),
            "state": {},
        }
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.disconnect"}

        async def discard(message: Message) -> None:
            return None

        await self.app(scope, receive, discard)


def _peer(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
