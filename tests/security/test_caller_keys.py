"""Issue #20, items 1 and 4: what a stream of caller keys can cost, and eviction under a running request.

Attacks reproduced on loopback: one sequential client sending a new ``X-Attio-Api-Key`` with every call
(sockets and clients used to grow without bound), and a long ``records_import`` whose key is pushed out of
the LRU by other callers (its client used to be closed under it: INTERNAL_ERROR, no summary).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from attio_mcp.attio import AttioClient, AttioClientClosedError, AttioError
from attio_mcp.sandbox import create_app
from attio_mcp.server import app as server_app
from attio_mcp.server.app import build_server
from attio_mcp.server.callers import CallerRefused, CallerWorkspaces
from attio_mcp.server.http import build_http_app
from attio_mcp.server.settings import Settings
from tests.reliability.live import LiveServer, live

pytestmark = pytest.mark.anyio


def _factory(made: list[AttioClient]) -> Any:
    def factory(api_key: str, transport: Any) -> AttioClient:
        made.append(AttioClient(api_key=api_key, base_url="http://unused.test", transport=transport))
        return made[-1]

    return factory


class SmallPools:
    """``build_server`` makes its caller pool with these limits (small, so a test reaches them)."""

    def __init__(self) -> None:
        self.limits: dict[str, Any] = {"max_keys": 2, "max_live": 3, "new_keys_per_minute": 1000}
        self.made: list[CallerWorkspaces] = []

    def __call__(self, *args: Any, **kwargs: Any) -> CallerWorkspaces:
        self.made.append(CallerWorkspaces(*args, **{**kwargs, **self.limits}))
        return self.made[-1]


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmallPools]:
    pools = SmallPools()
    monkeypatch.setattr(server_app, "CallerWorkspaces", pools)
    yield pools


@contextmanager
def _served(settings: Settings, transport: Any = None) -> Iterator[LiveServer]:
    app = build_http_app(build_server(settings, transport=transport), settings)
    with live(app, lifespan="on") as server:
        yield server


@asynccontextmanager
async def _mcp(url: str, key: str) -> AsyncIterator[Client]:
    async with httpx2.AsyncClient(headers={"X-Attio-Api-Key": key}, timeout=60) as http:
        async with Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
            yield client


# -- the pool itself ------------------------------------------------------------------------------------


async def test_a_client_in_use_is_never_closed_by_eviction() -> None:
    made: list[AttioClient] = []
    async with CallerWorkspaces(_factory(made), schema_ttl=60, max_keys=1, max_live=2) as pool:
        async with pool.lease("key-a") as a:  # a long request under key A
            async with pool.lease("key-b"):  # evicts A from the LRU while A is in use
                assert len(pool) == 1 and pool.live == 2
                assert not a.client.closed
            assert not a.client.closed  # still in use
            with pytest.raises(CallerRefused) as refused:
                async with pool.lease("key-c"), pool.lease("key-d"):
                    pass  # A (evicted, in use) + C (in use) + D would make three live clients
            assert refused.value.code == "RATE_LIMIT" and "running" in refused.value.message
        assert a.client.closed  # closed as its last request ended, not before
        assert pool.live == 1
    assert all(c.closed for c in made)


class _Search:
    """Stands in for a caller's search service: records whether its index was closed."""

    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


async def test_a_callers_search_index_is_closed_with_its_client() -> None:
    """An evicted workspace's search index (a SQLite connection) closes with its client: at once when idle,
    at the end of its last request when in use, and at the pool's end for the rest."""
    made: list[AttioClient] = []
    pool = CallerWorkspaces(_factory(made), schema_ttl=60, max_keys=1, max_live=2)
    pool.search = _Search  # type: ignore[assignment]
    async with pool:
        async with pool.lease("key-a") as a:
            pass
        async with pool.lease("key-b") as b:  # evicts A, which is idle
            assert a.search.closed and a.client.closed
            async with pool.lease("key-c") as c:  # evicts B while in use
                assert not b.search.closed
            assert not b.search.closed
        assert b.search.closed and b.client.closed
        assert not c.search.closed
    assert c.search.closed and c.client.closed


async def test_new_keys_from_one_address_are_rate_limited() -> None:
    now = [0.0]
    made: list[AttioClient] = []
    pool = CallerWorkspaces(
        _factory(made), schema_ttl=60, max_keys=4, max_live=8, new_keys_per_minute=3, clock=lambda: now[0]
    )
    async with pool:
        for i in range(3):
            async with pool.lease(f"key-{i}", "10.0.0.1"):
                pass
        with pytest.raises(CallerRefused, match="new Attio keys") as refused:
            async with pool.lease("key-3", "10.0.0.1"):
                pass
        assert "wait 20 s" in (refused.value.next_step or "")
        async with pool.lease("key-0", "10.0.0.1"):  # a key the pool holds is not new
            pass
        async with pool.lease("key-3", "10.0.0.2"):  # another address has its own budget
            pass
        now[0] += 20.0
        async with pool.lease("key-4", "10.0.0.1"):  # the bucket refills
            pass
    assert len(made) == 5 and all(c.closed for c in made)


async def test_a_closed_client_is_an_attio_error() -> None:
    client = AttioClient(api_key="k-123456", base_url="http://unused.test")
    await client.aclose()
    with pytest.raises(AttioError) as err:
        await client.get_self()
    assert isinstance(err.value, AttioClientClosedError)


# -- over HTTP ------------------------------------------------------------------------------------------


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc (Linux)")
async def test_a_key_spray_opens_no_sockets_and_keeps_few_clients(small_pool: SmallPools) -> None:
    """200 new keys in a row from one client, through the real network stack to a loopback sandbox."""
    with live(create_app(), lifespan="off") as attio:
        settings = Settings(base_url=attio.url, transport="http", allow_request_keys=True)
        with _served(settings) as server:
            pool: CallerWorkspaces = small_pool.made[0]
            async with _mcp(server.url, "sk-warm-up-000") as client:
                assert not (await client.call_tool("whoami", {})).is_error
            before = _open_fds()
            most_live = 0
            async with httpx2.AsyncClient(timeout=60) as http:
                async with Client(streamable_http_client(f"{server.url}/mcp", http_client=http)) as client:
                    for i in range(200):
                        http.headers["X-Attio-Api-Key"] = f"sk-spray-{i:04d}"
                        result = await client.call_tool("whoami", {})
                        assert not result.is_error, result.content
                        most_live = max(most_live, pool.live)
            after = _open_fds()
    assert most_live <= 3 and len(pool) <= 2
    # One shared pool to Attio: the spray reuses its connections (it used to open one socket per key).
    assert after - before < 20, (before, after)


async def test_eviction_does_not_kill_a_running_import(small_pool: SmallPools) -> None:
    """A 300-row import under key A while eight other keys push A out of a one-key LRU."""
    small_pool.limits["max_keys"] = 1  # idle workspaces go first: with one warm key, A's is the one evicted
    sandbox = create_app()
    settings = Settings(
        base_url="http://sandbox.test",
        insecure_base_url=True,
        transport="http",
        allow_request_keys=True,
        writes_per_second=150,  # ~2 s of writes, so the other callers run during the import
    )
    rows = [{"name": f"Lease {i}", "domains": f"lease{i}.example"} for i in range(300)]
    with _served(settings, transport=httpx.ASGITransport(app=sandbox)) as server:
        pool: CallerWorkspaces = small_pool.made[0]
        outcome: dict[str, Any] = {}

        async def importer() -> None:
            async with _mcp(server.url, "sk-importer-aaaa") as client:
                result = await client.call_tool(
                    "records_import", {"resource_type": "companies", "rows": rows}, read_timeout_seconds=120
                )
                outcome["result"] = result

        async def others() -> None:
            await anyio.sleep(0.3)
            for i in range(8):
                async with _mcp(server.url, f"sk-other-{i:04d}") as client:
                    assert not (await client.call_tool("whoami", {})).is_error
                outcome["max_evicted"] = max(outcome.get("max_evicted", 0), pool.live - len(pool))

        async with anyio.create_task_group() as tg:
            tg.start_soon(importer)
            tg.start_soon(others)

    result = outcome["result"]
    assert not result.is_error, result.content[0].text
    summary = result.structured_content
    assert summary["status"] == "completed" and summary["created"] == 300 and summary["failed"] == 0
    assert outcome["max_evicted"] >= 1  # the importer's key really was evicted while it ran


async def test_refusal_is_a_coded_error(small_pool: SmallPools) -> None:
    small_pool.limits["new_keys_per_minute"] = 2
    settings = Settings(sandbox=True, transport="http", allow_request_keys=True)
    with _served(settings) as server:
        texts = []
        for i in range(3):
            async with _mcp(server.url, f"sk-rate-{i:04d}") as client:
                assert (await client.list_tools()).tools  # listing tools needs no workspace: never refused
                result = await client.call_tool("whoami", {})
                texts.append(result.content[0].text if result.is_error else "ok")
    assert texts[:2] == ["ok", "ok"]
    assert texts[2].startswith("RATE_LIMIT:") and "new Attio keys" in texts[2] and "Next:" in texts[2]
