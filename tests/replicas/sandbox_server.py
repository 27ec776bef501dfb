"""The one "Attio" every replica talks to: the sandbox app under uvicorn, like ``attio-mcp sandbox serve``,
plus a request counter the tests read (``GET /_sandbox/stats``; ``POST`` resets it).

It builds the same app as ``attio-mcp sandbox serve [--rate-limit]`` (``attio_mcp.sandbox.create_app``
with Attio's limits: 100 reads/s and 25 writes/s in fixed one-second windows, 429 with ``Retry-After``
beyond them). The counter sits outside the sandbox's rate limiter, so it sees every request that reached
"Attio", the 429s included: how many writes and reads arrived, were served or were throttled, and the most
writes that arrived within one second. ``--oauth-app CLIENT_ID:SECRET:REDIRECT_URI`` registers an OAuth app
(expiring tokens) for the sign-in tests, since the demo app only knows the redirect URIs of its own demo.

Run: ``python -m tests.replicas.sandbox_server --port 8787 [--rate-limit] [--oauth-app ...]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from attio_mcp.sandbox import OAuthApp, RateLimitConfig, create_app
from attio_mcp.sandbox._middleware import is_read

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

STATS_PATH = "/_sandbox/stats"


class Counting:
    """Counts what reaches the sandbox, by class (read/write) and outcome (served, 429)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()
        self.write_arrivals: deque[float] = deque()  # monotonic arrival times of every write, 429s included
        self.max_writes_per_second = 0

    def reset(self) -> None:
        self.counts.clear()
        self.write_arrivals.clear()
        self.max_writes_per_second = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == STATS_PATH:
            await self._stats(scope, send)
            return
        kind = "read" if is_read(scope["method"], scope["path"]) else "write"
        if kind == "write" and scope["path"].startswith("/v2/"):
            now = time.monotonic()
            self.write_arrivals.append(now)
            while self.write_arrivals and self.write_arrivals[0] <= now - 1.0:
                self.write_arrivals.popleft()
            self.max_writes_per_second = max(self.max_writes_per_second, len(self.write_arrivals))
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        if scope["path"].startswith("/v2/"):
            self.counts[kind] += 1
            if status and status[0] == 429:
                self.counts[f"{kind}_429"] += 1

    async def _stats(self, scope: Scope, send: Send) -> None:
        if scope["method"] == "POST":
            self.reset()
        body = {
            "reads": self.counts["read"],
            "writes": self.counts["write"],
            "reads_429": self.counts["read_429"],
            "writes_429": self.counts["write_429"],
            "max_writes_arriving_per_second": self.max_writes_per_second,
        }
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _oauth_app(spec: str) -> OAuthApp:
    client_id, secret, redirect = spec.split(":", 2)
    return OAuthApp(
        client_id=client_id,
        client_secret=secret,
        redirect_uris=(redirect,),
        expiring=True,
        name="attio-mcp replicas test app",
    )


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate-limit", action="store_true", help="Attio's limits: 100 reads/s, 25 writes/s")
    parser.add_argument("--writes-per-second", type=float, default=25.0)
    parser.add_argument("--reads-per-second", type=float, default=100.0)
    parser.add_argument("--oauth-app", action="append", default=[], metavar="CLIENT_ID:SECRET:REDIRECT_URI")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    rate_limit = RateLimitConfig(args.reads_per_second, args.writes_per_second) if args.rate_limit else None
    sandbox = create_app(rate_limit=rate_limit, oauth_apps=[_oauth_app(s) for s in args.oauth_app])
    config = uvicorn.Config(
        Counting(sandbox), host=args.host, port=args.port, log_level="warning", lifespan="off"
    )
    asyncio.run(uvicorn.Server(config).serve())


if __name__ == "__main__":
    main()
