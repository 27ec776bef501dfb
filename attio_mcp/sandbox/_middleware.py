"""Rate limiting and seeded fault injection for the sandbox, as pure ASGI middleware (off by default).

Requests are classified like Attio does: ``GET`` (and ``HEAD``/``OPTIONS``) plus the read-style POSTs to
``…/records/query``, ``…/entries/query`` and ``/v2/objects/records/search`` are *reads*; every other
POST/PUT/PATCH/DELETE is a *write*.

**Rate limits** (``RateLimitConfig``): a fixed one-second window per class (reads 100/s, writes 25/s by
default; a rate below 1/s widens the window to ``1/rate`` seconds). Over the limit the request is NOT passed
to the app; the answer is 429 with Attio's exact body and a ``Retry-After`` HTTP-date (RFC 7231) of the
moment the window ends, rounded up to the next whole second. The score-based limits of the query endpoints
(``RateLimitConfig.query_scores``) need the parsed query and the workspace, so the query routes enforce
them (``_scoring``), not this middleware.

**Faults** (``FaultConfig``): ``random.Random(seed)`` draws two numbers for every HTTP request, so the
sequence of outcomes depends only on the seed and the request order. The first draw picks at most one mode,
in this order of cumulative shares:

- ``rate_429``: a 429 exactly like the rate limiter's; the request is not processed.
- ``rate_500`` / ``rate_503``: an Attio-shaped 5xx error body. By default the request is NOT processed.
  With ``process_before_5xx`` (a share in [0, 1], decided by the second draw) the request IS processed
  first and its response thrown away: the write happened but the client sees an error, the hardest case
  for a client's retry logic.
- ``rate_delay``: read the request, sleep ``delay_seconds``, then process it normally, so a client with a
  shorter timeout gives up while the request still completes on the server.
- ``rate_drop``: process the request, then break the connection: the response starts with its full
  ``Content-Length`` but only part of the body is sent before the ASGI call ends without finishing. A real
  server (uvicorn) closes the connection mid-body and the client sees a protocol error.

Throttling by the limiter takes precedence over an injected fault for the same request.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field, fields
from email.utils import formatdate
from typing import Any

import anyio

from ._scopes import route_path
from ._scoring import QueryScoreConfig

__all__ = ["RATE_LIMIT_BODY", "FaultConfig", "RateLimitConfig", "is_read", "parse_faults", "wrap_app"]

logger = logging.getLogger("attio_mcp.sandbox")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_READ_SUFFIXES = ("/records/query", "/entries/query")
_SEARCH_PATH = "/v2/objects/records/search"
RATE_LIMIT_BODY = {
    "status_code": 429,
    "type": "rate_limit_error",
    "code": "rate_limit_exceeded",
    "message": "Rate limit exceeded, please try again later",
}
_FAULT_BODIES = {
    500: {
        "status_code": 500,
        "type": "api_error",
        "code": "internal_server_error",
        "message": "An unexpected error occurred (sandbox fault injection).",
    },
    503: {
        "status_code": 503,
        "type": "api_error",
        "code": "service_unavailable",
        "message": "The service is temporarily unavailable (sandbox fault injection).",
    },
}


@dataclass(frozen=True)
class RateLimitConfig:
    """Requests per second allowed for each class (Attio: 100 reads/s, 25 writes/s), plus the score-based
    limits of the records/entries query endpoints (``query_scores``, see ``_scoring``; None: off)."""

    reads_per_second: float = 100.0
    writes_per_second: float = 25.0
    query_scores: QueryScoreConfig | None = field(default_factory=QueryScoreConfig)

    def __post_init__(self) -> None:
        if self.reads_per_second <= 0 or self.writes_per_second <= 0:
            raise ValueError("rate limits must be positive")


@dataclass(frozen=True)
class FaultConfig:
    """Shares (0..1) of requests that get each injected fault; see the module docstring for each mode."""

    seed: int = 0
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_503: float = 0.0
    rate_delay: float = 0.0
    delay_seconds: float = 30.0
    rate_drop: float = 0.0
    process_before_5xx: float = 0.0

    def __post_init__(self) -> None:
        shares = (self.rate_429, self.rate_500, self.rate_503, self.rate_delay, self.rate_drop)
        if any(not 0.0 <= s <= 1.0 for s in (*shares, self.process_before_5xx)):
            raise ValueError("fault rates must be between 0 and 1")
        if sum(shares) > 1.0 + 1e-9:
            raise ValueError("fault rates must add up to at most 1")
        if self.delay_seconds < 0:
            raise ValueError("delay_seconds must not be negative")

    @property
    def enabled(self) -> bool:
        """Whether any fault can fire."""
        return any((self.rate_429, self.rate_500, self.rate_503, self.rate_delay, self.rate_drop))


_FAULT_KEYS = {
    "429": "rate_429",
    "500": "rate_500",
    "503": "rate_503",
    "delay": "rate_delay",
    "drop": "rate_drop",
}


def parse_faults(spec: str) -> FaultConfig:
    """Parse the CLI form, e.g. ``"429=0.1,500=0.05,503=0.02,delay=0.02,drop=0.01,seed=7,delay_seconds=5"``.

    Keys: ``429 500 503 delay drop`` (or their ``rate_*`` names), ``seed``, ``delay_seconds`` and
    ``process_before_5xx``. Raises ValueError on unknown keys or bad numbers.
    """
    known = {f.name for f in fields(FaultConfig)}
    values: dict[str, Any] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        key, sep, raw = part.partition("=")
        key, raw = key.strip(), raw.strip()
        name = _FAULT_KEYS.get(key, key)
        if not sep or name not in known:
            raise ValueError(
                f"unknown fault setting {part.strip()!r}; expected key=value with key in "
                f"{', '.join([*_FAULT_KEYS, 'seed', 'delay_seconds', 'process_before_5xx'])}"
            )
        if name in values:
            raise ValueError(f"fault setting {key!r} given twice")
        try:
            values[name] = int(raw) if name == "seed" else float(raw)
        except ValueError:
            raise ValueError(f"fault setting {key!r} needs a number, got {raw!r}") from None
    return FaultConfig(**values)


def wrap_app(
    app: ASGIApp,
    *,
    rate_limit: RateLimitConfig | None = None,
    faults: FaultConfig | None = None,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
) -> ASGIApp:
    """Wrap ``app`` with the rate limiter and/or fault injector; returns ``app`` itself when both are off.

    ``clock`` drives the limiter windows (inject a fake one in tests); ``wall_clock`` only dates Retry-After.
    """
    if rate_limit is None and (faults is None or not faults.enabled):
        return app
    return _SandboxMiddleware(app, rate_limit, faults, clock, wall_clock)


def is_read(method: str, path: str) -> bool:
    """Attio's read/write split: GET plus the query and search POSTs are reads."""
    method = method.upper()
    if method in ("GET", "HEAD", "OPTIONS"):
        return True
    path = path.rstrip("/")
    return method == "POST" and (path.endswith(_READ_SUFFIXES) or path == _SEARCH_PATH)


class _Window:
    """A fixed window allowing ``rate`` requests per second (one request per ``1/rate`` s below 1/s)."""

    def __init__(self, rate: float) -> None:
        self.length = max(1.0, 1.0 / rate)
        self.limit = max(1, math.floor(rate * self.length + 1e-9))
        self.index: int | None = None
        self.count = 0

    def take(self, now: float) -> float | None:
        """Count one request; None if allowed, else the seconds until the current window ends."""
        index = math.floor(now / self.length)
        if index != self.index:
            self.index, self.count = index, 0
        if self.count < self.limit:
            self.count += 1
            return None
        return (index + 1) * self.length - now


class _SandboxMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        rate_limit: RateLimitConfig | None,
        faults: FaultConfig | None,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
    ) -> None:
        self.app = app
        self.clock = clock
        self.wall_clock = wall_clock
        self.windows = (
            None
            if rate_limit is None
            else {True: _Window(rate_limit.reads_per_second), False: _Window(rate_limit.writes_per_second)}
        )
        self.faults = faults if faults is not None and faults.enabled else None
        self.rng = random.Random(faults.seed if faults else 0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        draw, draw_5xx = (self.rng.random(), self.rng.random()) if self.faults else (1.0, 1.0)
        if self.windows is not None:
            wait = self.windows[is_read(scope["method"], route_path(scope))].take(self.clock())
            if wait is not None:
                await _send_429(send, math.ceil(self.wall_clock() + wait))
                return
        mode = self._mode(draw)
        if mode is None:
            await self.app(scope, receive, send)
            return
        logger.info("sandbox fault %s on %s %s", mode, scope["method"], scope["path"])
        if mode == "429":
            await _send_429(send, math.floor(self.wall_clock()) + 1)
        elif mode in ("500", "503"):
            assert self.faults is not None
            if draw_5xx < self.faults.process_before_5xx:
                await self.app(scope, receive, _discard)
            await _send_json(send, int(mode), _FAULT_BODIES[int(mode)])
        elif mode == "delay":
            assert self.faults is not None
            replay = await _buffered(receive)  # the server already holds the request when the client gives up
            await anyio.sleep(self.faults.delay_seconds)
            await self.app(scope, replay, send)
        else:
            await _drop(self.app, scope, receive, send)

    def _mode(self, draw: float) -> str | None:
        if self.faults is None:
            return None
        f = self.faults
        edge = 0.0
        for mode, share in (
            ("429", f.rate_429),
            ("500", f.rate_500),
            ("503", f.rate_503),
            ("delay", f.rate_delay),
            ("drop", f.rate_drop),
        ):
            edge += share
            if draw < edge:
                return mode
        return None


async def _discard(message: Message) -> None:
    return None


async def _buffered(receive: Receive) -> Receive:
    """Read the whole request body now; the returned ``receive`` replays it, then defers to the original."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return receive
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    pending = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


async def _send_json(send: Send, status: int, body: dict, *extra: tuple[bytes, bytes]) -> None:
    payload = json.dumps(body, separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *extra]})
    await send({"type": "http.response.body", "body": payload, "more_body": False})


async def _send_429(send: Send, retry_at: int) -> None:
    """Attio's 429: the exact body and ``Retry-After`` as an HTTP-date (epoch seconds ``retry_at``)."""
    await _send_json(send, 429, RATE_LIMIT_BODY, (b"retry-after", formatdate(retry_at, usegmt=True).encode()))


async def _drop(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run the app to completion, then send its status and full Content-Length but only half the body."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    body = b"".join(chunks) or b"{}"
    status = start["status"] if start else 200
    headers = [(k, v) for k, v in (start or {}).get("headers", []) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
    # Returning without a final body message: the server must close the connection mid-body.
