"""Tests for the sandbox's rate limiter and seeded fault injection middleware."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from attio_mcp.sandbox._middleware import (
    RATE_LIMIT_BODY,
    FaultConfig,
    RateLimitConfig,
    is_read,
    parse_faults,
    wrap_app,
)
from tests.clocks import FakeClock

EXACT_429 = (
    b'{"status_code":429,"type":"rate_limit_error","code":"rate_limit_exceeded",'
    b'"message":"Rate limit exceeded, please try again later"}'
)


def make_app() -> tuple[Starlette, dict[str, int]]:
    """A tiny app that counts the requests it actually processed."""
    hits = {"read": 0, "write": 0}

    async def self_(request: Request) -> JSONResponse:
        hits["read"] += 1
        return JSONResponse({"data": {"active": True}})

    async def query(request: Request) -> JSONResponse:
        hits["read"] += 1
        return JSONResponse({"data": []})

    async def create(request: Request) -> JSONResponse:
        body = await request.json()
        hits["write"] += 1
        return JSONResponse({"data": {"echo": body, "padding": "x" * 4000}})

    routes = [
        Route("/v2/self", self_),
        Route("/v2/objects/{object}/records/query", query, methods=["POST"]),
        Route("/v2/objects/{object}/records", create, methods=["POST"]),
    ]
    return Starlette(routes=routes), hits


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox")


# --- classification and configuration --------------------------------------------------------------

CLASSIFY = [
    ("GET", "/v2/objects", True),
    ("GET", "/v2/objects/people/records/abc", True),
    ("POST", "/v2/objects/people/records/query", True),
    ("POST", "/v2/objects/people/records/query/", True),
    ("POST", "/v2/lists/sales/entries/query", True),
    ("POST", "/v2/objects/records/search", True),
    ("POST", "/v2/objects/people/records", False),
    ("PUT", "/v2/objects/people/records", False),
    ("PATCH", "/v2/objects/people/records/abc", False),
    ("DELETE", "/v2/objects/people/records/abc", False),
    ("PUT", "/v2/objects/people/records/query", False),
    ("POST", "/v2/notes", False),
    ("POST", "/v2/lists/sales/entries", False),
    ("get", "/v2/self", True),
]


@pytest.mark.parametrize(("method", "path", "read"), CLASSIFY)
def test_read_write_classification(method: str, path: str, read: bool) -> None:
    assert is_read(method, path) is read


def test_parse_faults_full_spec() -> None:
    cfg = parse_faults("429=0.1,500=0.05,503=0.02,delay=0.02,drop=0.01,seed=7,delay_seconds=5")
    assert cfg == FaultConfig(
        seed=7, rate_429=0.1, rate_500=0.05, rate_503=0.02, rate_delay=0.02, rate_drop=0.01, delay_seconds=5.0
    )


def test_parse_faults_aliases_spaces_and_empty() -> None:
    assert parse_faults(" rate_500 = 0.5 , process_before_5xx=1 ") == FaultConfig(
        rate_500=0.5, process_before_5xx=1.0
    )
    assert parse_faults("") == FaultConfig()
    assert not parse_faults("seed=3").enabled


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("404=0.1", "unknown fault setting"),
        ("429", "unknown fault setting"),
        ("429=lots", "needs a number"),
        ("seed=1.5", "needs a number"),
        ("429=0.1,429=0.2", "given twice"),
        ("429=1.5", "between 0 and 1"),
        ("500=-0.1", "between 0 and 1"),
        ("429=0.6,500=0.6", "at most 1"),
        ("delay_seconds=-1", "must not be negative"),
    ],
)
def test_parse_faults_errors(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_faults(spec)


def test_rate_limit_config_rejects_non_positive() -> None:
    with pytest.raises(ValueError):
        RateLimitConfig(reads_per_second=0)


def test_wrap_app_is_identity_when_off() -> None:
    app, _ = make_app()
    assert wrap_app(app) is app
    assert wrap_app(app, faults=FaultConfig(seed=3)) is app
    assert wrap_app(app, rate_limit=RateLimitConfig()) is not app


# --- rate limiting ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_reads_throttled_with_exact_body_and_retry_after() -> None:
    app, hits = make_app()
    clock = FakeClock(10.25)
    wall = 1_700_000_000.25
    wrapped = wrap_app(app, rate_limit=RateLimitConfig(3, 2), clock=clock, wall_clock=lambda: wall)
    async with client_for(wrapped) as client:
        statuses = [(await client.get("/v2/self")).status_code for _ in range(3)]
        throttled = await client.post("/v2/objects/people/records/query", json={})
        assert statuses == [200, 200, 200]
        assert throttled.status_code == 429
        assert throttled.content == EXACT_429
        assert throttled.json() == RATE_LIMIT_BODY
        assert throttled.headers["content-type"] == "application/json"
        # The window ends 0.75 s later, so Retry-After is the next whole second, as an HTTP-date.
        retry_at = parsedate_to_datetime(throttled.headers["retry-after"])
        assert retry_at.timestamp() == 1_700_000_001
        assert throttled.headers["retry-after"].endswith(" GMT")
        assert hits["read"] == 3  # the throttled request never reached the app

        clock.now = 11.0  # next window
        assert (await client.get("/v2/self")).status_code == 200
        assert hits["read"] == 4


@pytest.mark.anyio
async def test_reads_and_writes_have_separate_budgets() -> None:
    app, hits = make_app()
    clock = FakeClock(10.0)
    wrapped = wrap_app(app, rate_limit=RateLimitConfig(reads_per_second=2, writes_per_second=1), clock=clock)
    async with client_for(wrapped) as client:
        assert (await client.post("/v2/objects/people/records", json={"n": 1})).status_code == 200
        blocked = await client.post("/v2/objects/people/records", json={"n": 2})
        assert blocked.status_code == 429
        assert (await client.get("/v2/self")).status_code == 200
        assert (await client.post("/v2/objects/people/records/query", json={})).status_code == 200
        assert (await client.get("/v2/self")).status_code == 429
        assert hits == {"read": 2, "write": 1}
        clock.now += 1
        assert (await client.post("/v2/objects/people/records", json={"n": 3})).status_code == 200
        assert hits["write"] == 2


@pytest.mark.anyio
async def test_fractional_rate_widens_the_window() -> None:
    app, _ = make_app()
    clock = FakeClock(0.0)
    wrapped = wrap_app(
        app, rate_limit=RateLimitConfig(writes_per_second=0.5), clock=clock, wall_clock=lambda: 100.0
    )
    async with client_for(wrapped) as client:
        assert (await client.post("/v2/objects/x/records", json={})).status_code == 200
        clock.now = 1.5
        blocked = await client.post("/v2/objects/x/records", json={})
        assert blocked.status_code == 429
        assert parsedate_to_datetime(blocked.headers["retry-after"]).timestamp() == 101  # window ends at 2.0
        clock.now = 2.0
        assert (await client.post("/v2/objects/x/records", json={})).status_code == 200


# --- injected faults -------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_fault_429_is_not_processed() -> None:
    app, hits = make_app()
    wrapped = wrap_app(app, faults=FaultConfig(rate_429=1.0), wall_clock=lambda: 1_700_000_000.9)
    async with client_for(wrapped) as client:
        response = await client.post("/v2/objects/people/records", json={"n": 1})
    assert response.status_code == 429
    assert response.content == EXACT_429
    assert parsedate_to_datetime(response.headers["retry-after"]).timestamp() == 1_700_000_001
    assert hits["write"] == 0


@pytest.mark.anyio
@pytest.mark.parametrize("status", [500, 503])
async def test_fault_5xx_default_not_processed(status: int) -> None:
    app, hits = make_app()
    wrapped = wrap_app(app, faults=FaultConfig(**{f"rate_{status}": 1.0}))
    async with client_for(wrapped) as client:
        response = await client.post("/v2/objects/people/records", json={"n": 1})
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"status_code", "type", "code", "message"}
    assert body["status_code"] == status
    assert hits["write"] == 0


@pytest.mark.anyio
async def test_fault_5xx_after_processing() -> None:
    app, hits = make_app()
    wrapped = wrap_app(app, faults=FaultConfig(rate_500=1.0, process_before_5xx=1.0))
    async with client_for(wrapped) as client:
        response = await client.post("/v2/objects/people/records", json={"n": 1})
    assert response.status_code == 500
    assert response.json()["code"] == "internal_server_error"
    assert hits["write"] == 1  # the write happened even though the client saw an error


async def _statuses(faults: FaultConfig, n: int = 60) -> list[int]:
    app, _ = make_app()
    async with client_for(wrap_app(app, faults=faults)) as client:
        return [(await client.get("/v2/self")).status_code for _ in range(n)]


@pytest.mark.anyio
async def test_faults_are_deterministic_per_seed() -> None:
    cfg = FaultConfig(seed=7, rate_429=0.2, rate_500=0.2, rate_503=0.2)
    first, again = await _statuses(cfg), await _statuses(cfg)
    other = await _statuses(FaultConfig(seed=8, rate_429=0.2, rate_500=0.2, rate_503=0.2))
    assert first == again
    assert first != other
    assert {200, 429, 500, 503} <= set(first)


@pytest.mark.anyio
async def test_lifespan_passes_through() -> None:
    app, _ = make_app()
    wrapped = wrap_app(app, rate_limit=RateLimitConfig(1, 1))
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[dict] = []

    async def receive() -> dict:
        return next(messages)

    async def send(message: dict) -> None:
        sent.append(message)

    await wrapped({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


# --- over a real server: drop and delay ------------------------------------------------------------


@contextlib.contextmanager
def serve(app) -> Iterator[str]:
    """Run ``app`` under uvicorn on 127.0.0.1 in a background thread; stops itself on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_drop_breaks_the_connection_mid_body() -> None:
    app, hits = make_app()
    with (
        serve(wrap_app(app, faults=FaultConfig(rate_drop=1.0))) as base_url,
        httpx.Client(base_url=base_url) as c,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            c.post("/v2/objects/people/records", json={"n": 1})
        assert hits["write"] == 1  # processed before the connection was cut


def test_drop_leaves_other_requests_intact() -> None:
    app, _ = make_app()
    cfg = FaultConfig(seed=1, rate_drop=0.5)
    with serve(wrap_app(app, faults=cfg)) as base_url, httpx.Client(base_url=base_url) as client:
        outcomes = []
        for _ in range(12):
            try:
                outcomes.append(client.get("/v2/self").json()["data"]["active"])
            except httpx.RemoteProtocolError:
                outcomes.append("dropped")
    assert "dropped" in outcomes
    assert True in outcomes


def test_delay_outlasts_a_short_client_timeout_but_still_completes() -> None:
    app, hits = make_app()
    cfg = FaultConfig(rate_delay=1.0, delay_seconds=0.5)
    with (
        serve(wrap_app(app, faults=cfg)) as base_url,
        httpx.Client(base_url=base_url, timeout=0.05) as client,
    ):
        with pytest.raises(httpx.ReadTimeout):
            client.post("/v2/objects/people/records", json={"n": 1})
        assert hits["write"] == 0
        # The server keeps going after the client gave up: the write lands anyway.
        assert _wait_for(lambda: hits["write"] == 1)
