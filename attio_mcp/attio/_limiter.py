"""Client-side rate limiting: a token bucket per traffic class (reads and writes).

Attio allows about 100 reads and 25 writes per second. Each bucket holds up to ``capacity`` tokens (by
default ``rate``, one second of burst; the client asks for a smaller burst) and refills continuously.
``clock`` and ``sleep`` are injected so tests run on a fake clock.

``Limiter`` is the seam the request core calls: ``LocalLimiter`` (two in-process buckets) is the default;
``attio_mcp.state`` supplies one shared by every replica through Redis.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

import anyio

__all__ = ["Kind", "Limiter", "LocalLimiter", "TokenBucket"]

Kind = Literal["read", "write"]


class TokenBucket:
    """A token bucket shared by many tasks; ``await bucket.acquire()`` before each request.

    Waiters queue on a fair lock, so they are served in arrival order and each one sleeps only for its
    own token. A non-finite ``rate`` (``math.inf``) disables limiting.
    """

    def __init__(
        self,
        rate: float,
        *,
        capacity: float | None = None,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        if not rate > 0:
            raise ValueError("rate must be > 0 (use math.inf for no limit)")
        self.rate = float(rate)
        self.capacity = float(capacity if capacity is not None else max(1.0, rate))
        if not self.capacity >= 1:
            raise ValueError("capacity must be >= 1")
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.capacity
        self._updated = clock()
        self._lock = anyio.Lock()

    @property
    def unlimited(self) -> bool:
        return math.isinf(self.rate)

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._updated = now
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)

    def available(self) -> float:
        """Tokens available right now (fractional)."""
        if self.unlimited:
            return math.inf
        self._refill()
        return self._tokens

    async def acquire(self) -> None:
        """Take one token, sleeping until one is available."""
        if self.unlimited:
            return
        async with self._lock:
            self._refill()
            if self._tokens < 1.0:
                await self._sleep((1.0 - self._tokens) / self.rate)
                self._refill()
            # After the sleep the bucket holds (almost exactly) one token; float error may leave it a hair
            # short, which only lengthens the next wait by that hair.
            self._tokens -= 1.0


class Limiter(Protocol):
    """What the request core asks of a rate limiter, per traffic class."""

    async def acquire(self, kind: Kind) -> None:
        """Wait until one request of ``kind`` may be sent."""
        ...

    async def pause(self, kind: Kind, seconds: float) -> None:
        """Attio answered 429 with a ``Retry-After`` of ``seconds``: hold back every sender of ``kind``.

        The caller that got the 429 still sleeps its own delay before retrying; this is for the others.
        """
        ...


class LocalLimiter:
    """Today's in-process limiter: one ``TokenBucket`` for reads and one for writes.

    ``pause`` does nothing here: in one process the 429's own retry delay already spaces the calls.
    """

    def __init__(
        self,
        *,
        reads_per_second: float,
        writes_per_second: float,
        burst: float,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.reads = TokenBucket(reads_per_second, capacity=burst, clock=clock, sleep=sleep)
        self.writes = TokenBucket(writes_per_second, capacity=burst, clock=clock, sleep=sleep)

    async def acquire(self, kind: Kind) -> None:
        await (self.reads if kind == "read" else self.writes).acquire()

    async def pause(self, kind: Kind, seconds: float) -> None:
        return None
