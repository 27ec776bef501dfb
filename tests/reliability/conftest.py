"""Fixtures for fault tests: a sandbox on a real loopback port whose faults and outages can be switched."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from mcp import Client

from attio_mcp.sandbox import FaultConfig, create_app
from attio_mcp.sandbox._middleware import wrap_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from tests.reliability.live import LiveServer

API_KEY = "reliability-test-key"
# The mix: 10% 429, 5% 500/503, 2% delayed past the client timeout, 1% dropped connections.
FAULTS = FaultConfig(
    seed=7,
    rate_429=0.10,
    rate_500=0.025,
    rate_503=0.025,
    rate_delay=0.02,
    delay_seconds=1.0,
    rate_drop=0.01,
)


class Switch:
    """ASGI app in front of one sandbox: ``faults`` routes through the fault injector, ``down`` hangs."""

    def __init__(self, app: Any, faults: FaultConfig = FAULTS) -> None:
        self.app = app
        self.faulty = wrap_app(app, faults=faults)
        self.faults = False
        self.down = False

    @property
    def store(self) -> Any:
        return self.app.state.sandbox

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.down:
            while self.down:  # accept the connection, never answer while the outage lasts
                await anyio.sleep(0.02)
            return  # then drop it: the client gave up long ago
        await (self.faulty if self.faults else self.app)(scope, receive, send)


@pytest.fixture
def switch() -> Switch:
    return Switch(create_app(seed=True))


@pytest.fixture
def live_sandbox(switch: Switch) -> Iterator[LiveServer]:
    server = LiveServer(switch).start()
    yield server
    switch.down = False
    server.stop()


@pytest.fixture
def fault_log() -> Iterator[Counter[str]]:
    """Counts injected faults by mode (the sandbox logs each one), so a test cannot pass without faults."""
    counts: Counter[str] = Counter()

    class Tally(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("sandbox fault "):
                counts[record.getMessage().split()[2]] += 1

    handler = Tally(logging.INFO)
    log = logging.getLogger("attio_mcp.sandbox")
    old_level = log.level
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    yield counts
    log.removeHandler(handler)
    log.setLevel(old_level)


def fault_settings(url: str, **overrides: Any) -> Settings:
    """Short client timeouts and generous rates: the faults, not the pacing, are under test."""
    values: dict[str, Any] = {
        "base_url": url,
        "api_key": API_KEY,
        "timeout": 0.5,
        "connect_timeout": 0.5,
        "reads_per_second": 1000,
        "writes_per_second": 1000,
        "max_attempts": 8,
        "max_retry_seconds": 20,
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def mcp_client(settings: Settings) -> AsyncIterator[Client]:
    async with Client(build_server(settings)) as client:
        yield client


def text_of(result: Any) -> str:
    return result.content[0].text if result.content else ""


def object_records(store: Any, slug: str) -> dict[str, Any]:
    return store.object_records(store.schema.object(slug)["id"]["object_id"])


def list_entries(store: Any, slug: str) -> dict[str, Any]:
    return store.list_entries(store.schema.list(slug)["id"]["list_id"])
