"""Stateless replicas: with ``--oauth`` or ``--redis-url`` the server keeps no MCP session in process, and
everything replicas share (pending sign-ins, codes, grants, tokens) lives in one store, so any replica
answers any request. Three replicas behind a round-robin proxy, with the store in memory (shared object)
and in a real ``redis-server``."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import pytest

from attio_mcp.sandbox import OAuthApp, create_app
from attio_mcp.server.app import SANDBOX_OAUTH_CLIENT_ID, build_server
from attio_mcp.server.http import build_http_app
from attio_mcp.server.settings import Settings
from attio_mcp.state import MemoryStore, StateStore
from tests.reliability.live import LiveServer, free_port, live
from tests.server.test_oauth import OLIVIA, PRIYA, Hosted, signed_in

pytestmark = pytest.mark.anyio

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}
_HOP = {b"host", b"content-length", b"transfer-encoding", b"connection"}


class RoundRobin:
    """A plain load balancer: each request goes to the next replica in turn, with the client's Host."""

    def __init__(self, upstreams: list[str]) -> None:
        self.upstreams = upstreams
        self.turn = 0
        self.hits: Counter[str] = Counter()
        self.http: httpx.AsyncClient | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        upstream = self.upstreams[self.turn % len(self.upstreams)]
        self.turn += 1
        self.hits[upstream] += 1
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in _HOP - {b"host"}]
        query = scope.get("query_string", b"").decode()
        url = upstream + scope["path"] + (f"?{query}" if query else "")
        if self.http is None:  # one connection pool, made on the proxy's own event loop
            self.http = httpx.AsyncClient(timeout=30)
        answer = await self.http.request(scope["method"], url, headers=headers, content=body)
        out = [(k.encode(), v.encode()) for k, v in answer.headers.multi_items() if k.encode() not in _HOP]
        await send({"type": "http.response.start", "status": answer.status_code, "headers": out})
        await send({"type": "http.response.body", "body": answer.content})


@contextmanager
def replicas(
    n: int, stores: list[StateStore] | None = None, **extra: Any
) -> Iterator[tuple[Hosted, RoundRobin]]:
    """``n`` replicas with ``--sandbox --oauth`` (one emulated Attio) behind a round-robin proxy whose URL is
    the public URL. ``stores``: each replica's store (default: one shared ``MemoryStore``); ``extra``: more
    settings (e.g. ``redis_url``, in which case each replica builds its own Redis store)."""
    proxy_port = free_port()
    public = f"http://127.0.0.1:{proxy_port}"
    app = OAuthApp(
        client_id=SANDBOX_OAUTH_CLIENT_ID,
        client_secret="sandbox-app-secret-for-tests",
        redirect_uris=(public + "/oauth/callback",),
        expiring=True,
        member_scopes={PRIYA: "record_permission:read object_configuration:read"},
    )
    sandbox = create_app(oauth_apps=[app])
    shared = MemoryStore()
    with ExitStack() as stack:
        urls, brokers = [], []
        for i in range(n):
            port = free_port()
            settings = Settings(
                sandbox=True, oauth=True, transport="http", port=port, public_url=public, **extra
            )
            store = stores[i] if stores else (None if "redis_url" in extra else shared)
            server = build_server(settings, sandbox_app=sandbox, oauth_store=store)
            live = LiveServer(build_http_app(server, settings), port=port, lifespan="on").start()
            stack.callback(live.stop)
            urls.append(live.url)
            assert server.oauth is not None
            brokers.append(server.oauth)
        balancer = RoundRobin(urls)
        proxy = LiveServer(balancer, port=proxy_port).start()
        stack.callback(proxy.stop)
        yield Hosted(public, sandbox, brokers[0], shared), balancer


class RedisProcess:
    """A real ``redis-server`` on a free loopback port, without persistence."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is required (Debian package redis-server; .ci/run installs it)"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@contextmanager
def redis_server() -> Iterator[RedisProcess]:
    redis_ = RedisProcess()
    try:
        yield redis_
    finally:
        redis_.stop()


async def _sign_in_and_work(h: Hosted, balancer: RoundRobin) -> None:
    async with signed_in(h, OLIVIA) as (olivia, user), signed_in(h, PRIYA) as (priya, _):
        for _ in range(3):  # every replica answers some of these
            assert not (await olivia.call_tool("whoami", {})).is_error
        refused = await priya.call_tool("tasks_list", {})
        assert refused.is_error and refused.content[0].text.startswith("AUTH_ERROR:")
        assert "task:read" in refused.content[0].text
        assert user.tokens.tokens is not None
        token = user.tokens.tokens.access_token
    # The sign-in touched every replica (authorize, consent callback, token, MCP calls went round).
    assert len(balancer.hits) == len(balancer.upstreams) and min(balancer.hits.values()) >= 3
    async with httpx.AsyncClient() as web:
        for upstream in balancer.upstreams:  # each replica accepts the token issued through another
            auth = {**MCP_HEADERS, "Authorization": f"Bearer {token}"}
            answer = await web.post(upstream + "/mcp", json=INITIALIZE, headers=auth)
            assert answer.status_code == 200, answer.text
            assert "mcp-session-id" not in answer.headers  # stateless: no session to route back to


async def test_three_replicas_share_sign_in_in_memory_store() -> None:
    with replicas(3) as (h, balancer):
        await _sign_in_and_work(h, balancer)


async def test_three_replicas_share_sign_in_through_redis() -> None:
    with redis_server() as rs, replicas(3, redis_url=rs.url, state_key="k" * 40) as (h, balancer):
        await _sign_in_and_work(h, balancer)
        # The grants are in Redis, sealed: no Attio token appears in any value.
        import redis

        r = redis.Redis.from_url(rs.url)
        keys = r.keys("attio-mcp:st:*")
        assert any(b"grant:" in k for k in keys)
        raw = b"".join(r.get(k) or b"" for k in keys)
        assert b"sbx_oat_" not in raw and b"access_token" not in raw
        r.close()


async def test_replicas_with_their_own_memory_do_not_share_a_sign_in() -> None:
    """The control: without a shared store, a sign-in started on one replica fails on the next."""
    with replicas(2, stores=[MemoryStore(), MemoryStore()]) as (h, _):
        with pytest.raises(Exception):  # noqa: B017 - the SDK client's flow error type varies by step
            async with signed_in(h, OLIVIA) as (client, _user):
                await client.call_tool("whoami", {})


async def _initialize(settings: Settings) -> httpx.Response:
    """A 2025-era initialize POSTed to the server built from ``settings``, served on its port."""
    with live(build_http_app(build_server(settings), settings), port=settings.port, lifespan="on") as server:
        async with httpx.AsyncClient() as web:
            return await web.post(server.url + "/mcp", json=INITIALIZE, headers=MCP_HEADERS)


async def test_no_session_is_kept_in_process() -> None:
    """A 2025-era initialize gets no Mcp-Session-Id in replica mode (--redis-url)."""
    with redis_server() as rs:
        settings = Settings(sandbox=True, transport="http", port=free_port(), redis_url=rs.url)
        assert settings.stateless
        answer = await _initialize(settings)
        assert answer.status_code == 200, answer.text
        assert "mcp-session-id" not in answer.headers
    stateful = Settings(sandbox=True, transport="http", port=free_port())
    assert not stateful.stateless
    answer = await _initialize(stateful)
    assert "mcp-session-id" in answer.headers  # the control: without replicas, sessions as before


async def test_redis_down_answers_503_with_retry_after_and_health_stays_up() -> None:
    with redis_server() as rs, replicas(2, redis_url=rs.url, state_key="k" * 40) as (h, balancer):
        async with signed_in(h, OLIVIA) as (client, user):
            assert not (await client.call_tool("whoami", {})).is_error
            assert user.tokens.tokens is not None
            token = user.tokens.tokens.access_token
        rs.stop()
        async with httpx.AsyncClient() as web:
            for upstream in balancer.upstreams:
                down = await web.post(
                    upstream + "/mcp",
                    json=INITIALIZE,
                    headers={**MCP_HEADERS, "Authorization": f"Bearer {token}"},
                )
                assert down.status_code == 503, down.text
                assert down.headers["retry-after"] == "5"
                assert down.json()["error"] == "temporarily_unavailable"
                assert (await web.get(upstream + "/healthz")).status_code == 200


async def test_a_2025_era_client_signs_in_and_works_across_replicas() -> None:
    """A legacy client (initialize handshake) keeps working when every request may land on another replica."""
    with replicas(3) as (h, balancer):
        async with signed_in(h, OLIVIA, mode="legacy") as (client, _user):
            assert client.protocol_version == "2025-11-25"
            tools = (await client.list_tools()).tools
            assert any(t.name == "whoami" for t in tools)
            for _ in range(3):
                assert not (await client.call_tool("whoami", {})).is_error
        assert len(balancer.hits) == 3
