"""Fixtures for the security tests: an MCP client over the real server and a fresh in-process sandbox."""

from __future__ import annotations

import pytest

from attio_mcp.server.settings import Settings


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client's retry policy unchanged, its waits short."""
    from attio_mcp.attio import _http

    monkeypatch.setattr(_http, "backoff", lambda attempt, random=None: 0.01)
    monkeypatch.setattr(_http, "rate_limit_delay", lambda retry_after, random=None: 0.01)


@pytest.fixture
def settings() -> Settings:
    """Writes unthrottled: fuzzing sends many calls and must not wait on the write limiter."""
    return Settings(sandbox=True, writes_per_second=1000)
