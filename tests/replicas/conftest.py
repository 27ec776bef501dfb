"""Replicas behind a round-robin proxy, as real processes (see ``cluster.py``): one sandbox with Attio's
rate limits, a real redis-server (``tests/redis_server.py``), three ``attio-mcp --transport http`` replicas
and the proxy. Each test module gets its own cluster, so a killed replica never leaks into another test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.replicas.cluster import Cluster, cluster


@pytest.fixture(scope="module")
def team() -> Iterator[Cluster]:
    """Three replicas sharing state through Redis, behind the proxy; the sandbox enforces Attio's limits."""
    with cluster(3, redis=True) as running:
        yield running
