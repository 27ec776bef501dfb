"""End-to-end tool tests: a real MCP client talking to the server, which talks to the in-process sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mcp import Client

from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from tests.contract.openapi import assert_contract_kept, contract_transport


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
    """Small helpers over an MCP client: ``ok`` asserts success, ``fail`` asserts a machine-coded error."""

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
        assert not text.startswith("Error executing tool"), text
        if code is not None:
            assert text.startswith(f"{code}:"), text
        return text


@pytest.fixture
def tools(mcp: Client) -> Tools:
    return Tools(mcp)
