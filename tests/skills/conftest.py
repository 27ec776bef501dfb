"""Skill tests: a real MCP client against the server, which talks to a fresh in-process sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mcp import Client

from attio_mcp.sandbox import create_app
from attio_mcp.server.app import build_server
from attio_mcp.server.settings import Settings


@pytest.fixture
def sandbox_app() -> Any:
    return create_app()


@pytest.fixture
def settings() -> Settings:
    return Settings(sandbox=True)


@pytest.fixture
async def mcp(sandbox_app: Any, settings: Settings) -> AsyncIterator[Client]:
    server = build_server(settings, transport=httpx.ASGITransport(app=sandbox_app))
    async with Client(server) as client:
        yield client
