"""Client-side rate limiting: a token bucket per traffic class (reads and writes).

Attio allows about 100 reads and 25 writes per second. Each bucket holds up to ``capacity`` tokens (by
default ``rate``, one second of burst; the client asks for a smaller burst) and refills continuously.
``clock`` and ``sleep`` are injected so tests run on a fake clock.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

import anyio

__all__ = ["TokenBucket"]


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
