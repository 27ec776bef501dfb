"""The HTTP connection layer under the ASGI app: read timeouts and a connection cap (issue #20, item 5).

uvicorn starts no timer on a new connection: one that sends half a request line, or headers one byte at a
time, or a body that never ends, holds a socket (and a file descriptor) for as long as it likes, before any
token is checked. ``GuardedH11Protocol`` is uvicorn's h11 protocol with three additions:

- a connection must deliver a request's complete headers within ``HEADER_TIMEOUT`` seconds of its first
  byte (or of connecting); otherwise it is closed;
- a request's body must arrive completely within ``BODY_TIMEOUT`` seconds of its headers; otherwise the
  connection is closed and the application sees the client disconnect;
- at most ``max_connections`` connections are open at once; the next one is answered ``503`` and closed at
  once, without being read.

Responses that stream for a long time (an import's progress, an SSE stream) are not limited: the timers
cover only what the client sends.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger("attio_mcp.server")

HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 60.0
MAX_CONNECTIONS = 512
FD_RESERVE = 64  # descriptors kept for everything but client connections (Attio, logs, the database)
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 25\r\n"
    b"connection: close\r\n\r\ntoo many open connections"
)


def connection_cap(wanted: int = MAX_CONNECTIONS) -> int:
    """``wanted``, lowered to what the process's file-descriptor limit allows after raising the soft limit
    to the hard one. A server that runs out of descriptors cannot even answer ``/healthz``."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or soft < hard:
            target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    except (ValueError, OSError):  # not permitted, or no such limit on this platform
        return wanted
    return max(1, min(wanted, soft - FD_RESERVE))


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with header and body read timeouts and a connection cap (class attributes, set
    by ``protocol_class``)."""

    header_timeout = HEADER_TIMEOUT
    body_timeout = BODY_TIMEOUT
    max_connections = MAX_CONNECTIONS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_timer: asyncio.TimerHandle | None = None
        self._waiting_for: str | None = None  # "headers" or "body" while a timer runs

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        if len(self.connections) > self.max_connections:
            logger.warning("refused a connection: %d are open, the most allowed", len(self.connections) - 1)
            self.transport.write(_BUSY)
            self.transport.close()
            return
        self._arm("headers", self.header_timeout)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # -- timers ----------------------------------------------------------------------------------------

    def _follow(self) -> None:
        """Start, keep or stop the timer for what the client still owes: headers, then a body."""
        state = self.conn.their_state
        if state is h11.IDLE:
            if self._waiting_for != "headers" and self._has_partial_request():
                self._arm("headers", self.header_timeout)
        elif state is h11.SEND_BODY:
            if self._waiting_for != "body":
                self._arm("body", self.body_timeout)
        else:
            self._disarm()

    def _has_partial_request(self) -> bool:
        """Bytes of a next request are buffered (keep-alive idling is uvicorn's own timer)."""
        trailing = getattr(self.conn, "trailing_data", (b"", False))
        return bool(trailing[0])

    def _arm(self, what: str, seconds: float) -> None:
        self._disarm()
        self._waiting_for = what
        self._read_timer = self.loop.call_later(seconds, self._timed_out, what)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
        self._read_timer = None
        self._waiting_for = None

    def _timed_out(self, what: str) -> None:
        self._read_timer = None
        self._waiting_for = None
        if self.transport.is_closing():
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        logger.info("closed the connection of %s: its request %s did not arrive in time", client, what)
        self.transport.close()  # connection_lost tells a running application that the client is gone


def protocol_class(
    *, header_timeout: float = HEADER_TIMEOUT, body_timeout: float = BODY_TIMEOUT, max_connections: int
) -> type[GuardedH11Protocol]:
    """A ``GuardedH11Protocol`` subclass with these limits, for ``uvicorn.Config(http=...)``."""
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {"header_timeout": header_timeout, "body_timeout": body_timeout, "max_connections": max_connections},
    )
