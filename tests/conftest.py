"""Shared pytest fixtures and the CI rule that nothing may be skipped."""

from __future__ import annotations

import os

import pytest

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
