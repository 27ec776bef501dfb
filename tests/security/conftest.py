"""Fixtures for the security tests: an MCP client over the real server and a fresh in-process sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mcp import Client

from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings
from attio_mcp.tools import CODES


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client's retry policy unchanged, its waits short."""
    from attio_mcp.attio import _http

    monkeypatch.setattr(_http, "backoff", lambda attempt, random=None: 0.01)
    monkeypatch.setattr(_http, "rate_limit_delay", lambda retry_after, random=None: 0.01)


@pytest.fixture
def sandbox_app() -> Any:
    return create_app()


@pytest.fixture
async def mcp(sandbox_app: Any) -> AsyncIterator[Client]:
    settings = Settings(sandbox=True, writes_per_second=1000)
    async with Client(build_server(settings, transport=httpx.ASGITransport(app=sandbox_app))) as client:
        yield client


class Tools:
    """``ok`` asserts success and returns structured content; ``fail`` asserts a machine-coded error."""

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
