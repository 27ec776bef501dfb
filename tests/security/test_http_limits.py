"""Issue #20 against the HTTP transport, each attack reproduced on loopback with small limits:

- item 3: abandoned MCP sessions no longer lock new clients out;
- item 5: slow clients (half-sent headers, a body that never ends, too many connections) are cut off, and
  a flood of identical log records is rate-limited;
- item 8: libraries' DEBUG records (the SSE library logs every response chunk) never reach the log;
- item 11: two ``Authorization`` headers are refused;
- item 16: Host/Origin compared case-insensitively with numeric ports only; WebSocket scopes refused.
"""

from __future__ import annotations

import io
import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from attio_mcp.cli.common import LimitedFormatter, OwnDebugOnly, RateLimitingFilter, configure_logging
from attio_mcp.sandbox import create_app
from attio_mcp.server import http as server_http
from attio_mcp.server.app import build_server
from attio_mcp.server.connections import protocol_class
from attio_mcp.server.http import build_http_app
from attio_mcp.server.sessions import SessionGuard
from attio_mcp.server.settings import Settings
from tests.reliability.live import LiveServer, live

pytestmark = pytest.mark.anyio

TOKEN = "limits-test-token-0123456789"
LEGACY = "2025-11-25"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def _init(i: int = 1) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": i,
        "method": "initialize",
        "params": {
            "protocolVersion": LEGACY,
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }


@contextmanager
def _served(settings: Settings, **options: Any) -> Iterator[LiveServer]:
    app = build_http_app(build_server(settings, transport=httpx.ASGITransport(app=create_app())), settings)
    with live(app, lifespan="on", **options) as server:
        yield server


# -- item 3: sessions ----------------------------------------------------------------------------------


@pytest.fixture
def small_sessions(monkeypatch: pytest.MonkeyPatch) -> list[SessionGuard]:
    made: list[SessionGuard] = []

    def guard(app: Any, **kwargs: Any) -> SessionGuard:
        made.append(SessionGuard(app, per_peer=4, total=6))
        return made[-1]

    monkeypatch.setattr(server_http, "SessionGuard", guard)
    return made


def _open_session(url: str) -> str:
    opened = httpx.post(f"{url}/mcp", json=_init(), headers=HEADERS, timeout=10)
    assert opened.status_code == 200, opened.text
    return opened.headers["mcp-session-id"]


def _ping(url: str, session: str) -> int:
    body = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
    headers = {**HEADERS, "mcp-session-id": session, "mcp-protocol-version": LEGACY}
    return httpx.post(f"{url}/mcp", json=body, headers=headers, timeout=10).status_code


async def test_abandoned_sessions_never_lock_new_clients_out(small_sessions: list[SessionGuard]) -> None:
    settings = Settings(sandbox=True, transport="http")
    with _served(settings) as server:
        abandoned = [_open_session(server.url) for _ in range(30)]  # five times the server's total
        guard = small_sessions[0]
        assert len(guard.sessions) <= 4 and guard.closed >= 26
        assert _ping(server.url, abandoned[0]) == 404  # the oldest were closed, as after an idle expiry
        assert _ping(server.url, abandoned[-1]) == 200
        # A new legacy client still gets in and works.
        async with httpx2.AsyncClient(timeout=30) as http:
            async with Client(
                streamable_http_client(f"{server.url}/mcp", http_client=http), mode="legacy"
            ) as c:
                assert not (await c.call_tool("whoami", {})).is_error
        assert len(guard.sessions) <= 4


async def test_a_session_with_a_running_call_is_never_closed(small_sessions: list[SessionGuard]) -> None:
    settings = Settings(sandbox=True, transport="http", writes_per_second=100)
    rows = [{"name": f"Busy {i}", "domains": f"busy{i}.example"} for i in range(150)]  # ~1.5 s of writes
    with _served(settings) as server:
        guard = small_sessions[0]
        outcome: dict[str, Any] = {}

        async def busy() -> None:
            async with httpx2.AsyncClient(timeout=60) as http:
                url = f"{server.url}/mcp"
                async with Client(streamable_http_client(url, http_client=http), mode="legacy") as c:
                    outcome["import"] = await c.call_tool(
                        "records_import",
                        {"resource_type": "companies", "rows": rows},
                        read_timeout_seconds=60,
                    )

        async def spray() -> None:
            await anyio.sleep(0.4)
            for _ in range(12):
                await anyio.to_thread.run_sync(_open_session, server.url)

        async with anyio.create_task_group() as tg:
            tg.start_soon(busy)
            tg.start_soon(spray)
    result = outcome["import"]
    assert not result.is_error and result.structured_content["created"] == 150
    assert guard.closed >= 8  # the spray's own sessions made room, the busy one stayed


def test_when_every_session_is_busy_a_new_one_is_refused() -> None:
    async def run() -> None:
        hold = anyio.Event()

        async def app(scope: Any, receive: Any, send: Any) -> None:
            headers = [(b"mcp-session-id", f"s{len(guard.sessions)}".encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await hold.wait()  # the request stays in flight
            await send({"type": "http.response.body", "body": b""})

        guard = SessionGuard(app, per_peer=2, total=2)
        transport = httpx.ASGITransport(app=guard)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            async with anyio.create_task_group() as tg:
                for _ in range(2):
                    tg.start_soon(http.post, "/mcp")
                await anyio.sleep(0.1)
                refused = await http.post("/mcp")
                hold.set()
        assert refused.status_code == 503 and refused.headers["retry-after"] == "5"

    anyio.run(run)


# -- item 5: slow clients and the log ------------------------------------------------------------------


def _closed_within(sock: socket.socket, seconds: float) -> bytes:
    """Everything the server sends until it closes the connection (bounded wait)."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        raise AssertionError(f"the server kept the connection open for {seconds} s") from None
    return received


def test_half_sent_headers_and_bodies_are_cut_off() -> None:
    settings = Settings(sandbox=True, transport="http")
    guarded = protocol_class(header_timeout=0.5, body_timeout=0.5, max_connections=50)
    with _served(settings, http=guarded) as server:
        # Connected, sends nothing; then half a request line; then headers one byte at a time.
        idle = socket.create_connection(("127.0.0.1", server.port))
        partial = socket.create_connection(("127.0.0.1", server.port))
        partial.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        drip = socket.create_connection(("127.0.0.1", server.port))
        cut_off = False
        for byte in b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200:
            try:
                drip.sendall(bytes([byte]))
            except OSError:  # a slowloris keeps sending, which must not reset the clock
                cut_off = True
                break
            time.sleep(0.05)
        assert cut_off, "a client sending its headers a byte at a time was never cut off"
        # Complete headers, then a body that never ends.
        body = socket.create_connection(("127.0.0.1", server.port))
        body.sendall(
            b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Accept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{"jsonrpc":'
        )
        for sock in (idle, partial, body):
            with sock:
                assert b"200 OK" not in _closed_within(sock, 10)
        drip.close()
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200


def test_connections_beyond_the_cap_are_refused_and_health_recovers() -> None:
    settings = Settings(sandbox=True, transport="http")
    guarded = protocol_class(header_timeout=1.0, max_connections=5)
    with _served(settings, http=guarded) as server:
        holders = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(5)]
        try:
            extra = socket.create_connection(("127.0.0.1", server.port))
            with extra:
                assert _closed_within(extra, 10).startswith(b"HTTP/1.1 503")
        finally:
            for sock in holders:
                sock.close()
        deadline = time.monotonic() + 10
        while True:  # the holders' slots free up as their sockets close
            try:
                if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "health never recovered"
            time.sleep(0.05)


def test_a_flood_of_log_records_is_rate_limited() -> None:
    now = [0.0]
    limiter = RateLimitingFilter(per_key=5, overall=50, window=10, clock=lambda: now[0])
    formatter = LimitedFormatter(limiter, "%(message)s", max_chars=100)

    def record(msg: str, *args: Any) -> logging.LogRecord:
        return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, msg, args or None, None)

    flood = (record("socket.accept() out of system resource %s", i) for i in range(10_000))
    assert len([r for r in flood if limiter.filter(r)]) == 5
    varied = (record(f"Invalid Host header: evil{i}.example") for i in range(10_000))
    assert len([r for r in varied if limiter.filter(r)]) == 45  # the overall cap holds for varying messages
    now[0] += 10
    after = record("x" * 500)
    assert limiter.filter(after)
    text = formatter.format(after)
    assert text.startswith("[19950 repeated log records suppressed]") and "characters cut" in text
    assert len(text) < 250 and after.getMessage() == "x" * 500  # the record itself is left alone


def test_configured_logging_keeps_libraries_debug_records_out(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("DEBUG", ["k-secret-123456"])
        logging.getLogger("sse_starlette.sse").debug("chunk: %s", "ada@example.com")
        logging.getLogger("some.library").debug("payload %s", "grace@example.com")
        logging.getLogger("attio_mcp.attio").debug("GET /v2/self -> 200")
        logging.getLogger("some.library").warning("a warning with k-secret-123456")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
        logging.getLogger("sse_starlette").setLevel(logging.NOTSET)
    text = stream.getvalue()
    assert "@example.com" not in text
    assert "GET /v2/self" in text and "[REDACTED]" in text and "k-secret" not in text
    assert not OwnDebugOnly().filter(logging.LogRecord("mcp.x", logging.DEBUG, __file__, 1, "m", None, None))


# -- item 11 and item 16: headers and scopes -----------------------------------------------------------


def test_two_authorization_headers_are_refused() -> None:
    settings = Settings(sandbox=True, transport="http", http_auth_token=TOKEN)
    with _served(settings) as server:
        headers = [*HEADERS.items(), ("Authorization", "Bearer wrong"), ("Authorization", f"Bearer {TOKEN}")]
        response = httpx.post(f"{server.url}/mcp", json=_init(), headers=headers, timeout=10)
        assert response.status_code == 400 and "once" in response.json()["message"]
        headers = [*HEADERS.items(), ("Authorization", f"Bearer {TOKEN}")]
        assert httpx.post(f"{server.url}/mcp", json=_init(), headers=headers, timeout=10).status_code == 200


def test_host_and_origin_are_case_insensitive_and_ports_numeric() -> None:
    settings = Settings(sandbox=True, transport="http", allowed_hosts=("mcp.example.com",))
    with _served(settings) as server:

        def status(**headers: str) -> int:
            return httpx.post(
                f"{server.url}/mcp", json=_init(), headers={**HEADERS, **headers}, timeout=10
            ).status_code

        assert status(Host="localhost:evil") == 421
        assert status(Host="localhost:") == 421
        assert status(Host="localhost:80:80") == 421
        assert status(Host="localhost evil") == 421
        assert status(Host="LOCALHOST:8000") == 200
        assert status(Host="MCP.Example.COM") == 200
        assert status(Host="mcp.example.com:443") == 200
        assert status(Origin="http://localhost:evil") == 403
        assert status(Origin="HTTP://LOCALHOST:3000") == 200
        assert status(Origin="https://mcp.example.com") == 200
        assert status(Origin="https://mcp.example.com.evil.example") == 403


async def test_websocket_scopes_are_refused_before_any_layer() -> None:
    settings = Settings(sandbox=True, transport="http", http_auth_token=TOKEN)
    app = build_http_app(build_server(settings), settings)
    sent: list[dict[str, Any]] = []
    called: list[str] = []

    async def receive() -> dict[str, Any]:
        called.append("receive")
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "websocket", "path": "/mcp", "headers": []}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": "not served"}]
