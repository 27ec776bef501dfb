"""A real redis-server for the shared-state tests (see tests/redis_server.py)."""

from __future__ import annotations

from tests.redis_server import redis_url

__all__ = ["redis_url"]
