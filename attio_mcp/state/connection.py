"""The Redis connection and its health: one client per process, and when Redis stops answering, one warning.

``RedisHealth`` is shared by every limiter on the connection. After a failure Redis is left alone for
``retry_seconds`` (callers use their per-process fallback meanwhile); then the next caller tries it again,
and a success puts everything back on Redis.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

__all__ = ["RETRY_SECONDS", "RedisHealth", "connect", "describe_url"]

logger = logging.getLogger("attio_mcp.state")

RETRY_SECONDS = 3.0  # while Redis is down, try it again at most this often
CONNECT_TIMEOUT_SECONDS = 1.0
SOCKET_TIMEOUT_SECONDS = 2.0


def describe_url(url: str) -> str:
    """``host:port/db`` of a Redis URL, for logs: never the password or user name."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or 6379
    except ValueError:
        return "redis (unparseable URL)"
    db = parts.path.strip("/")
    return f"{parts.scheme}://{host}:{port}" + (f"/{db}" if db else "")


def connect(url: str) -> aioredis.Redis:
    """A lazily connecting asyncio client: no I/O here, so a server starts even while Redis is down.

    Short timeouts and no client-side retries: a failed call falls back at once instead of stalling a
    request, and ``RedisHealth`` decides when to try again.
    """
    return aioredis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
        decode_responses=False,
    )


class RedisHealth:
    """Up or down, with one warning per outage and a probe at most every ``retry_seconds``."""

    def __init__(
        self, where: str, *, retry_seconds: float = RETRY_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.where = where
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._down = False
        self._next_try = 0.0
        self.outages = 0  # how many times Redis went away (each logged once)

    @property
    def down(self) -> bool:
        return self._down

    def should_try(self) -> bool:
        """Whether to send this call to Redis. While down, one caller per ``retry_seconds`` probes."""
        if not self._down:
            return True
        now = self._clock()
        if now < self._next_try:
            return False
        self._next_try = now + self.retry_seconds  # the others keep to the fallback while this one probes
        return True

    def failed(self, error: BaseException) -> None:
        if not self._down:
            self._down = True
            self.outages += 1
            logger.warning(
                "Redis at %s is not answering (%s): rate limiting falls back to this process alone; "
                "retrying every %.0f s",
                self.where,
                type(error).__name__,
                self.retry_seconds,
            )
        self._next_try = self._clock() + self.retry_seconds

    def succeeded(self) -> None:
        if self._down:
            self._down = False
            logger.info("Redis at %s answers again: the shared rate limit is back", self.where)
