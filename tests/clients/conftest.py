"""Fixtures for the real-client tests: npx, running servers, the client virtualenvs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.clients._support import (
    ATTIO_MCP,
    CLIENT_VENVS_DIR,
    ClientVenvs,
    background,
    free_port,
    require_npx,
)


@pytest.fixture(scope="session")
def npx() -> str:
    return require_npx()


@pytest.fixture(scope="session")
def client_venvs() -> Iterator[ClientVenvs]:
    venvs = ClientVenvs(CLIENT_VENVS_DIR)
    yield venvs
    venvs.close()


@pytest.fixture(scope="session")
def sandbox_api() -> Iterator[str]:
    """Base URL of an emulated Attio API served by ``attio-mcp sandbox serve`` (any bearer token works)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with background(
        [str(ATTIO_MCP), "sandbox", "serve", "--port", str(port)],
        ready_url=f"{url}/v2/self",
        headers={"Authorization": "Bearer readiness-check"},
    ):
        yield url
