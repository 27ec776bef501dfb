"""A small round-robin HTTP reverse proxy for the replica tests and benchmark (not part of the package).

Why our own and not nginx: it needs no system package in CI, and it reports which replica served each
request (the ``X-Replica`` response header and ``GET /_proxy/stats``), which is what the tests check.
Production deployments put nginx, Caddy or a cloud load balancer here (README, "Team hosting").

Behaviour, like a plain load balancer:

- Each request goes to the next replica in turn (round robin), skipping replicas marked down.
- Bodies stream both ways: the request body is passed on as it arrives, the response (JSON or an SSE
  stream) is passed back chunk by chunk, never buffered whole.
- A replica that refuses the connection is marked down for ``down_seconds`` and the request goes to the
  next one: nothing was sent, so this is safe for any method. A request that fails after it was sent is
  retried only when idempotent (GET, HEAD, OPTIONS, DELETE with no body sent); otherwise the client gets
  502 with a JSON body saying the replica failed mid-request, so a non-idempotent write is never sent twice.
- No replica left: 503 at once. A replica that stops answering: 504 after ``read_timeout`` seconds.

Run: ``python -m tests.replicas.proxy --port 8080 --backend http://127.0.0.1:8001 --backend ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import httpx

logger = logging.getLogger("replicas.proxy")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

STATS_PATH = "/_proxy/stats"
REPLICA_HEADER = "x-replica"
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
# Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded; Host is kept, like nginx's `proxy_set_header Host $host`.
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)


class RoundRobinProxy:
    """The ASGI app: round robin over ``backends`` (base URLs such as ``http://127.0.0.1:8001``)."""

    def __init__(
        self,
        backends: list[str],
        *,
        down_seconds: float = 5.0,
        connect_timeout: float = 2.0,
        read_timeout: float = 60.0,
    ) -> None:
        if not backends:
            raise ValueError("at least one backend")
        self.backends = [b.rstrip("/") for b in backends]
        self.down_seconds = down_seconds
        self._next = 0
        self.down_until: dict[int, float] = {}
        self.served: Counter[int] = Counter()  # completed response starts per backend
        self.failures: Counter[str] = Counter()  # connect_refused, failed_mid_request, retried, no_backend
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout, write=30.0, pool=30.0),
            limits=httpx.Limits(max_connections=500, max_keepalive_connections=100),
            follow_redirects=False,
            trust_env=False,
        )

    # -- backend choice ---------------------------------------------------------------------------------

    def _candidates(self) -> list[int]:
        """Every backend once, starting with the next in turn; those marked down go last."""
        n = len(self.backends)
        start = self._next
        self._next = (self._next + 1) % n
        order = [(start + i) % n for i in range(n)]
        now = time.monotonic()
        up = [i for i in order if self.down_until.get(i, 0.0) <= now]
        down = [i for i in order if i not in up]
        return up + down

    def _mark_down(self, index: int) -> None:
        self.down_until[index] = time.monotonic() + self.down_seconds
        logger.warning("proxy: replica %d (%s) marked down", index, self.backends[index])

    # -- ASGI -------------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] == STATS_PATH:
            await self._stats(scope, receive, send)
            return
        await self._forward(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _stats(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "POST":  # reset
            self.served.clear()
            self.failures.clear()
        now = time.monotonic()
        body = {
            "backends": self.backends,
            "served": {str(i): self.served[i] for i in range(len(self.backends))},
            "down": [i for i in range(len(self.backends)) if self.down_until.get(i, 0.0) > now],
            "failures": dict(self.failures),
        }
        await _send_json(send, 200, body)

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        body = _RequestBody(receive)
        headers = _request_headers(scope)
        target = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        for index in self._candidates():
            url = self.backends[index] + target.decode("latin-1")
            content = body.stream() if method not in ("GET", "HEAD") else None
            request = self.client.build_request(method, url, headers=headers, content=content)
            try:
                response = await self.client.send(request, stream=True)
            except httpx.ConnectError:
                # Refused: nothing reached the replica, so any request may go to the next one.
                self.failures["connect_refused"] += 1
                self._mark_down(index)
                if body.consumed:  # cannot happen for a refused connection; be safe anyway
                    break
                continue
            except httpx.TimeoutException:
                self.failures["timeout"] += 1
                await _send_json(send, 504, _error("the replica did not answer in time"))
                return
            except httpx.TransportError as exc:
                # The replica failed after the request was (perhaps) sent: retry only what is idempotent.
                self._mark_down(index)
                if method in IDEMPOTENT and not body.consumed:
                    self.failures["retried"] += 1
                    continue
                self.failures["failed_mid_request"] += 1
                await _send_json(
                    send,
                    502,
                    _error(f"the replica failed mid-request ({type(exc).__name__}); not retried: {method}"),
                )
                return
            await self._relay(index, response, send)
            return
        self.failures["no_backend"] += 1
        await _send_json(send, 503, _error("no replica is available"))

    async def _relay(self, index: int, response: httpx.Response, send: Send) -> None:
        headers = [(k.lower(), v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP]
        headers.append((REPLICA_HEADER.encode(), str(index).encode()))
        self.served[index] += 1
        await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
        try:
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except httpx.TransportError:
            # The replica died mid-response: end without the final empty chunk, so the server closes the
            # connection and the client sees a broken response instead of a truncated one that looks whole.
            self.failures["broken_response"] += 1
            self._mark_down(index)
            return
        finally:
            await response.aclose()
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class _RequestBody:
    """The client's request body, streamed to the replica once; ``consumed`` once a chunk was read."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.consumed = False

    async def stream(self) -> AsyncIterator[bytes]:
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                return
            self.consumed = True
            chunk = message.get("body", b"")
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return


def _request_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    headers = [(k, v) for k, v in scope.get("headers") or () if k.lower() not in HOP_BY_HOP]
    client = scope.get("client")
    if client:
        headers.append((b"x-forwarded-for", str(client[0]).encode()))
    headers.append((b"x-forwarded-proto", str(scope.get("scheme", "http")).encode()))
    return headers


def _error(message: str) -> dict[str, str]:
    return {"error": "bad_gateway", "message": message}


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload, "more_body": False})


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--backend", action="append", required=True, help="a replica's base URL (repeat)")
    parser.add_argument("--down-seconds", type=float, default=5.0)
    parser.add_argument("--read-timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    app = RoundRobinProxy(args.backend, down_seconds=args.down_seconds, read_timeout=args.read_timeout)
    asyncio.run(
        uvicorn.Server(
            uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", lifespan="on")
        ).serve()
    )


if __name__ == "__main__":
    main()
