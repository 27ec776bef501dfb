"""Fixtures for the security tests: an MCP client over the real server and a fresh in-process sandbox."""

from __future__ import annotations

import pytest

from attio_mcp.server.settings import Settings


@pytest.fixture
def settings() -> Settings:
    """Writes unthrottled: fuzzing sends many calls and must not wait on the write limiter."""
    return Settings(sandbox=True, writes_per_second=1000)
