"""Fixtures for the sandbox tests: a fresh seeded app and an authorised httpx client per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from attio_mcp.sandbox import create_app


@pytest.fixture
def app() -> Starlette:
    return create_app()


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sandbox", headers={"Authorization": "Bearer x"}
    ) as c:
        yield c
