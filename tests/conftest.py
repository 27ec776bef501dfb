"""Shared fixtures (a real MCP client over the server and an in-process sandbox) and the CI no-skip rule."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mcp import Client

from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from attio_mcp.workspace import CODES
from tests.contract.openapi import assert_contract_kept, contract_transport

_ATTIO_ENV_PREFIXES = ("ATTIO_API_KEY", "ATTIO_ACCESS_TOKEN", "ATTIO_BASE_URL", "ATTIO_SANDBOX", "ATTIO_MCP_")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _clean_attio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's Attio settings."""
    for name in list(os.environ):
        if name.startswith(_ATTIO_ENV_PREFIXES):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the client's retry policy (what is retried, how often) but make its waits short."""
    from attio_mcp.attio import _http

    monkeypatch.setattr(_http, "backoff", lambda attempt, random=None: 0.02)
    monkeypatch.setattr(_http, "rate_limit_delay", lambda retry_after, random=None: 0.02)


@pytest.fixture
def sandbox_app() -> Any:
    """A freshly seeded sandbox per test (tests may inspect ``sandbox_app.state.sandbox``)."""
    return create_app()


@pytest.fixture
def settings() -> Settings:
    return Settings(sandbox=True)


@pytest.fixture
async def mcp(sandbox_app: Any, settings: Settings) -> AsyncIterator[Client]:
    """The server over the sandbox; with ATTIO_OPENAPI_SPEC set, every request our client sends and every
    sandbox response is validated against Attio's OpenAPI spec, and violations fail the test."""
    transport: httpx.AsyncBaseTransport = httpx.ASGITransport(app=sandbox_app)
    contract = contract_transport(transport)
    server = build_server(settings, transport=contract or transport)
    async with Client(server) as client:
        yield client
    if contract is not None:
        assert_contract_kept(contract)


class Tools:
    """Helpers over an MCP client: ``ok`` asserts success, ``fail`` asserts a machine-coded error."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def ok(self, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        result = await self.client.call_tool(name, args or {})
        text = result.content[0].text if result.content else ""
        assert not result.is_error, f"{name} failed: {text}"
        assert isinstance(result.structured_content, dict)
        return result.structured_content

    async def fail(self, name: str, args: dict[str, Any] | None = None, code: str | None = None) -> str:
        result = await self.client.call_tool(name, args or {})
        assert result.is_error, f"{name} unexpectedly succeeded: {result.structured_content}"
        text = result.content[0].text
        assert text.split(":", 1)[0] in CODES, text
        if code is not None:
            assert text.startswith(f"{code}:"), text
        return text


@pytest.fixture
def tools(mcp: Client) -> Tools:
    return Tools(mcp)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("ATTIO_FORBID_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        if reporter:
            reporter.write_line(
                f"ATTIO_FORBID_SKIPS=1: {skipped} test(s) were skipped; failing the run.", red=True
            )
        session.exitstatus = 1
